// Linear CKA, debiased CKA and mutual kNN against naive double-loop
// computations written here, their invariances, and the all-pairs matrices
// (both CKA forms, permuted and rotated layers).

#include "common/test_util.h"

#include "engine/errors.h"
#include "engine/similarity.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <set>

using namespace sb;

namespace {

using Mat = std::vector<std::vector<double>>;

Mat toMat(const at::Tensor& t)
{
    at::Tensor d = t.to(at::kDouble).contiguous();
    Mat m(static_cast<std::size_t>(d.size(0)), std::vector<double>(static_cast<std::size_t>(d.size(1))));
    for (int64_t i = 0; i < d.size(0); ++i)
        for (int64_t j = 0; j < d.size(1); ++j)
            m[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = d[i][j].item<double>();
    return m;
}

/// Linear-kernel Gram matrix by loops.
Mat gram(const Mat& x)
{
    const std::size_t n = x.size();
    Mat k(n, std::vector<double>(n, 0.0));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            for (std::size_t f = 0; f < x[i].size(); ++f)
                k[i][j] += x[i][f] * x[j][f];
    return k;
}

/// HSIC = tr(K H L H) / (n-1)^2 with H = I - 11^T/n, all by loops.
double hsicBiased(const Mat& k, const Mat& l)
{
    const std::size_t n = k.size();
    auto centre = [n](const Mat& m) {
        std::vector<double> row(n, 0.0), col(n, 0.0);
        double all = 0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                row[i] += m[i][j] / static_cast<double>(n);
                col[j] += m[i][j] / static_cast<double>(n);
                all += m[i][j] / static_cast<double>(n * n);
            }
        Mat c = m;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j)
                c[i][j] = m[i][j] - row[i] - col[j] + all;
        return c;
    };
    const Mat kc = centre(k), lc = centre(l);
    double tr = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            tr += kc[i][j] * lc[j][i];
    return tr / ((static_cast<double>(n) - 1) * (static_cast<double>(n) - 1));
}

double naiveCka(const at::Tensor& x, const at::Tensor& y)
{
    const Mat k = gram(toMat(x)), l = gram(toMat(y));
    return hsicBiased(k, l) / std::sqrt(hsicBiased(k, k) * hsicBiased(l, l));
}

/// Song et al. (2012) unbiased HSIC on the raw (uncentred) features:
/// [tr(K~L~) + 1'K~1 1'L~1 / ((n-1)(n-2)) - 2/(n-2) 1'K~L~1] / (n(n-3)), K~ = K with zero diagonal.
double hsicUnbiased(Mat k, Mat l)
{
    const std::size_t n = k.size();
    for (std::size_t i = 0; i < n; ++i)
        k[i][i] = l[i][i] = 0.0;
    double tr = 0, sk = 0, sl = 0, kl1 = 0;
    std::vector<double> k1(n, 0.0), l1(n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            tr += k[i][j] * l[j][i];
            sk += k[i][j];
            sl += l[i][j];
            k1[i] += k[i][j];
            l1[i] += l[i][j];
        }
    for (std::size_t i = 0; i < n; ++i)
        kl1 += k1[i] * l1[i]; // 1'K~L~1 = (K~1).(L~1) for symmetric K~
    const double nd = static_cast<double>(n);
    return (tr + sk * sl / ((nd - 1) * (nd - 2)) - 2.0 / (nd - 2) * kl1) / (nd * (nd - 3));
}

double naiveDebiasedCka(const at::Tensor& x, const at::Tensor& y)
{
    const Mat k = gram(toMat(x)), l = gram(toMat(y));
    return hsicUnbiased(k, l) / std::sqrt(hsicUnbiased(k, k) * hsicUnbiased(l, l));
}

