// Learned adapters against independent computations: Procrustes recovers a
// known rotation (built by QR, not SVD) and scale; ridge equals the normal
// equations solved here by Gauss-Jordan elimination; lambda selection picks
// the smallest penalty for noiseless data and the largest for pure noise;
// reduced-rank equals the truncated SVD of the map for whitened inputs; the
// residual adapter's correction vanishes when the base explains the data;
// multi-scale bands are orthogonal and recover a linear truth; the seed's
// 20 % rule and the architecture-aware parts; save/load of every kind;
// SGD training, its cancellation and the loss functions.

#include "common/test_util.h"

#include "engine/adapter_training.h"
#include "engine/adapters.h"
#include "engine/architecture.h"
#include "engine/errors.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <QTemporaryDir>

#include <cmath>
#include <vector>

using namespace sb;

namespace {

at::Tensor randn(std::vector<int64_t> shape, uint64_t seed)
{
    at::Generator g = at::detail::createCPUGenerator(seed);
    return at::randn(shape, g, at::kDouble);
}

/// Random orthogonal matrix by Householder QR of a Gaussian matrix.
at::Tensor randomOrthogonal(int64_t d, uint64_t seed)
{
    auto [q, r] = at::linalg_qr(randn({d, d}, seed));
    return q * at::sign(r.diagonal()).unsqueeze(0);
}

double maxAbs(const at::Tensor& a, const at::Tensor& b)
{
    return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

/// Solves A x = b (A [n, n], several right-hand sides B [n, m]) by Gauss-Jordan
/// elimination with partial pivoting, in plain C++.
std::vector<std::vector<double>> gaussJordan(std::vector<std::vector<double>> a, std::vector<std::vector<double>> b)
{
    const std::size_t n = a.size(), m = b[0].size();
    for (std::size_t c = 0; c < n; ++c) {
        std::size_t p = c;
        for (std::size_t r = c + 1; r < n; ++r)
            if (std::abs(a[r][c]) > std::abs(a[p][c]))
                p = r;
        std::swap(a[c], a[p]);
        std::swap(b[c], b[p]);
        for (std::size_t r = 0; r < n; ++r) {
            if (r == c)
                continue;
            const double f = a[r][c] / a[c][c];
            for (std::size_t k = 0; k < n; ++k)
                a[r][k] -= f * a[c][k];
            for (std::size_t k = 0; k < m; ++k)
                b[r][k] -= f * b[c][k];
        }
    }
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t k = 0; k < m; ++k)
            b[r][k] /= a[r][r];
    return b;
}

ArchitectureSpec spec(int64_t hidden, NormKind norm, int64_t heads, int64_t kvHeads, PositionKind pos)
{
    ArchitectureSpec s;
    s.hiddenSize = hidden;
    s.numLayers = 4;
    s.numHeads = heads;
    s.numKvHeads = kvHeads;
    s.headDim = hidden / heads;
    s.norm = norm;
    s.position = pos;
    return s;
}

/// Anisotropic source activations with an offset: [n, d].
at::Tensor sourceRows(int64_t n, int64_t d, uint64_t seed)
{
    at::Tensor scales = at::linspace(3.0, 0.3, d, at::kDouble);
    return randn({n, d}, seed) * scales + 0.5;
}

} // namespace

