// The DimensionAdapter interface and the naive baselines: values against
// hand computations, the vector/activation consistency, the PCA projection
// recovering a known shared subspace, save/load of every kind, and the
// registry that learned adapters plug into.

#include "common/test_util.h"

#include "engine/dimension_adapter.h"
#include "engine/errors.h"
#include "engine/safetensors.h"

#include <ATen/ATen.h>

#include <QTemporaryDir>

#include <cmath>

using namespace sb;

namespace {
/// A test-only learned kind: y = 2x (same width), to exercise the registry.
class DoubleAdapter : public DimensionAdapter {
public:
    explicit DoubleAdapter(int64_t d) : m_d(d) {}
    std::string name() const override { return "test_double"; }
    std::string description() const override { return "doubles"; }
    int64_t sourceDim() const override { return m_d; }
    int64_t targetDim() const override { return m_d; }
    int64_t parameterCount() const override { return 1; }
    at::Tensor adaptVector(const at::Tensor& v) const override { return m_scale * v; }
    at::Tensor adaptActivations(const at::Tensor& a) const override { return m_scale * a; }
    nlohmann::json config() const override { return {{"d", m_d}}; }
    std::vector<std::pair<std::string, at::Tensor>> tensors() const override
    {
        return {{"scale", at::full({1}, m_scale)}};
    }
    float m_scale = 2.0f;

private:
    int64_t m_d;
};

std::vector<float> values(const at::Tensor& t)
{
    at::Tensor c = t.to(at::kFloat).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}
} // namespace

