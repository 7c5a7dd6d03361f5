// The forward pass against Hugging Face transformers' own outputs
// (tests/data/reference, produced by transformers 4.44.2): logits, hidden
// states, attention and MLP outputs, greedy generation and KV-cache logits.

#include "common/test_util.h"

#include "engine/generation.h"
#include "engine/model.h"
#include "engine/safetensors.h"
#include "engine/system_info.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

using namespace sb;

namespace {
constexpr double kTol = 1e-4;

double maxAbsDiff(const at::Tensor& a, const at::Tensor& b)
{
    if (a.sizes() != b.sizes())
        return 1e30;
    return (a - b).abs().max().item<double>();
}

struct Captured {
    at::Tensor logits, hidden, attn, mlp, lastLayer;
};

Captured runCaptured(const TransformerModel& m, const at::Tensor& ids)
{
    const auto& s = m.spec();
    HookSet hooks;
    std::vector<at::Tensor> pre, attn, mlp, fin, post;
    for (int64_t i = 0; i < s.numLayers; ++i) {
        hooks.add({HookSite::ResidPre, i}, captureHook(&pre));
        hooks.add({HookSite::AttnOut, i}, captureHook(&attn));
        hooks.add({HookSite::MlpOut, i}, captureHook(&mlp));
        hooks.add({HookSite::ResidPost, i}, captureHook(&post));
    }
    hooks.add({HookSite::FinalNorm, -1}, captureHook(&fin));
    ForwardOptions fo;
    fo.hooks = &hooks;
    Captured c;
    c.logits = m.forward(ids.unsqueeze(0), fo)[0];
    std::vector<at::Tensor> h;
    for (auto& t : pre)
        h.push_back(t[0]);
    h.push_back(fin[0][0]);
    c.hidden = at::stack(h);
    std::vector<at::Tensor> a, ml;
    for (auto& t : attn)
        a.push_back(t[0]);
    for (auto& t : mlp)
        ml.push_back(t[0]);
    c.attn = at::stack(a);
    c.mlp = at::stack(ml);
    c.lastLayer = post.back()[0];
    return c;
}
} // namespace

class TestReferenceModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { configureThreads(2); }

    void matchesTransformers_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QString>("weights");  // "" = model.safetensors
        QTest::addColumn<QString>("expected"); // expected file
        for (const char* f : {"llama", "llama_gqa", "qwen2", "gemma", "gpt2", "gpt_neox", "llama_sharded"})
            QTest::newRow(f) << QString::fromUtf8(f) << QString() << QStringLiteral("expected.safetensors");
        QTest::newRow("llama-bf16") << QStringLiteral("llama") << QStringLiteral("model-bf16.safetensors")
                                    << QStringLiteral("expected-bf16.safetensors");
    }

    void matchesTransformers()
    {
        QFETCH(QString, fixture);
        QFETCH(QString, weights);
        QFETCH(QString, expected);
        QString dir = QString::fromStdString(sbtest::referenceDir(fixture.toUtf8().constData()));
        QTemporaryDir tmp;
        if (!weights.isEmpty()) {
            // A folder holding the bf16 weights as model.safetensors.
            QVERIFY(QFile::copy(dir + QStringLiteral("/config.json"), tmp.filePath(QStringLiteral("config.json"))));
            QVERIFY(QFile::copy(dir + QLatin1Char('/') + weights, tmp.filePath(QStringLiteral("model.safetensors"))));
            dir = tmp.path();
        }
        c10::InferenceMode guard;
        auto model = TransformerModel::load(dir.toStdString());
        SafetensorsFile exp(QString(QString::fromStdString(sbtest::referenceDir(fixture.toUtf8().constData())) +
                                    QLatin1Char('/') + expected)
                                .toStdString());
        for (const char* which : {"a", "b"}) {
            const std::string w = which;
            at::Tensor ids = exp.tensor("input_ids_" + w);
            Captured c = runCaptured(*model, ids);
            const double dl = maxAbsDiff(c.logits, exp.tensor("logits_" + w));
            const double dh = maxAbsDiff(c.hidden, exp.tensor("hidden_states_" + w));
            const double da = maxAbsDiff(c.attn, exp.tensor("attn_out_" + w));
            const double dm = maxAbsDiff(c.mlp, exp.tensor("mlp_out_" + w));
            const double dlast = maxAbsDiff(c.lastLayer, exp.tensor("last_layer_output_" + w));
            qInfo("%s/%s: max|diff| logits %.2e hidden %.2e attn %.2e mlp %.2e last %.2e", qPrintable(fixture), which,
                  dl, dh, da, dm, dlast);
            QVERIFY2(dl < kTol, "logits");
            QVERIFY2(dh < kTol, "hidden_states");
            QVERIFY2(da < kTol, "attn_out");
            QVERIFY2(dm < kTol, "mlp_out");
            QVERIFY2(dlast < kTol, "last_layer_output");
        }
        // Greedy generation with the KV cache, EOS stopping off.
        at::Tensor ids = exp.tensor("input_ids_a");
        at::Tensor gen = exp.tensor("generated_a");
        GenerationRequest req;
        req.prompts = {std::vector<int64_t>(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + ids.numel())};
        req.params.maxNewTokens = gen.numel() - ids.numel();
        req.keepStepLogits = true;
        auto res = generate(*model, req);
        std::vector<int64_t> want(gen.data_ptr<int64_t>(), gen.data_ptr<int64_t>() + gen.numel());
        QCOMPARE(res.sequences[0], want);
        const double dg = maxAbsDiff(res.stepLogits.select(1, 0), exp.tensor("generated_logits_a"));
        qInfo("%s: KV-cache step logits max|diff| %.2e", qPrintable(fixture), dg);
        QVERIFY(dg < kTol);
    }

    void shardedEqualsUnsharded()
    {
        c10::InferenceMode guard;
        auto a = TransformerModel::load(sbtest::referenceDir("llama"));
        auto b = TransformerModel::load(sbtest::referenceDir("llama_sharded"));
        QCOMPARE(b->files().weights.size(), std::size_t(2));
        at::Tensor ids = at::arange(0, 40, at::kLong).unsqueeze(0) * 5 % 256;
        QVERIFY(at::equal(a->forward(ids), b->forward(ids)));
        QCOMPARE(a->loadReport().parameterCount, b->loadReport().parameterCount);
    }

    void batchedLeftPaddingMatchesSingle()
    {
        // Two prompts of different lengths in one batch (left padded) must give
        // the same continuations as each alone.
        c10::InferenceMode guard;
        for (const char* f : {"llama_gqa", "gpt2", "gpt_neox", "gemma"}) {
            auto m = TransformerModel::load(sbtest::referenceDir(f));
            std::vector<int64_t> p1{5, 17, 99, 3, 200, 41, 7, 8}, p2{12, 250, 33};
            GenerationRequest single;
            single.params.maxNewTokens = 6;
            single.prompts = {p1};
            auto r1 = generate(*m, single);
            single.prompts = {p2};
            auto r2 = generate(*m, single);
            GenerationRequest both = single;
            both.prompts = {p1, p2};
            auto rb = generate(*m, both);
            QCOMPARE(rb.sequences[0], r1.sequences[0]);
            QCOMPARE(rb.sequences[1], r2.sequences[0]);
        }
    }

    void hooksSteerAndCapture()
    {
        c10::InferenceMode guard;
        auto m = TransformerModel::load(sbtest::referenceDir("llama"));
        at::Tensor ids = at::tensor(std::vector<int64_t>{1, 50, 60, 70}, at::kLong).unsqueeze(0);
        at::Tensor base = m->forward(ids);
        // Adding v at resid_post of layer 0 equals adding it at resid_pre of layer 1.
        at::Tensor v = at::randn({m->spec().hiddenSize});
        HookSet h1, h2;
        h1.add({HookSite::ResidPost, 0}, addVectorHook(v, 2.0));
        h2.add({HookSite::ResidPre, 1}, addVectorHook(v, 2.0));
        ForwardOptions o1, o2;
        o1.hooks = &h1;
        o2.hooks = &h2;
        at::Tensor s1 = m->forward(ids, o1), s2 = m->forward(ids, o2);
        QVERIFY(maxAbsDiff(s1, s2) < 1e-5);
        QVERIFY(maxAbsDiff(s1, base) > 1e-3);
        // Only the prompt positions (< 2): the first two rows change, later rows
        // change through attention, but position 0 equals a run steering only slot 0.
        HookSet h3;
        PositionFilter pf;
        pf.which = PositionFilter::Which::Generated;
        pf.promptLength = 4;
        h3.add({HookSite::ResidPost, 0}, addVectorHook(v, 2.0, pf));
        ForwardOptions o3;
        o3.hooks = &h3;
        QVERIFY(maxAbsDiff(m->forward(ids, o3), base) == 0.0);
    }
};

QTEST_GUILESS_MAIN(TestReferenceModels)
#include "test_reference_models.moc"