class TestAdapters : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void procrustesRecoversRotationAndScale_data()
    {
        QTest::addColumn<int>("ds");
        QTest::addColumn<int>("dt");
        QTest::addColumn<bool>("scaled");
        QTest::newRow("equal widths") << 8 << 8 << false;
        QTest::newRow("padded 6 -> 9") << 6 << 9 << false;
        QTest::newRow("scaled, padded 6 -> 9") << 6 << 9 << true;
        QTest::newRow("scaled, equal") << 7 << 7 << true;
    }
    void procrustesRecoversRotationAndScale()
    {
        QFETCH(int, ds);
        QFETCH(int, dt);
        QFETCH(bool, scaled);
        const double s = scaled ? 2.5 : 1.0;
        at::Tensor Q = randomOrthogonal(dt, 11);
        at::Tensor X = sourceRows(200, ds, 3);
        at::Tensor offset = randn({dt}, 5);
        // Y = s Q pad(x) + offset, pad appending dt - ds zeros.
        at::Tensor Y = s * at::matmul(at::constant_pad_nd(X, {0, dt - ds}, 0.0), Q.t()) + offset;
        auto a = ProcrustesAdapter::fit(X.to(at::kFloat), Y.to(at::kFloat), scaled);
        QVERIFY(maxAbs(a->weight(), s * Q.narrow(1, 0, ds)) < 1e-4);
        if (scaled)
            QVERIFY(std::abs(a->scale() - s) < 1e-4);
        QVERIFY(relativeMappingError(*a, X, Y) < 1e-8);
        QCOMPARE(a->name(), std::string(scaled ? "scaled_procrustes" : "procrustes"));
        // Orthogonal: the map keeps lengths of vectors (up to the scale).
        at::Tensor v = randn({ds}, 9).to(at::kFloat);
        QVERIFY(std::abs(a->adaptVector(v).norm().item<double>() - s * v.norm().item<double>()) < 1e-4 * s);
    }

    void ridgeMatchesNormalEquations()
    {
        const int64_t n = 40, ds = 5, dt = 3;
        at::Tensor X = sourceRows(n, ds, 21), Y = randn({n, dt}, 22) + at::matmul(X, randn({dt, ds}, 23).t());
        const double lambda = 3.7;
        auto a = LinearAdapter::fitRidgeFixed(X.to(at::kFloat), Y.to(at::kFloat), lambda, true);
        // Normal equations of the centred problem, by hand: (Xc^T Xc + lambda I) W^T = Xc^T Yc.
        auto x = X.accessor<double, 2>();
        auto y = Y.accessor<double, 2>();
        std::vector<double> mx(ds, 0.0), my(dt, 0.0);
        for (int64_t i = 0; i < n; ++i) {
            for (int64_t j = 0; j < ds; ++j)
                mx[j] += x[i][j] / n;
            for (int64_t k = 0; k < dt; ++k)
                my[k] += y[i][k] / n;
        }
        std::vector<std::vector<double>> A(ds, std::vector<double>(ds, 0.0)), B(ds, std::vector<double>(dt, 0.0));
        for (int64_t i = 0; i < n; ++i)
            for (int64_t j = 0; j < ds; ++j) {
                for (int64_t l = 0; l < ds; ++l)
                    A[j][l] += (x[i][j] - mx[j]) * (x[i][l] - mx[l]);
                for (int64_t k = 0; k < dt; ++k)
                    B[j][k] += (x[i][j] - mx[j]) * (y[i][k] - my[k]);
            }
        for (int64_t j = 0; j < ds; ++j)
            A[j][j] += lambda;
        auto Wt = gaussJordan(A, B);
        auto w = a->weight().to(at::kDouble);
        auto b = a->bias().to(at::kDouble);
        for (int64_t k = 0; k < dt; ++k) {
            double bias = my[k];
            for (int64_t j = 0; j < ds; ++j) {
                QVERIFY2(std::abs(w[k][j].item<double>() - Wt[j][k]) < 1e-4 * (1.0 + std::abs(Wt[j][k])),
                         qPrintable(QStringLiteral("W[%1][%2]").arg(k).arg(j)));
                bias -= Wt[j][k] * mx[j];
            }
            QVERIFY(std::abs(b[k].item<double>() - bias) < 1e-4 * (1.0 + std::abs(bias)));
        }
        QCOMPARE(a->parameterCount(), dt * ds + dt);
    }

    void ridgeChoosesLambdaOnHeldOutRows()
    {
        // Noiseless linear data: the smallest penalty predicts the held-out rows best.
        at::Tensor X = sourceRows(300, 10, 31);
        at::Tensor W = randn({7, 10}, 32);
        at::Tensor Y = at::matmul(X, W.t()) + 1.0;
        FitReport r;
        auto a = LinearAdapter::fitRidge(X.to(at::kFloat), Y.to(at::kFloat), {}, &r);
        QCOMPARE(r.relativeLambda, RidgeOptions().relativeLambdas.front());
        QCOMPARE(r.validationRows, int64_t(60));
        QCOMPARE(r.validationCurve.size(), RidgeOptions().relativeLambdas.size());
        QVERIFY(maxAbs(a->weight(), W) < 1e-3);
        // Targets independent of the inputs: the largest penalty (closest to predicting the mean) wins.
        // (50 outputs, so that overfitting costs clearly more than chance
        // agreement with the held-out noise can win back.)
        at::Tensor noise = randn({300, 50}, 33);
        auto b = LinearAdapter::fitRidge(X.to(at::kFloat), noise.to(at::kFloat), {}, &r);
        QVERIFY2(r.relativeLambda >= 1.0, qPrintable(QString::number(r.relativeLambda)));
        QVERIFY(r.validationError > 0.9);
        QVERIFY(relativeMappingError(*b, X, noise) > 0.8);
    }

    void lowRankIsTruncatedSvdForWhitenedInputs()
    {
        const int64_t n = 400, ds = 8, dt = 6;
        // Whitened inputs: orthonormal columns (scaled), centred by construction.
        at::Tensor Z = randn({n, ds}, 41);
        Z = Z - Z.mean(0);
        auto [q, r] = at::linalg_qr(Z);
        (void)r;
        at::Tensor X = q * std::sqrt(static_cast<double>(n));
        at::Tensor W = randn({dt, ds}, 42);
        at::Tensor Y = at::matmul(X, W.t());
        RidgeOptions o;
        o.relativeLambdas = {1e-9};
        auto a = LowRankAdapter::fit(X.to(at::kFloat), Y.to(at::kFloat), 2, o);
        auto [U, S, Vh] = at::linalg_svd(W, false);
        at::Tensor best2 = at::matmul(U.narrow(1, 0, 2) * S.narrow(0, 0, 2), Vh.narrow(0, 0, 2));
        QVERIFY(maxAbs(a->matrix(), best2) < 1e-3);
        QCOMPARE(a->rank(), int64_t(2));
        QCOMPARE(a->parameterCount(), 2 * (ds + dt) + dt);
        // Full rank recovers W itself.
        auto full = LowRankAdapter::fit(X.to(at::kFloat), Y.to(at::kFloat), 6, o);
        QVERIFY(maxAbs(full->matrix(), W) < 1e-3);
        sbtest::expectThrowContaining<InputError>([&] { LowRankAdapter::fit(X, Y, 7); }, {"rank", "[1, 6]"});
    }

    void residualCorrectionVanishesWhenBaseExplains()
    {
        at::Tensor X = sourceRows(200, 8, 51);
        // Literal identity (pad 8 -> 9): identity base, correction ~ 0.
        at::Tensor Y = at::constant_pad_nd(X, {0, 1}, 0.0);
        auto a = ResidualAdapter::fit(X.to(at::kFloat), Y.to(at::kFloat), 2, "identity");
        QVERIFY(maxAbs(a->matrix(), at::eye(9, 8, at::kDouble)) < 1e-3);
        // A rotation: the orthogonal base finds it; the correction stays ~ 0.
        at::Tensor Q = randomOrthogonal(9, 52);
        at::Tensor Yr = at::matmul(at::constant_pad_nd(X, {0, 1}, 0.0), Q.t());
        auto b = ResidualAdapter::fit(X.to(at::kFloat), Yr.to(at::kFloat), 2, "orthogonal");
        QVERIFY(maxAbs(b->matrix(), Q.narrow(1, 0, 8)) < 1e-3);
        QVERIFY(relativeMappingError(*b, X, Yr) < 1e-6);
        // Base plus a rank-2 change the correction can represent exactly, with full rank: OLS.
        at::Tensor extra = at::matmul(randn({9, 2}, 53), randn({2, 8}, 54));
        at::Tensor Ye = at::matmul(X, (Q.narrow(1, 0, 8) + extra).t());
        RidgeOptions o;
        o.relativeLambdas = {1e-9};
        auto c = ResidualAdapter::fit(X.to(at::kFloat), Ye.to(at::kFloat), 8, "orthogonal", o);
        QVERIFY(maxAbs(c->matrix(), Q.narrow(1, 0, 8) + extra) < 1e-3);
    }

    void twentyPercentRule()
    {
        QVERIFY(preferResidualAdapter(100, 90));  // 10 %
        QVERIFY(preferResidualAdapter(64, 64));
        QVERIFY(!preferResidualAdapter(100, 80)); // exactly 20 % is not smaller
        QVERIFY(!preferResidualAdapter(100, 79));
        QVERIFY(!preferResidualAdapter(64, 128));
        QVERIFY(preferResidualAdapter(3072, 4096 - 800)); // 19.5 %
    }

    void architectureAwareParts()
    {
        auto llama64 = spec(64, NormKind::RMSNorm, 8, 4, PositionKind::Rotary);
        auto gpt128 = spec(128, NormKind::LayerNorm, 4, 4, PositionKind::Learned);
        auto llama60 = spec(60, NormKind::RMSNorm, 6, 6, PositionKind::Rotary);
        auto parts = ArchitectureAwareAdapter::planParts(llama64, gpt128);
        QCOMPARE(parts.size(), std::size_t(4));
        QCOMPARE(parts[0].name, std::string("dimension_transform"));
        QVERIFY(parts[0].reason.find("linear") != std::string::npos);
        QCOMPARE(parts[1].name, std::string("norm_adaptation"));
        QVERIFY(parts[1].built);
        QCOMPARE(parts[2].name, std::string("attention_adaptation"));
        QVERIFY(parts[2].reason.find("GQA -> MHA") != std::string::npos);
        QVERIFY(!ArchitectureAwareAdapter::planParts(llama64, llama60)[1].built);

        // Fitted: 64 -> 60 (6 % apart) gets a residual transform, 64 -> 128 a linear one.
        at::Tensor X = sourceRows(300, 64, 61);
        at::Tensor Y60 = at::matmul(X, randn({60, 64}, 62).t()) + 0.01 * randn({300, 60}, 63);
        auto small = ArchitectureAwareAdapter::fit(llama64, llama60, X.to(at::kFloat), Y60.to(at::kFloat));
        QCOMPARE(small->transform().name(), std::string("residual"));
        QVERIFY(!small->norm().centreTarget);
        at::Tensor Y128 = at::matmul(X, randn({128, 64}, 64).t()) + 0.01 * randn({300, 128}, 65);
        auto big = ArchitectureAwareAdapter::fit(llama64, gpt128, X.to(at::kFloat), Y128.to(at::kFloat));
        QCOMPARE(big->transform().name(), std::string("linear"));
        QVERIFY(big->norm().centreTarget);
        QVERIFY(!big->norm().centreSource);
        // The target is a LayerNorm model: adapted vectors have zero mean over features.
        at::Tensor v = big->adaptVector(randn({64}, 66).to(at::kFloat));
        QVERIFY(std::abs(v.mean().item<double>()) < 1e-5 * v.abs().max().item<double>());
        const std::string d = big->description();
        QVERIFY(d.find("Built: dimension_transform") != std::string::npos);
        QVERIFY(d.find("norm_adaptation (RMSNorm -> LayerNorm") != std::string::npos);
        QVERIFY(d.find("Not built: attention_adaptation") != std::string::npos);
        // What it predicts: the centred target, well.
        // (Compared after removing each row's feature mean, which the target cannot read.)
        at::Tensor Yc = Y128 - Y128.mean(1, true);
        at::Tensor pred = big->adaptActivations(X.to(at::kFloat)).to(at::kDouble);
        pred = pred - pred.mean(1, true);
        QVERIFY(((pred - Yc).pow(2).sum() / (Yc - Yc.mean(0)).pow(2).sum()).item<double>() < 0.01);
        sbtest::expectThrowContaining<ShapeError>(
            [&] { ArchitectureAwareAdapter::fit(llama64, gpt128, X.to(at::kFloat), Y60.to(at::kFloat)); },
            {"hidden sizes", "64 -> 128"});
    }

    void multiScaleBands()
    {
        at::Tensor X = sourceRows(400, 12, 71);
        at::Tensor W = randn({5, 12}, 72);
        at::Tensor Y = at::matmul(X, W.t()) - 2.0;
        RidgeOptions o;
        o.relativeLambdas = {1e-9};
        auto a = MultiScaleAdapter::fit(X.to(at::kFloat), Y.to(at::kFloat), 3, o);
        QCOMPARE(a->scales(), int64_t(3));
        QVERIFY(maxAbs(a->matrix(), W) < 1e-3);
        QVERIFY(relativeMappingError(*a, X, Y) < 1e-6);
        // Bases: orthonormal columns, bands mutually orthogonal, variance falling band by band.
        auto ts = a->tensors();
        std::vector<at::Tensor> bases;
        for (auto& [name, t] : ts)
            if (name.find(".basis") != std::string::npos)
                bases.push_back(t.to(at::kDouble));
        QCOMPARE(bases.size(), std::size_t(3));
        at::Tensor all = at::cat(bases, 1);
        QVERIFY(maxAbs(at::matmul(all.t(), all), at::eye(12, at::kDouble)) < 1e-5);
        const auto& var = a->bandVariance();
        QVERIFY(var[0] > var[1] && var[1] > var[2]);
        QVERIFY(std::abs(var[0] + var[1] + var[2] - 1.0) < 1e-9);
        QCOMPARE(a->parameterCount(), int64_t(12 * 12 + 5 * 12 + 5 * 15 + 5));
    }

    void vectorsAreDifferencesOfActivations()
    {
        at::Tensor X = sourceRows(120, 10, 81), Y = randn({120, 14}, 82) + at::matmul(X, randn({14, 10}, 83).t());
        auto spec10 = spec(10, NormKind::LayerNorm, 2, 2, PositionKind::Learned);
        auto spec14 = spec(14, NormKind::RMSNorm, 2, 1, PositionKind::Rotary);
        std::vector<std::unique_ptr<DimensionAdapter>> all;
        at::Tensor Xf = X.to(at::kFloat), Yf = Y.to(at::kFloat);
        all.push_back(LinearAdapter::fitRidge(Xf, Yf));
        all.push_back(ProcrustesAdapter::fit(Xf, Yf, true));
        all.push_back(LowRankAdapter::fit(Xf, Yf, 3));
        all.push_back(ResidualAdapter::fit(Xf, Yf, 3));
        all.push_back(MultiScaleAdapter::fit(Xf, Yf, 2));
        all.push_back(ArchitectureAwareAdapter::fit(spec10, spec14, Xf, Yf));
        at::Tensor a = randn({10}, 84).to(at::kFloat), b = randn({10}, 85).to(at::kFloat);
        QTemporaryDir dir;
        for (const auto& ad : all) {
            const QByteArray name = QByteArray::fromStdString(ad->name());
            at::Tensor both = ad->adaptActivations(at::stack({a, b}));
            QVERIFY2(maxAbs(ad->adaptVector(a - b), both[0] - both[1]) < 1e-4, name.constData());
            // Save and load: same kind, numbers, description and outputs.
            const std::string path =
                QString(dir.path() + QStringLiteral("/") + QString::fromLatin1(name) + QStringLiteral(".safetensors"))
                    .toStdString();
            ad->save(path);
            auto back = loadDimensionAdapter(path);
            QCOMPARE(back->name(), ad->name());
            QCOMPARE(back->parameterCount(), ad->parameterCount());
            QCOMPARE(back->description(), ad->description());
            QVERIFY2(maxAbs(back->adaptActivations(Xf), ad->adaptActivations(Xf)) == 0.0, name.constData());
            QVERIFY(!ad->description().empty());
        }
    }

    void sgdTrainingLearnsALinearMap()
    {
        at::Tensor X = sourceRows(512, 8, 91);
        at::Tensor W = randn({6, 8}, 92) * 0.5;
        at::Tensor Y = at::matmul(X, W.t()) + 0.3;
        auto a = LinearAdapter::randomInit(8, 6, 7);
        const double before = relativeMappingError(*a, X, Y);
        TrainingData data;
        data.sourceActivations = X.to(at::kFloat);
        data.targetActivations = Y.to(at::kFloat);
        TrainingOptions o;
        o.maxSteps = 300;
        o.batchSize = 64;
        o.learningRate = 0.05;
        o.patience = 100;
        int steps = 0, validations = 0;
        auto r = trainAdapter(*a, data, o, [&](const TrainingStep& s) {
            (s.validation ? validations : steps)++;
            return true;
        });
        const double after = relativeMappingError(*a, X, Y);
        QVERIFY2(before > 0.5, qPrintable(QString::number(before)));
        QVERIFY2(after < 0.02, qPrintable(QString::number(after)));
        QCOMPARE(steps, r.steps);
        QVERIFY(validations >= 2);
        QVERIFY(!r.cancelled);
        // Parameters are plain tensors again afterwards.
        QVERIFY(!a->weight().requires_grad());
    }

    void trainingCancelKeepsBestParameters()
    {
        at::Tensor X = sourceRows(256, 6, 101);
        at::Tensor Y = at::matmul(X, randn({4, 6}, 102).t());
        auto a = LinearAdapter::randomInit(6, 4, 3);
        TrainingData data;
        data.sourceActivations = X.to(at::kFloat);
        data.targetActivations = Y.to(at::kFloat);
        TrainingOptions o;
        o.maxSteps = 1000;
        o.validateEvery = 2;
        o.learningRate = 0.05;
        auto r = trainAdapter(*a, data, o, [&](const TrainingStep& s) { return s.step < 6; });
        QVERIFY(r.cancelled);
        QCOMPARE(r.steps, 6);
        // The adapter holds the parameters of the best validation so far; its
        // validation loss at that step is what the history says.
        double reported = -1.0;
        for (const auto& s : r.history)
            if (s.validation && s.step == r.bestStep)
                reported = s.mapping;
        QVERIFY(reported >= 0.0);
        QCOMPARE(r.bestValidation, reported);
    }

    void lossFunctions()
    {
        // Mapping MSE relative to the target's spread, by hand.
        at::Tensor y = at::tensor({1.0, 2.0, 3.0, 6.0}, at::kDouble).reshape({2, 2});
        at::Tensor p = at::tensor({1.0, 1.0, 3.0, 7.0}, at::kDouble).reshape({2, 2});
        // mean y = (2, 4); spread per row = ((1 + 4) + (1 + 4)) / 2 = 5; error per row = (1 + 1) / 2 = 1.
        QVERIFY(std::abs(mappingLoss(p, y, MappingLoss::Mse) - 0.2) < 1e-12);
        QVERIFY(std::abs(mappingLoss(y, y, MappingLoss::Cosine)) < 1e-12);
        // Consistency: zero for a scaled rotation, positive for a map that changes angles.
        at::Tensor V = randn({5, 6}, 111);
        at::Tensor Q = randomOrthogonal(6, 112);
        QVERIFY(consistencyLoss(V, 3.0 * at::matmul(V, Q.t())) < 1e-12);
        QVERIFY(consistencyLoss(V, V.narrow(1, 0, 2)) > 1e-3);
    }

    void badInputs()
    {
        at::Tensor X = at::ones({10, 3}), Y = at::ones({9, 2});
        sbtest::expectThrowContaining<ShapeError>([&] { LinearAdapter::fitRidge(X, Y); }, {"10 rows", "9"});
        sbtest::expectThrowContaining<InputError>([&] { LinearAdapter::fitRidge(X, at::ones({10, 2})); }, {"do not vary"});
        at::Tensor bad = at::ones({10, 3});
        bad[2][1] = NAN;
        sbtest::expectThrowContaining<NumericError>([&] { ProcrustesAdapter::fit(bad, at::ones({10, 2}), false); },
                                            {"NaN"});
        auto a = LinearAdapter::randomInit(3, 2, 1);
        sbtest::expectThrowContaining<ShapeError>([&] { a->adaptVector(at::ones({4})); }, {"3 elements"});
        auto p = ProcrustesAdapter::fit(randn({10, 3}, 1).to(at::kFloat), randn({10, 2}, 2).to(at::kFloat), false);
        TrainingData d;
        d.sourceActivations = at::ones({10, 3});
        d.targetActivations = at::ones({10, 2});
        sbtest::expectThrowContaining<InputError>([&] { trainAdapter(*p, d, {}); }, {"no trainable parameters"});
    }
};

QTEST_GUILESS_MAIN(TestAdapters)
#include "test_adapters.moc"
