// Injection strategies: the seed's rule on the compatibility scores, the
// corrections it must make (direct across widths), the Scaled norm ratio,
// adapters, overrides and the reasons given. Architectures come from the demo
// models' config.json files (read only, no weights).

#include "common/test_util.h"

#include "engine/architecture.h"
#include "engine/dimension_adapter.h"
#include "engine/errors.h"
#include "engine/injection.h"

#include <ATen/ATen.h>

using namespace sb;

namespace {
ArchitectureSpec spec(const char* model)
{
    return loadArchitecture(sbtest::demoModel(model) + "/config.json");
}

PreferenceVector vectorFor(const ArchitectureSpec& s, int64_t layer, double meanNorm)
{
    PreferenceVector v;
    v.vector = at::randn({s.hiddenSize});
    v.point = {HookSite::ResidPost, layer};
    v.hiddenSize = s.hiddenSize;
    v.modelLayers = s.numLayers;
    v.norm = v.vector.norm().item<double>();
    v.meanActivationNorm = meanNorm;
    return v;
}

bool mentions(const InjectionStrategy& s, const char* needle)
{
    for (const auto& r : s.reasons())
        if (r.find(needle) != std::string::npos)
            return true;
    return false;
}
} // namespace

class TestInjection : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sameModelIsDirect()
    {
        const auto a = spec("stories260k");
        auto v = vectorFor(a, 2, 5.0);
        auto s = createInjectionStrategy(a, a, v);
        QCOMPARE(s->kind(), InjectionKind::Direct);
        QVERIFY(at::equal(s->targetVector(), v.vector));
        QCOMPARE(s->targetPoint(), v.point);
        QVERIFY(mentions(*s, "> 0.8"));
        auto st = s->steering(2.0);
        QCOMPARE(st.alpha, 2.0);
        QCOMPARE(st.terms.size(), std::size_t(1));
    }

    void differentWidthsAreAdaptedWithANamedBaseline()
    {
        const auto a = spec("stories260k"), b = spec("stories-gpt2"); // 64 x 5 llama vs 128 x 6 gpt2
        const auto q = quickCompatibility(a, b);
        QCOMPARE(q.dimension, 0.5);
        QVERIFY(q.overall < 0.8);
        auto v = vectorFor(a, 2, 5.0);
        auto s = createInjectionStrategy(a, b, v);
        QCOMPARE(s->kind(), InjectionKind::Adapted);
        QCOMPARE(QString::fromStdString(s->adapterName()), QStringLiteral("zero_pad"));
        QVERIFY(mentions(*s, "naive baseline"));
        QCOMPARE(s->targetVector().numel(), int64_t(128));
        QVERIFY(at::equal(s->targetVector().narrow(0, 0, 64), v.vector));
        // layer 2 of 5 -> 2.5 of 6 rounds to 3 (equal relative depth)
        QCOMPARE(s->targetPoint(), (HookPoint{HookSite::ResidPost, 3}));
        QCOMPARE(relativeDepthLayer(4, 5, 6), int64_t(5));
        QCOMPARE(relativeDepthLayer(0, 5, 6), int64_t(0));
    }

    void scaledKeepsTheRelativeNorm()
    {
        const auto a = spec("stories260k"), b = spec("stories-llama96"); // 64 vs 96
        auto v = vectorFor(a, 1, 4.0);
        InjectionOptions opt;
        opt.targetActivationNorm = 10.0;
        opt.compatibility = CompatibilityScores{0.6, 0.75, {"given for the test"}};
        auto s = createInjectionStrategy(a, b, v, opt);
        QCOMPARE(s->kind(), InjectionKind::Scaled);
        QCOMPARE(s->targetVector().numel(), int64_t(96));
        // |v_t| / 10 == |v_s| / 4
        const double nt = s->targetVector().norm().item<double>();
        QVERIFY(std::abs(nt / 10.0 - v.norm / 4.0) < 1e-4);
        QVERIFY(mentions(*s, "given for the test"));
        QVERIFY(mentions(*s, "dimension 0.75 > 0.7"));
        // Same width: scaled is a pure rescale of the vector.
        opt.overrideKind = InjectionKind::Scaled;
        auto same = createInjectionStrategy(a, a, v, opt);
        QVERIFY(at::allclose(same->targetVector(), v.vector * 2.5));
        QCOMPARE(same->scale(), 2.5);
        // Unknown norms: not rescaled, and said so.
        opt.targetActivationNorm = 0;
        auto unscaled = createInjectionStrategy(a, a, v, opt);
        QVERIFY(at::equal(unscaled->targetVector(), v.vector));
        QVERIFY(mentions(*unscaled, "not rescaled"));
    }

    void highOverallAcrossWidthsFallsBackToScaled()
    {
        const auto a = spec("stories260k"), b = spec("stories-llama96");
        InjectionOptions opt;
        opt.compatibility = CompatibilityScores{0.9, 0.67, {}};
        auto s = createInjectionStrategy(a, b, vectorFor(a, 0, 1.0), opt);
        QCOMPARE(s->kind(), InjectionKind::Scaled);
        QVERIFY(mentions(*s, "direct cannot work"));
        opt.overrideKind = InjectionKind::Direct;
        sbtest::expectThrowContaining<InputError>([&] { createInjectionStrategy(a, b, vectorFor(a, 0, 1.0), opt); },
                                                  {"equal widths", "64", "96"});
    }

    void adaptersAndOverrides()
    {
        const auto a = spec("stories260k"), b = spec("stories-gpt2");
        InjectionOptions opt;
        opt.adapter = std::make_shared<LinearInterpolationAdapter>(64, 128);
        opt.targetPoint = HookPoint{HookSite::MlpOut, 1};
        auto v = vectorFor(a, 2, 3.0);
        auto s = createInjectionStrategy(a, b, v, opt);
        QCOMPARE(s->kind(), InjectionKind::Adapted);
        QCOMPARE(s->targetPoint(), (HookPoint{HookSite::MlpOut, 1}));
        QVERIFY(at::allclose(s->targetVector(), opt.adapter->adaptVector(v.vector)));
        QCOMPARE(QString::fromStdString(s->name()), QStringLiteral("adapted (interpolate)"));
        opt.adapter = std::make_shared<ZeroPadAdapter>(64, 96);
        sbtest::expectThrowContaining<InputError>([&] { createInjectionStrategy(a, b, v, opt); }, {"64 -> 96"});
        opt.adapter.reset();
        opt.targetPoint = HookPoint{HookSite::ResidPost, 9};
        sbtest::expectThrowContaining<InputError>([&] { createInjectionStrategy(a, b, v, opt); }, {"layer 9"});
        PreferenceVector wrong = vectorFor(b, 1, 1.0);
        sbtest::expectThrowContaining<ShapeError>([&] { createInjectionStrategy(a, b, wrong); }, {"128", "64"});
        QCOMPARE(*parseInjectionKind("scaled"), InjectionKind::Scaled);
        QVERIFY(!parseInjectionKind("sideways"));
    }
};

QTEST_GUILESS_MAIN(TestInjection)
#include "test_injection.moc"
