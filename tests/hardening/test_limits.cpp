// Limits at every entry point: sequences past the context length, models
// larger than the memory available, NaN/Inf in weights and in activations.
// Engine-level refusals are in tests/engine/test_model_errors.cpp; this test
// checks what a user of the CLI sees, and the activation check.

#include "common/test_util.h"

#include "engine/errors.h"
#include "engine/hooks.h"
#include "engine/model.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <QProcess>

#include <cmath>
#include <limits>

using namespace sb;

namespace {

struct Run {
    int code;
    QString out, err;
};

Run cli(const QStringList& args, const QMap<QString, QString>& extraEnv = {})
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SB_QUIET"), QStringLiteral("1"));
    for (auto it = extraEnv.begin(); it != extraEnv.end(); ++it)
        env.insert(it.key(), it.value());
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(SB_CLI_PATH), args);
    p.waitForFinished(120000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

QString demo(const char* name) { return QString::fromStdString(sbtest::demoModel(name)); }

QString idList(int n)
{
    QStringList ids;
    for (int i = 0; i < n; ++i)
        ids << QString::number(1 + i % 100);
    return ids.join(QLatin1Char(','));
}

/// Bytes of the tensors of an all-F32 safetensors file, read from its header
/// length (independent of the engine): file size - 8 - header length.
qint64 f32DataBytes(const QString& file)
{
    const QByteArray b = sbtest::readBytes(file);
    quint64 n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | static_cast<unsigned char>(b[i]);
    return b.size() - 8 - static_cast<qint64>(n);
}

/// The message the engine gives for a NaN/Inf activation.
std::string expectFiniteError(const std::function<void()>& fn)
{
    try {
        fn();
    } catch (const NumericError& e) {
        return e.what();
    }
    return {};
}

} // namespace

