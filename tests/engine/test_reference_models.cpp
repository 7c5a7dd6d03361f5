// The forward pass against Hugging Face transformers' own outputs
// (tests/data/reference, produced by transformers 4.44.2): logits, hidden
// states, attention and MLP outputs, greedy generation and KV-cache logits.

#include "common/test_util.h"

#include "engine/errors.h"
#include "engine/generation.h"
#include "engine/hooks.h"
#include "engine/model.h"
#include "engine/safetensors.h"
#include "engine/system_info.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <thread>

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

    void threadCountFollowsOmpNumThreads()
    {
        // The user's (and the sanitizer presets') OMP_NUM_THREADS wins over
        // one thread per core; a value that is not a positive number does not.
        const QByteArray saved = qgetenv("OMP_NUM_THREADS");
        const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        qputenv("OMP_NUM_THREADS", "3");
        configureThreads();
        QCOMPARE(at::get_num_threads(), 3);
        for (const char* bad : {"0", "-2", "many", "3x", ""}) {
            qputenv("OMP_NUM_THREADS", bad);
            configureThreads();
            QCOMPARE(at::get_num_threads(), cores);
        }
        configureThreads(2); // an explicit count wins over the variable
        QCOMPARE(at::get_num_threads(), 2);
        if (saved.isNull())
            qunsetenv("OMP_NUM_THREADS");
        else
            qputenv("OMP_NUM_THREADS", saved);
    }

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

    void hookPointsAreUniform()
    {
        // Every family has every hook point, addressed by its name, with the
        // same meaning: hook_embed = HF hidden_states[0]; attn_out and mlp_out
        // are what is added to the residual (resid_post = resid_pre + attn_out
        // + mlp_out, also after a hook changed attn_out); ln_final feeds the
        // output head; adding v at mlp_out equals adding it at resid_post.
        c10::InferenceMode guard;
        for (const char* f : {"llama", "llama_gqa", "qwen2", "gemma", "gpt2", "gpt_neox"}) {
            auto m = TransformerModel::load(sbtest::referenceDir(f));
            SafetensorsFile exp(sbtest::referenceDir(f) + "/expected.safetensors");
            at::Tensor ids = exp.tensor("input_ids_b").unsqueeze(0);
            const int64_t L = m->spec().numLayers, H = m->spec().hiddenSize;
            std::vector<std::string> names{"hook_embed", "ln_final.hook_normalized"};
            for (int64_t i = 0; i < L; ++i)
                for (const char* c : {"hook_resid_pre", "hook_attn_out", "hook_mlp_out", "hook_resid_post"})
                    names.push_back("blocks." + std::to_string(i) + "." + c);
            std::map<std::string, std::vector<at::Tensor>> got;
            const at::Tensor v = at::linspace(-2.0, 2.0, H);
            HookSet hooks;
            for (const auto& n : names) {
                const HookPoint p = HookPoint::parse(n);
                QCOMPARE(p.name(), n);
                if (n == "blocks.0.hook_attn_out") // capture, steer, capture again
                    hooks.add(p, captureHook(&got["unsteered attn_out 0"]));
                if (n == "blocks.0.hook_attn_out")
                    hooks.add(p, [v](const at::Tensor& a, const HookContext&) { return a + v; });
                hooks.add(p, captureHook(&got[n]));
            }
            ForwardOptions fo;
            fo.hooks = &hooks;
            const at::Tensor logits = m->forward(ids, fo);
            for (const auto& n : names)
                QVERIFY2(got[n].size() == 1 && got[n][0].sizes() == (std::vector<int64_t>{1, ids.size(1), H}),
                         n.c_str());
            QVERIFY2(maxAbsDiff(got["hook_embed"][0][0], exp.tensor("hidden_states_b")[0]) < kTol, f);
            QVERIFY(maxAbsDiff(got["blocks.0.hook_attn_out"][0], got["unsteered attn_out 0"][0] + v) < 1e-6);
            for (int64_t i = 0; i < L; ++i) {
                const std::string b = "blocks." + std::to_string(i) + ".";
                const at::Tensor sum =
                    got[b + "hook_resid_pre"][0] + got[b + "hook_attn_out"][0] + got[b + "hook_mlp_out"][0];
                QVERIFY2(maxAbsDiff(got[b + "hook_resid_post"][0], sum) < 1e-4, (std::string(f) + " " + b).c_str());
                if (i + 1 < L)
                    QVERIFY(at::equal(got[b + "hook_resid_post"][0],
                                      got["blocks." + std::to_string(i + 1) + ".hook_resid_pre"][0]));
            }
            // The head reads ln_final.hook_normalized (no fixture has a soft cap).
            const at::Tensor head = at::matmul(got["ln_final.hook_normalized"][0], m->outputHead().t());
            QVERIFY2(maxAbsDiff(logits, head) < 1e-4, f);
            QVERIFY(maxAbsDiff(logits[0], exp.tensor("logits_b")) > 1e-3); // the steering at attn_out 0 acted

            // A replacement at ln_final reaches the logits.
            HookSet twice;
            twice.add(HookPoint::parse("ln_final.hook_normalized"),
                      [](const at::Tensor& x, const HookContext&) { return x * 2.0; });
            ForwardOptions o2;
            o2.hooks = &twice;
            QVERIFY2(maxAbsDiff(m->forward(ids, o2)[0], exp.tensor("logits_b") * 2.0) < 2e-4, f);

            // mlp_out is the last thing added in a block: steering there = steering resid_post.
            for (int64_t i = 0; i < L; ++i) {
                HookSet a, b;
                a.add({HookSite::MlpOut, i}, addVectorHook(v, 1.5));
                b.add({HookSite::ResidPost, i}, addVectorHook(v, 1.5));
                ForwardOptions oa, ob;
                oa.hooks = &a;
                ob.hooks = &b;
                const at::Tensor la = m->forward(ids, oa), lb = m->forward(ids, ob);
                QVERIFY2(maxAbsDiff(la, lb) < 1e-4, f);
                QVERIFY(maxAbsDiff(la[0], exp.tensor("logits_b")) > 1e-3);
            }
        }
    }

    void hookPointsOutsideTheModelAreRefused()
    {
        c10::InferenceMode guard;
        auto m = TransformerModel::load(sbtest::referenceDir("gpt2")); // 2 layers
        at::Tensor ids = at::tensor(std::vector<int64_t>{1, 2, 3}, at::kLong).unsqueeze(0);
        HookSet hooks;
        std::vector<at::Tensor> out;
        hooks.add(HookPoint::parse("blocks.2.hook_resid_post"), captureHook(&out));
        ForwardOptions fo;
        fo.hooks = &hooks;
        sbtest::expectThrowContaining<InputError>([&] { m->forward(ids, fo); },
                                                  {"hook point 'blocks.2.hook_resid_post'", "gpt2 has 2 layers"});
        sbtest::expectThrowContaining<InputError>([&] { (void)HookPoint::parse("blocks.x.hook_resid_post"); },
                                                  {"hook point 'blocks.x.hook_resid_post' is not valid"});
        sbtest::expectThrowContaining<InputError>([&] { (void)HookPoint::parse("blocks.0.hook_embed"); },
                                                  {"is not valid"});
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
