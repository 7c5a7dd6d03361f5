// Extraction methods on given activations, each checked against an
// independent computation written here in plain double loops: the mean
// difference, the first principal direction of the paired differences by
// power iteration (with the documented sign rule), and the logistic probe by
// plain gradient descent on the documented objective.

#include "common/test_util.h"

#include "engine/errors.h"
#include "engine/extraction.h"

#include <ATen/ATen.h>

#include <cmath>
#include <random>

using namespace sb;

namespace {
using Matrix = std::vector<std::vector<double>>;

Matrix randomMatrix(int rows, int cols, std::mt19937_64& rng, double scale = 1.0)
{
    std::normal_distribution<double> g(0.0, scale);
    Matrix m(static_cast<std::size_t>(rows), std::vector<double>(static_cast<std::size_t>(cols)));
    for (auto& r : m)
        for (auto& x : r)
            x = g(rng);
    return m;
}

at::Tensor toTensor(const Matrix& m)
{
    const auto rows = static_cast<int64_t>(m.size()), cols = static_cast<int64_t>(m.at(0).size());
    at::Tensor t = at::empty({rows, cols}, at::kDouble);
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
            t[i][j] = m[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
    return t.to(at::kFloat);
}

std::vector<double> toVector(const at::Tensor& t)
{
    at::Tensor c = t.to(at::kDouble).contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

double dot(const std::vector<double>& a, const std::vector<double>& b)
{
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        s += a[i] * b[i];
    return s;
}

double norm(const std::vector<double>& a) { return std::sqrt(dot(a, a)); }

double cosine(const std::vector<double>& a, const std::vector<double>& b) { return dot(a, b) / (norm(a) * norm(b)); }

/// Top eigenvector of D^T D by power iteration, sign by the majority rule.
std::vector<double> powerDirection(const Matrix& D)
{
    const std::size_t d = D[0].size();
    std::vector<double> u(d, 1.0);
    for (int it = 0; it < 5000; ++it) {
        std::vector<double> next(d, 0.0);
        for (const auto& row : D) {
            const double p = dot(row, u);
            for (std::size_t j = 0; j < d; ++j)
                next[j] += p * row[j];
        }
        const double n = norm(next);
        for (auto& x : next)
            x /= n;
        u = next;
    }
    int above = 0, below = 0;
    for (const auto& row : D)
        (dot(row, u) > 0 ? above : below)++;
    if (below > above)
        for (auto& x : u)
            x = -x;
    return u;
}

/// The documented probe objective, minimised by plain gradient descent.
std::vector<double> gradientDescentProbe(const Matrix& pos, const Matrix& neg, double l2)
{
    Matrix X = pos;
    X.insert(X.end(), neg.begin(), neg.end());
    const std::size_t n = X.size(), d = X[0].size();
    std::vector<double> mean(d, 0.0);
    for (const auto& r : X)
        for (std::size_t j = 0; j < d; ++j)
            mean[j] += r[j] / static_cast<double>(n);
    double ss = 0;
    for (auto& r : X)
        for (std::size_t j = 0; j < d; ++j) {
            r[j] -= mean[j];
            ss += r[j] * r[j];
        }
    const double rms = std::sqrt(ss / static_cast<double>(n * d));
    for (auto& r : X)
        for (auto& x : r)
            x /= rms;
    std::vector<double> y(n, -1.0);
    for (std::size_t i = 0; i < pos.size(); ++i)
        y[i] = 1.0;
    // Step 1/L with L = max row norm^2 / 4 + l2 bounds the Hessian.
    double maxRow = 0;
    for (const auto& r : X)
        maxRow = std::max(maxRow, dot(r, r) + 1.0);
    const double step = 1.0 / (maxRow / 4.0 + l2);
    std::vector<double> w(d, 0.0);
    double b = 0.0;
    for (int it = 0; it < 200000; ++it) {
        std::vector<double> g(d, 0.0);
        double gb = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            const double m = y[i] * (dot(X[i], w) + b);
            const double s = -y[i] / (1.0 + std::exp(m)) / static_cast<double>(n);
            for (std::size_t j = 0; j < d; ++j)
                g[j] += s * X[i][j];
            gb += s;
        }
        double gn = gb * gb;
        for (std::size_t j = 0; j < d; ++j) {
            g[j] += l2 * w[j];
            gn += g[j] * g[j];
        }
        for (std::size_t j = 0; j < d; ++j)
            w[j] -= step * g[j];
        b -= step * gb;
        if (gn < 1e-22)
            break;
    }
    const double nw = norm(w);
    for (auto& x : w)
        x /= nw;
    return w;
}
} // namespace

class TestExtractionMath : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void meanDifference()
    {
        std::mt19937_64 rng(1);
        Matrix p = randomMatrix(7, 5, rng), n = randomMatrix(9, 5, rng);
        std::vector<double> expected(5, 0.0);
        for (const auto& r : p)
            for (int j = 0; j < 5; ++j)
                expected[static_cast<std::size_t>(j)] += r[static_cast<std::size_t>(j)] / 7.0;
        for (const auto& r : n)
            for (int j = 0; j < 5; ++j)
                expected[static_cast<std::size_t>(j)] -= r[static_cast<std::size_t>(j)] / 9.0;
        auto got = toVector(meanDifferenceVector(toTensor(p), toTensor(n)));
        for (int j = 0; j < 5; ++j)
            QVERIFY(std::abs(got[static_cast<std::size_t>(j)] - expected[static_cast<std::size_t>(j)]) < 1e-5);
        sbtest::expectThrowContaining<ShapeError>(
            [] { meanDifferenceVector(at::zeros({2, 3}), at::zeros({2, 4})); }, {"one width"});
    }