/// Huh et al.: cosine neighbours, self excluded, overlap / k averaged — by sorting every row.
double naiveMutualKnn(const at::Tensor& x, const at::Tensor& y, std::size_t k)
{
    auto neighbours = [k](const Mat& m) {
        const std::size_t n = m.size();
        std::vector<std::set<std::size_t>> out(n);
        for (std::size_t i = 0; i < n; ++i) {
            std::vector<std::pair<double, std::size_t>> sims;
            for (std::size_t j = 0; j < n; ++j) {
                if (j == i)
                    continue;
                double dot = 0, ni = 0, nj = 0;
                for (std::size_t f = 0; f < m[i].size(); ++f) {
                    dot += m[i][f] * m[j][f];
                    ni += m[i][f] * m[i][f];
                    nj += m[j][f] * m[j][f];
                }
                sims.emplace_back(-dot / std::sqrt(ni * nj), j);
            }
            std::sort(sims.begin(), sims.end());
            for (std::size_t q = 0; q < k; ++q)
                out[i].insert(sims[q].second);
        }
        return out;
    };
    const auto a = neighbours(toMat(x)), b = neighbours(toMat(y));
    double total = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        for (std::size_t v : a[i])
            total += b[i].count(v);
    return total / static_cast<double>(a.size() * k);
}

at::Tensor randomOrthogonal(int64_t d)
{
    return std::get<0>(at::linalg_qr(at::randn({d, d}, at::kDouble)));
}

/// Correlated pair: y is a noisy linear map of x plus a nonlinearity, so similarities are strictly inside (0, 1).
std::pair<at::Tensor, at::Tensor> correlatedPair(int64_t n, int64_t dx, int64_t dy)
{
    at::Tensor x = at::randn({n, dx}, at::kDouble);
    at::Tensor y = at::tanh(at::mm(x, at::randn({dx, dy}, at::kDouble))) + 0.5 * at::randn({n, dy}, at::kDouble);
    return {x, y};
}

} // namespace