class TestLimits : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // ---------------------------------------------------------------- context length, CLI
    void cliForwardPastContextIsRefused()
    {
        // stories260k: max_position_embeddings 512 (resources/models/stories260k/config.json).
        const auto r = cli({QStringLiteral("forward"), demo("stories260k"), QStringLiteral("--ids"), idList(513),
                            QStringLiteral("--out"), QStringLiteral("/nonexistent-dir/never-written.safetensors")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.startsWith(QStringLiteral("steerbridge-cli: error: sequence of 513 tokens exceeds the context "
                                                 "length of stories260k (512 positions, max_position_embeddings in ")),
                 qPrintable(r.err));
        QCOMPARE(r.err.count(QLatin1Char('\n')), 1); // one line
    }

    void cliForwardAtContextIsAccepted()
    {
        QTemporaryDir d;
        const auto r = cli({QStringLiteral("forward"), demo("stories260k"), QStringLiteral("--ids"), idList(512),
                            QStringLiteral("--out"), d.filePath(QStringLiteral("o.safetensors"))});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    void cliGeneratePastContextIsRefused()
    {
        const auto r = cli({QStringLiteral("generate"), demo("stories260k"), QStringLiteral("--ids"), idList(500),
                            QStringLiteral("--max-new-tokens"), QStringLiteral("13"), QStringLiteral("--greedy")});
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err, QStringLiteral("steerbridge-cli: error: prompt (500 tokens) + 13 new tokens exceeds the context "
                                       "length of stories260k (512)\n"));
    }

    void cliGeneratePromptTextPastContextIsRefused()
    {
        // A long text prompt goes through the tokenizer first, then the same check.
        QString text;
        for (int i = 0; i < 400; ++i)
            text += QStringLiteral("Once upon a time ");
        const auto r = cli({QStringLiteral("generate"), demo("stories-gpt2"), QStringLiteral("--prompt"), text,
                            QStringLiteral("--max-new-tokens"), QStringLiteral("4"), QStringLiteral("--greedy")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("exceeds the context length of stories-gpt2 (256)")), qPrintable(r.err));
    }

    // ---------------------------------------------------------------- memory, CLI
    void cliRefusesModelLargerThanMemoryWithNumbers()
    {
        const QString model = demo("stories-gpt2");
        const qint64 weights = f32DataBytes(model + QStringLiteral("/model.safetensors"));
        const auto r = cli({QStringLiteral("info"), model}, {{QStringLiteral("SB_MEMORY_LIMIT_BYTES"), QStringLiteral("2097152")}});
        QCOMPARE(r.code, 1);
        // The f32 weight bytes in the engine's unit (KiB below 1 MiB, MiB below 1 GiB, one decimal).
        const QString w = weights >= (1 << 20) ? QString::asprintf("%.1f MiB", weights / 1048576.0)
                                               : QString::asprintf("%.1f KiB", weights / 1024.0);
        QVERIFY2(r.err.startsWith(QStringLiteral("steerbridge-cli: error: ") + model + QStringLiteral(": the model needs about ")),
                 qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral(" (") + w + QStringLiteral(" of f32 weights plus working memory) but only 2.0 MiB "
                                                                         "is available; close other programs or choose a "
                                                                         "smaller model")),
                 qPrintable(r.err + QStringLiteral(" / expected weights ") + w));
    }

    // ---------------------------------------------------------------- NaN/Inf in weights, CLI
    void cliReportsNonFiniteWeights()
    {
        QTemporaryDir d;
        const QString dir = d.filePath(QStringLiteral("m"));
        QVERIFY(sbtest::copyDir(demo("stories260k"), dir));
        // Flip one float of the final norm to +Inf in the file bytes, located from the header.
        const QString file = dir + QStringLiteral("/model.safetensors");
        QByteArray b = sbtest::readBytes(file);
        quint64 n = 0;
        for (int i = 7; i >= 0; --i)
            n = (n << 8) | static_cast<unsigned char>(b[i]);
        const QByteArray header = b.mid(8, static_cast<int>(n));
        const int at = header.indexOf("\"model.norm.weight\"");
        QVERIFY(at >= 0);
        const int off = header.indexOf("\"data_offsets\":[", at) + 16;
        const qint64 begin = header.mid(off, header.indexOf(',', off) - off).toLongLong();
        const float inf = std::numeric_limits<float>::infinity();
        std::memcpy(b.data() + 8 + n + begin + 4 * 3, &inf, 4);
        sbtest::writeBytes(file, b);
        const auto r = cli({QStringLiteral("info"), dir});
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err, QStringLiteral("steerbridge-cli: error: ") + file +
                            QStringLiteral(": tensor 'model.norm.weight' contains NaN or Inf values\n"));
    }

    // ---------------------------------------------------------------- NaN/Inf in activations
    void nanActivationReportedWithLayerAndPosition()
    {
        c10::InferenceMode g;
        auto m = TransformerModel::load(sbtest::demoModel("stories260k"));
        const int64_t hidden = m->spec().hiddenSize;
        HookSet hooks;
        const HookPoint p{HookSite::ResidPre, 1};
        // A hook before the capture plants one NaN at token 2, feature 5.
        hooks.add(p, [](const at::Tensor& act, const HookContext&) {
            at::Tensor x = act.clone();
            x[0][2][5] = std::nanf("");
            return x;
        });
        std::vector<at::Tensor> captured;
        hooks.add(p, captureHook(&captured));
        ForwardOptions fo;
        fo.hooks = &hooks;
        at::Tensor ids = at::tensor(std::vector<int64_t>{1, 403, 407, 261, 5}, at::kLong).unsqueeze(0);
        const std::string msg = expectFiniteError([&] { m->forward(ids, fo); });
        QCOMPARE(QString::fromStdString(msg),
                 QStringLiteral("activation at blocks.1.hook_resid_pre is not finite: 1 of %1 values are NaN or Inf, the "
                                "first (NaN) at batch row 0, token position 2, feature 5 (the weights or the steering "
                                "strength overflow float32 here)")
                     .arg(5 * hidden));
        QVERIFY(captured.empty());
    }

    void nanPropagatesAndIsCaughtDownstream()
    {
        c10::InferenceMode g;
        auto m = TransformerModel::load(sbtest::demoModel("stories260k"));
        HookSet hooks;
        hooks.add({HookSite::ResidPost, 0}, [](const at::Tensor& act, const HookContext&) {
            at::Tensor x = act.clone();
            x[0][3][0] = std::numeric_limits<float>::infinity();
            return x;
        });
        std::vector<at::Tensor> captured;
        hooks.add({HookSite::MlpOut, 2}, captureHook(&captured));
        ForwardOptions fo;
        fo.hooks = &hooks;
        at::Tensor ids = at::tensor(std::vector<int64_t>{1, 403, 407, 261, 5}, at::kLong).unsqueeze(0);
        const std::string msg = expectFiniteError([&] { m->forward(ids, fo); });
        // Layer 1 turns the Inf into NaN (RMSNorm: Inf/Inf), and a NaN key poisons every
        // row of the attention scores (an additive causal mask cannot hide NaN, in
        // transformers' eager attention either), so by layer 2 all values are NaN.
        QVERIFY2(msg.rfind("activation at blocks.2.hook_mlp_out is not finite: ", 0) == 0, msg.c_str());
        QVERIFY2(msg.find("the first (NaN) at batch row 0, token position ") != std::string::npos, msg.c_str());
    }

    void infiniteSteeringStrengthReported()
    {
        c10::InferenceMode g;
        auto m = TransformerModel::load(sbtest::demoModel("stories260k"));
        const int64_t hidden = m->spec().hiddenSize;
        HookSet hooks;
        const HookPoint p{HookSite::ResidPost, 3};
        hooks.add(p, addVectorHook(at::ones({hidden}), 1e39)); // 1e39 overflows float32 to +Inf
        std::vector<at::Tensor> captured;
        hooks.add(p, captureHook(&captured));
        ForwardOptions fo;
        fo.hooks = &hooks;
        at::Tensor ids = at::tensor(std::vector<int64_t>{1, 403, 407}, at::kLong).unsqueeze(0);
        const std::string msg = expectFiniteError([&] { m->forward(ids, fo); });
        QCOMPARE(QString::fromStdString(msg),
                 QStringLiteral("activation at blocks.3.hook_resid_post is not finite: %1 of %1 values are NaN or Inf, the "
                                "first (+Inf) at batch row 0, token position 0, feature 0 (the weights or the steering "
                                "strength overflow float32 here)")
                     .arg(3 * hidden));
    }

    void requireFiniteRanksAndOffsets()
    {
        at::Tensor a = at::zeros({4, 3});
        a[2][1] = -std::numeric_limits<float>::infinity();
        sbtest::expectThrowContaining<NumericError>(
            [&] { requireFinite(a, {HookSite::ResidPost, 7}, 10); },
            {"blocks.7.hook_resid_post", "1 of 12 values", "(-Inf) at token position 12, feature 1"});
        at::Tensor v = at::zeros({5});
        v[4] = std::nanf("");
        sbtest::expectThrowContaining<NumericError>([&] { requireFinite(v, {HookSite::Embed, -1}); },
                                                    {"hook_embed", "(NaN) at index [4]"});
        requireFinite(at::zeros({2, 2}, at::kLong), {HookSite::Embed, -1}); // integers cannot be NaN
        requireFinite(at::ones({1, 3, 8}), {HookSite::Embed, -1});
    }
};

QTEST_GUILESS_MAIN(TestLimits)
#include "test_limits.moc"