    void pcaMatchesPowerIterationAndSignRule()
    {
        std::mt19937_64 rng(2);
        const int n = 40, d = 12;
        // Differences along a hidden direction c with varying strength, plus noise.
        std::vector<double> c(d);
        std::normal_distribution<double> g(0.0, 1.0);
        for (auto& x : c)
            x = g(rng);
        Matrix D = randomMatrix(n, d, rng, 0.3);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < d; ++j)
                D[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] += (1.0 + 0.05 * i) * c[static_cast<std::size_t>(j)];
        auto expected = powerDirection(D);
        auto got = toVector(pcaDirection(toTensor(D)));
        QVERIFY(std::abs(norm(got) - 1.0) < 1e-5);
        QVERIFY2(cosine(got, expected) > 0.99999, qPrintable(QString::number(cosine(got, expected))));
        QVERIFY(dot(got, c) > 0); // positives project higher
        // Negating every difference flips the direction: the sign is not arbitrary.
        Matrix negD = D;
        for (auto& r : negD)
            for (auto& x : r)
                x = -x;
        QVERIFY(cosine(toVector(pcaDirection(toTensor(negD))), expected) < -0.99999);
    }

    void pcaSignFollowsTheMajorityNotTheMean()
    {
        // Nine pairs slightly positive along e0, one hugely negative: the
        // principal axis is e0; most pairs say +e0 although the mean says -e0.
        Matrix D(10, std::vector<double>(3, 0.0));
        for (int i = 0; i < 9; ++i)
            D[static_cast<std::size_t>(i)][0] = 1.0;
        D[9][0] = -50.0;
        D[9][1] = 0.01;
        auto u = toVector(pcaDirection(toTensor(D)));
        QVERIFY(u[0] > 0.999);
        sbtest::expectThrowContaining<InputError>([] { pcaDirection(at::zeros({4, 3})); }, {"zero"});
    }

    void pairDifferencesForAllTokens()
    {
        PairedActivations a;
        a.policy = PositionPolicy::AllTokens;
        a.numPairs = 2;
        a.positive = at::tensor({1.0f, 2.0f, 3.0f, 4.0f, 10.0f, 10.0f}).view({3, 2});
        a.positivePair = {0, 0, 1};
        a.negative = at::tensor({0.0f, 0.0f, 5.0f, 5.0f, 7.0f, 9.0f}).view({3, 2});
        a.negativePair = {0, 1, 1};
        auto d = toVector(a.pairDifferences());
        // pair 0: mean(pos) = (2, 3), neg = (0, 0); pair 1: pos (10, 10), mean(neg) = (6, 7)
        const std::vector<double> expected{2, 3, 4, 3};
        for (std::size_t i = 0; i < 4; ++i)
            QVERIFY(std::abs(d[i] - expected[i]) < 1e-6);
    }

    void probeMatchesGradientDescent_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("dims");
        QTest::newRow("more rows than dims (primal Newton)") << 30 << 6;
        QTest::newRow("fewer rows than dims (Woodbury)") << 8 << 20;
    }

    void probeMatchesGradientDescent()
    {
        QFETCH(int, rows);
        QFETCH(int, dims);
        std::mt19937_64 rng(static_cast<uint64_t>(rows * 100 + dims));
        Matrix p = randomMatrix(rows, dims, rng), n = randomMatrix(rows, dims, rng);
        for (auto& r : p) {
            r[0] += 1.5;
            r[1] -= 0.7;
        }
        ProbeOptions opt;
        opt.l2 = 0.05;
        auto expected = gradientDescentProbe(p, n, opt.l2);
        auto got = toVector(probeDirection(toTensor(p), toTensor(n), opt));
        QVERIFY2(cosine(got, expected) > 0.9999, qPrintable(QString::number(cosine(got, expected), 'g', 8)));
        QVERIFY(got[0] > 0); // towards the positives
    }

    void vectorsCarryTheMeanSeparation()
    {
        std::mt19937_64 rng(5);
        PairedActivations a;
        a.policy = PositionPolicy::ContinuationMean;
        a.numPairs = 20;
        Matrix p = randomMatrix(20, 8, rng), n = randomMatrix(20, 8, rng);
        for (std::size_t i = 0; i < 20; ++i) {
            p[i][3] += 2.0;
            n[i] = p[i];
            n[i][3] -= 2.0 + 0.1 * static_cast<double>(i);
            n[i][5] += 0.3;
        }
        a.positive = toTensor(p);
        a.negative = toTensor(n);
        auto m = toVector(meanDifferenceVector(a.positive, a.negative));
        auto mean = toVector(extractVector(ExtractionMethod::MeanDifference, a));
        QVERIFY(cosine(mean, m) > 0.999999);
        for (auto method : {ExtractionMethod::Pca, ExtractionMethod::Probe}) {
            auto v = toVector(extractVector(method, a));
            std::vector<double> u = v;
            for (auto& x : u)
                x /= norm(v);
            // |v| = |m . u| and v points where the positives are.
            QVERIFY(std::abs(norm(v) - std::abs(dot(m, u))) < 1e-4);
            QVERIFY(v[3] > 0);
        }
        QCOMPARE(QString::fromUtf8(extractionMethodName(*parseExtractionMethod("caa"))), QStringLiteral("mean"));
        QCOMPARE(QString::fromUtf8(positionPolicyName(*parsePositionPolicy("last"))), QStringLiteral("last"));
        QVERIFY(!parseExtractionMethod("svd"));
    }
};

QTEST_GUILESS_MAIN(TestExtractionMath)
#include "test_extraction_math.moc"