class TestSimilarity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { at::manual_seed(1234); }

    void ckaAgainstNaive()
    {
        for (int trial = 0; trial < 4; ++trial) {
            auto [x, y] = correlatedPair(24, 5 + trial, 7);
            const double expect = naiveCka(x, y);
            QVERIFY(expect > 0.05 && expect < 0.99);
            QVERIFY2(std::abs(linearCka(x, y) - expect) < 1e-10, qPrintable(QString::number(linearCka(x, y) - expect)));
            const double dexpect = naiveDebiasedCka(x, y);
            QVERIFY(std::abs(dexpect - expect) > 1e-3); // the estimators differ on small n
            QVERIFY2(std::abs(debiasedLinearCka(x, y) - dexpect) < 1e-10,
                     qPrintable(QString::number(debiasedLinearCka(x, y) - dexpect)));
        }
    }

    void debiasedIgnoresTranslation()
    {
        // The unbiased estimator is translation invariant: the naive loops above
        // run on the raw features while the implementation centres them.
        auto [x, y] = correlatedPair(30, 6, 4);
        at::Tensor shifted = x + at::randn({1, 6}, at::kDouble) * 10;
        QVERIFY(std::abs(naiveDebiasedCka(shifted, y) - naiveDebiasedCka(x, y)) < 1e-9);
        QVERIFY(std::abs(debiasedLinearCka(shifted, y) - debiasedLinearCka(x, y)) < 1e-9);
    }

    void mutualKnnAgainstNaive()
    {
        for (int64_t k : {1, 3, 5}) {
            auto [x, y] = correlatedPair(40, 6, 9);
            const double expect = naiveMutualKnn(x, y, static_cast<std::size_t>(k));
            QVERIFY(expect > 0.0 && expect < 1.0);
            QCOMPARE(mutualKnnAlignment(x, y, k), expect);
        }
        // nearestNeighbours: sorted, self excluded.
        at::Tensor x = at::randn({12, 3}, at::kDouble);
        at::Tensor nb = nearestNeighbours(x, 4);
        QCOMPARE(nb.sizes().vec(), (std::vector<int64_t>{12, 4}));
        for (int64_t i = 0; i < 12; ++i)
            for (int64_t q = 0; q < 4; ++q) {
                QVERIFY(nb[i][q].item<int64_t>() != i);
                if (q)
                    QVERIFY(nb[i][q].item<int64_t>() > nb[i][q - 1].item<int64_t>());
            }
    }

    void invariances()
    {
        auto [x, y] = correlatedPair(50, 8, 6);
        const double cka = linearCka(x, y), dcka = debiasedLinearCka(x, y), knn = mutualKnnAlignment(x, y, 5);
        at::Tensor q = randomOrthogonal(8);
        at::Tensor xr = at::mm(x, q) * 3.7; // rotation and isotropic scaling
        QVERIFY(std::abs(linearCka(xr, y) - cka) < 1e-10);
        QVERIFY(std::abs(debiasedLinearCka(xr, y) - dcka) < 1e-10);
        QCOMPARE(mutualKnnAlignment(xr, y, 5), knn);
        QVERIFY(std::abs(linearCka(x + 5.0, y) - cka) < 1e-10); // translation (CKA centres)
        // Self-similarity is 1, also across a rotation; an anisotropic scaling is not invariant.
        QVERIFY(std::abs(linearCka(x, xr) - 1.0) < 1e-12);
        QVERIFY(std::abs(debiasedLinearCka(x, xr) - 1.0) < 1e-12);
        QCOMPARE(mutualKnnAlignment(x, xr, 5), 1.0);
        at::Tensor aniso = x * at::linspace(0.1, 10.0, 8, at::kDouble);
        QVERIFY(linearCka(x, aniso) < 0.99);
    }

    void allPairsBothForms()
    {
        std::vector<at::Tensor> src, tgt;
        at::Tensor base = at::randn({60, 10}, at::kDouble);
        for (int i = 0; i < 3; ++i)
            src.push_back(at::tanh(at::mm(base, at::randn({10, 12}, at::kDouble))) + 0.3 * i * at::randn({60, 12}, at::kDouble));
        for (int j = 0; j < 4; ++j)
            tgt.push_back(at::mm(base, at::randn({10, 7}, at::kDouble)) + 0.2 * j * at::randn({60, 7}, at::kDouble));
        SimilarityOptions cov, gram;
        cov.form = CkaForm::Covariance;
        gram.form = CkaForm::Gram;
        cov.knnK = gram.knnK = 5;
        LayerSimilarity a = layerSimilarity(src, tgt, cov), b = layerSimilarity(src, tgt, gram);
        QCOMPARE(a.form, CkaForm::Covariance);
        QCOMPARE(b.form, CkaForm::Gram);
        QVERIFY(a.doublePrecision && b.doublePrecision);
        QCOMPARE(a.cka.rows, int64_t(3));
        QCOMPARE(a.cka.cols, int64_t(4));
        for (int64_t i = 0; i < 3; ++i)
            for (int64_t j = 0; j < 4; ++j) {
                const auto si = static_cast<std::size_t>(i), sj = static_cast<std::size_t>(j);
                QVERIFY(std::abs(a.cka.at(i, j) - naiveCka(src[si], tgt[sj])) < 1e-10);
                QVERIFY(std::abs(b.cka.at(i, j) - a.cka.at(i, j)) < 1e-10);
                QVERIFY(std::abs(a.ckaDebiased.at(i, j) - naiveDebiasedCka(src[si], tgt[sj])) < 1e-10);
                QVERIFY(std::abs(b.ckaDebiased.at(i, j) - a.ckaDebiased.at(i, j)) < 1e-10);
                QCOMPARE(a.mutualKnn.at(i, j), mutualKnnAlignment(src[si], tgt[sj], 5));
            }
        // A memory budget of 3 Gram matrices forces blocking: same numbers.
        SimilarityOptions tight = gram;
        tight.memoryBudgetBytes = 3 * 60 * 60 * 8;
        LayerSimilarity t = layerSimilarity(src, tgt, tight);
        QCOMPARE(t.form, CkaForm::Gram);
        for (std::size_t v = 0; v < a.cka.values.size(); ++v) {
            QVERIFY(std::abs(t.cka.values[v] - a.cka.values[v]) < 1e-10);
            QVERIFY(std::abs(t.ckaDebiased.values[v] - a.ckaDebiased.values[v]) < 1e-10);
        }
        // Float32 computation (forced by a zero flop limit) stays close.
        SimilarityOptions f = gram;
        f.doublePrecisionFlopLimit = 0;
        LayerSimilarity c = layerSimilarity(src, tgt, f);
        QVERIFY(!c.doublePrecision);
        for (std::size_t v = 0; v < a.cka.values.size(); ++v) {
            QVERIFY(std::abs(c.cka.values[v] - a.cka.values[v]) < 1e-4);
            QVERIFY(std::abs(c.ckaDebiased.values[v] - a.ckaDebiased.values[v]) < 1e-3);
        }
    }

    void formChoice()
    {
        // Few samples, wide features: Gram; many samples, narrow features: covariance.
        QCOMPARE(chooseCkaForm(500, std::vector<int64_t>(24, 2048), std::vector<int64_t>(32, 2048), int64_t(2) << 30),
                 CkaForm::Gram);
        QCOMPARE(chooseCkaForm(5000, std::vector<int64_t>(5, 64), std::vector<int64_t>(6, 128), int64_t(2) << 30),
                 CkaForm::Covariance);
        // Gram would be cheaper but does not fit: covariance.
        QCOMPARE(chooseCkaForm(500, std::vector<int64_t>(24, 2048), std::vector<int64_t>(32, 2048), int64_t(1) << 20),
                 CkaForm::Covariance);
        const CkaCost c = estimateCkaCost(100, {10, 10}, {20});
        // By hand: covariance 2*100*20*20 + 2*(2*10*10*100 + 20*20*100); Gram 2*100^2*40 + 2*2*100^2.
        QCOMPARE(c.covarianceFlops, 2.0 * 100 * 20 * 20 + 2.0 * (2 * 10 * 10 * 100 + 20 * 20 * 100));
        QCOMPARE(c.gramFlops, 2.0 * 100 * 100 * 40 + 2.0 * 2 * 100 * 100);
        QVERIFY(c.gramFits);
        // A budget of 2 Gram matrices (4 bytes each): source blocks of 1, so the
        // target Gram is computed twice: 2*100^2*(10+10 + 2*20) + pairs.
        const CkaCost blocked = estimateCkaCost(100, {10, 10}, {20}, 2 * 100 * 100 * 4);
        QCOMPARE(blocked.gramFlops, 2.0 * 100 * 100 * (20 + 2 * 20) + 2.0 * 2 * 100 * 100);
    }

    void permutedAndRotatedLayers()
    {
        // Target layer perm[i] is source layer i, rotated and scaled: every
        // metric is 1 there, and the per-layer best match recovers the shuffle.
        const std::vector<int64_t> perm = {3, 0, 4, 1, 2};
        std::vector<at::Tensor> src(5), tgt(5);
        at::Tensor h = at::randn({80, 16}, at::kDouble);
        for (int64_t i = 0; i < 5; ++i) {
            h = h + at::tanh(at::mm(h, at::randn({16, 16}, at::kDouble) * 0.8)); // a residual-like stack
            src[static_cast<std::size_t>(i)] = h.clone();
            tgt[static_cast<std::size_t>(perm[static_cast<std::size_t>(i)])] = at::mm(h, randomOrthogonal(16)) * (0.5 + i);
        }
        SimilarityOptions o;
        o.knnK = 6;
        LayerSimilarity s = layerSimilarity(src, tgt, o);
        for (int64_t i = 0; i < 5; ++i) {
            const int64_t j = perm[static_cast<std::size_t>(i)];
            QVERIFY(std::abs(s.cka.at(i, j) - 1.0) < 1e-10);
            QVERIFY(std::abs(s.ckaDebiased.at(i, j) - 1.0) < 1e-10);
            QCOMPARE(s.mutualKnn.at(i, j), 1.0);
            for (int64_t c = 0; c < 5; ++c)
                if (c != j)
                    QVERIFY(s.cka.at(i, c) < 1.0 - 1e-6);
        }
        LayerMapping best = bestMatchMapping(s.cka);
        for (int64_t i = 0; i < 5; ++i)
            QCOMPARE(best.targetOf(i), perm[static_cast<std::size_t>(i)]);
    }

    void errors()
    {
        at::Tensor a = at::randn({10, 3}), b = at::randn({9, 3});
        sbtest::expectThrowContaining<ShapeError>([&] { layerSimilarity({a}, {b}); }, {"9 samples", "expected 10"});
        sbtest::expectThrowContaining<ShapeError>([&] { layerSimilarity({a.narrow(0, 0, 3)}, {a.narrow(0, 0, 3)}); },
                                                  {"at least 4"});
        SimilarityOptions o;
        o.knnK = 10;
        sbtest::expectThrowContaining<ShapeError>([&] { layerSimilarity({a}, {a}, o); }, {"k = 10"});
        sbtest::expectThrowContaining<ShapeError>([&] { layerSimilarity({a}, {}); }, {"at least one layer"});
        o.knnK = 3;
        o.progress = [](double f) { return f < 0.3; };
        sbtest::expectThrowContaining<Cancelled>([&] { layerSimilarity({a, a, a}, {a, a}, o); }, {"cancelled"});
    }
};

QTEST_GUILESS_MAIN(TestSimilarity)
#include "test_similarity.moc"