class TestDimensionAdapter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void truncateAndPad()
    {
        TruncateAdapter t(5, 3);
        QCOMPARE(values(t.adaptVector(at::tensor({1.f, 2.f, 3.f, 4.f, 5.f}))), (std::vector<float>{1, 2, 3}));
        QCOMPARE(t.adaptActivations(at::ones({2, 4, 5})).sizes().vec(), (std::vector<int64_t>{2, 4, 3}));
        QCOMPARE(t.parameterCount(), int64_t(0));
        ZeroPadAdapter p(2, 4);
        QCOMPARE(values(p.adaptVector(at::tensor({1.f, -2.f}))), (std::vector<float>{1, -2, 0, 0}));
        sbtest::expectThrowContaining<InputError>([] { TruncateAdapter(3, 5); }, {"zero_pad"});
        sbtest::expectThrowContaining<InputError>([] { ZeroPadAdapter(5, 3); }, {"truncate"});
        sbtest::expectThrowContaining<ShapeError>([&] { t.adaptVector(at::ones({4})); }, {"5 elements"});
        QCOMPARE(QString::fromStdString(makeBaselineAdapter("auto", 64, 128)->name()), QStringLiteral("zero_pad"));
        QCOMPARE(QString::fromStdString(makeBaselineAdapter("auto", 128, 64)->name()), QStringLiteral("truncate"));
        sbtest::expectThrowContaining<InputError>([] { makeBaselineAdapter("magic", 2, 2); }, {"magic"});
    }

    void interpolation()
    {
        // Source 0,10,20,30 onto 7 points: positions 0, .5, 1, ..., 3.
        LinearInterpolationAdapter up(4, 7);
        const auto got = values(up.adaptVector(at::tensor({0.f, 10.f, 20.f, 30.f})));
        for (int j = 0; j < 7; ++j)
            QVERIFY(std::abs(got[static_cast<std::size_t>(j)] - 5.f * static_cast<float>(j)) < 1e-5f);
        // Onto 3 points from 5: positions 0, 2, 4 (exact samples).
        LinearInterpolationAdapter down(5, 3);
        QCOMPARE(values(down.adaptVector(at::tensor({1.f, 7.f, 3.f, 9.f, 5.f}))), (std::vector<float>{1, 3, 5}));
        // Rows of the matrix are convex weights.
        QVERIFY(at::allclose(up.matrix().sum(1), at::ones({7})));
        LinearInterpolationAdapter same(6, 6);
        at::Tensor x = at::randn({6});
        QVERIFY(at::allclose(same.adaptVector(x), x));
    }

    void vectorsAreDifferencesOfActivations()
    {
        at::Tensor a = at::randn({3, 8}), b = at::randn({3, 8});
        std::vector<std::unique_ptr<DimensionAdapter>> adapters;
        adapters.push_back(std::make_unique<TruncateAdapter>(8, 5));
        adapters.push_back(std::make_unique<ZeroPadAdapter>(8, 11));
        adapters.push_back(std::make_unique<LinearInterpolationAdapter>(8, 13));
        adapters.push_back(PcaProjectionAdapter::fit(at::randn({20, 8}), at::randn({20, 6}), 4));
        for (const auto& ad : adapters) {
            at::Tensor lhs = ad->adaptVector((a[1] - b[1]).contiguous());
            at::Tensor rhs = ad->adaptActivations(a)[1] - ad->adaptActivations(b)[1];
            QVERIFY2(at::allclose(lhs, rhs, 1e-4, 1e-5), ad->name().c_str());
        }
    }

    void pcaProjectionRecoversASharedSubspace()
    {
        // Both models see the same 3 latent factors with distinct variances,
        // embedded by different orthonormal maps and with different means.
        at::manual_seed(7);
        const int64_t n = 200, k = 3, ds = 10, dt = 6;
        at::Tensor z = at::randn({n, k}, at::kDouble) * at::tensor({5.0, 3.0, 1.5}, at::kDouble);
        at::Tensor bs = std::get<0>(at::linalg_qr(at::randn({ds, k}, at::kDouble))).t(); // [k, ds]
        at::Tensor bt = std::get<0>(at::linalg_qr(at::randn({dt, k}, at::kDouble))).t(); // [k, dt]
        at::Tensor xs = at::matmul(z, bs) + 4.0, xt = at::matmul(z, bt) - 2.0;
        auto ad = PcaProjectionAdapter::fit(xs.to(at::kFloat), xt.to(at::kFloat), k, "synthetic");
        QCOMPARE(ad->components(), k);
        QCOMPARE(ad->parameterCount(), ds * k + dt * k + ds + dt);
        // A vector built from factor coefficients c maps to the target's embedding of c.
        at::Tensor c = at::tensor({0.7, -1.2, 0.4}, at::kDouble);
        at::Tensor got = ad->adaptVector(at::matmul(c, bs).to(at::kFloat)).to(at::kDouble);
        at::Tensor expected = at::matmul(c, bt);
        QVERIFY2(at::allclose(got, expected, 1e-3, 1e-3), "vector not mapped to the target's embedding");
        // Activations map including the means.
        at::Tensor act = ad->adaptActivations(xs.narrow(0, 0, 5).to(at::kFloat)).to(at::kDouble);
        QVERIFY(at::allclose(act, xt.narrow(0, 0, 5), 1e-3, 1e-3));
        QVERIFY(ad->description().find("synthetic") != std::string::npos);
        sbtest::expectThrowContaining<InputError>([&] { PcaProjectionAdapter::fit(xs, xt, 7); }, {"at most 6"});
        sbtest::expectThrowContaining<ShapeError>([&] { PcaProjectionAdapter::fit(xs, xt.narrow(0, 0, 5)); },
                                                  {"same n"});
    }

    void saveAndLoadEveryKind()
    {
        QTemporaryDir dir;
        std::vector<std::unique_ptr<DimensionAdapter>> adapters;
        adapters.push_back(std::make_unique<TruncateAdapter>(8, 5));
        adapters.push_back(std::make_unique<ZeroPadAdapter>(4, 9));
        adapters.push_back(std::make_unique<LinearInterpolationAdapter>(7, 3));
        adapters.push_back(PcaProjectionAdapter::fit(at::randn({30, 8}), at::randn({30, 6}), 5, "probe"));
        int i = 0;
        for (const auto& ad : adapters) {
            const std::string path = dir.filePath(QStringLiteral("a%1.safetensors").arg(i++)).toStdString();
            ad->save(path);
            auto back = loadDimensionAdapter(path);
            QCOMPARE(QString::fromStdString(back->name()), QString::fromStdString(ad->name()));
            QCOMPARE(back->sourceDim(), ad->sourceDim());
            QCOMPARE(back->targetDim(), ad->targetDim());
            QCOMPARE(back->parameterCount(), ad->parameterCount());
            at::Tensor x = at::randn({ad->sourceDim()});
            QVERIFY(at::allclose(back->adaptVector(x), ad->adaptVector(x)));
        }
        // A learned kind registered from outside loads through the same call.
        registerDimensionAdapterKind("test_double", [](const nlohmann::json& c, const std::map<std::string, at::Tensor>& t,
                                                       const std::string&) {
            auto a = std::make_unique<DoubleAdapter>(c.at("d").get<int64_t>());
            a->m_scale = t.at("scale").item<float>();
            return std::unique_ptr<DimensionAdapter>(std::move(a));
        });
        DoubleAdapter d(3);
        d.m_scale = 3.0f;
        const std::string dp = dir.filePath(QStringLiteral("d.safetensors")).toStdString();
        d.save(dp);
        auto dl = loadDimensionAdapter(dp);
        QCOMPARE(values(dl->adaptVector(at::ones({3}))), (std::vector<float>{3, 3, 3}));
        const auto kinds = dimensionAdapterKinds();
        QVERIFY(std::find(kinds.begin(), kinds.end(), "test_double") != kinds.end());

        // Unknown kinds and foreign files are refused with what is known.
        const std::string unknown = dir.filePath(QStringLiteral("u.safetensors")).toStdString();
        writeSafetensors(unknown, {{"w", at::ones({2})}}, {{"steerbridge.adapter", R"({"kind": "mystery"})"}});
        sbtest::expectThrowContaining<FormatError>([&] { loadDimensionAdapter(unknown); },
                                                   {"mystery", "truncate", "pca_projection"});
        const std::string foreign = dir.filePath(QStringLiteral("f.safetensors")).toStdString();
        writeSafetensors(foreign, {{"w", at::ones({2})}});
        sbtest::expectThrowContaining<FormatError>([&] { loadDimensionAdapter(foreign); }, {"not a SteerBridge adapter"});
    }
};

QTEST_GUILESS_MAIN(TestDimensionAdapter)
#include "test_dimension_adapter.moc"
