// The catalogue of bad inputs (docs/bad-inputs.md), checked end to end: each
// row builds a damaged model folder or command line, runs steerbridge-cli,
// and requires (1) the exact one-line message, (2) the exit status, and
// (3) that docs/bad-inputs.md quotes that message verbatim, so the catalogue
// cannot drift from what users see.
//
// In expected messages, <dir> stands for the row's temporary folder and
// <...> for any text (numbers that depend on the file, library wording).

#include "common/test_util.h"

#include <QProcess>
#include <QRegularExpression>

#include <functional>

namespace {

struct Run {
    int code;
    QString err;
};

Run runCli(const QStringList& args, const QMap<QString, QString>& env = {})
{
    QProcess p;
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.insert(QStringLiteral("SB_QUIET"), QStringLiteral("1"));
    for (auto it = env.begin(); it != env.end(); ++it)
        e.insert(it.key(), it.value());
    p.setProcessEnvironment(e);
    p.start(QStringLiteral(SB_CLI_PATH), args);
    p.waitForFinished(120000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardError())};
}

using Setup = std::function<void(const QString& dir)>;

QString demo(const char* name) { return QString::fromStdString(sbtest::demoModel(name)); }

/// A copy of a demo model in dir/m.
void copyDemo(const QString& dir, const char* name = "stories260k")
{
    QVERIFY(sbtest::copyDir(demo(name), dir + QStringLiteral("/m")));
}

void editFile(const QString& file, const std::function<QByteArray(QByteArray)>& edit)
{
    sbtest::writeBytes(file, edit(sbtest::readBytes(file)));
}

QString expectedPattern(QString message, const QString& dir)
{
    // Escape everything, then turn the placeholders back into patterns.
    QString rx = QRegularExpression::escape(message);
    rx.replace(QRegularExpression::escape(QStringLiteral("<dir>")), QRegularExpression::escape(dir));
    rx.replace(QRegularExpression(QStringLiteral("\\\\<[^>]*\\\\>")), QStringLiteral(".+?"));
    return QStringLiteral("^") + rx + QStringLiteral("$");
}

} // namespace

Q_DECLARE_METATYPE(Setup)

class TestBadInputs : public QObject {
    Q_OBJECT
private:
    QString m_doc;

private Q_SLOTS:
    void initTestCase()
    {
        m_doc = QString::fromUtf8(sbtest::readBytes(QStringLiteral(SB_SOURCE_DIR "/docs/bad-inputs.md")));
        QVERIFY2(!m_doc.isEmpty(), "docs/bad-inputs.md is missing");
    }

    void cli_data()
    {
        QTest::addColumn<Setup>("setup");
        QTest::addColumn<QStringList>("args"); // <dir> is replaced
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        auto row = [](const char* name, Setup s, QStringList args, int status, const char* msg) {
            QTest::newRow(name) << s << args << status << QString::fromUtf8(msg);
        };
        const Setup none = [](const QString&) {};
        const QString m = QStringLiteral("<dir>/m");
        const QString info = QStringLiteral("info");

        // ---- command line
        row("unknown command", none, {QStringLiteral("frobnicate")}, 2,
            "steerbridge-cli: error: unknown command 'frobnicate' (see steerbridge-cli --help)");
        row("unknown option", none, {info, demo("stories260k"), QStringLiteral("--jsn")}, 2,
            "steerbridge-cli: error: unknown option --jsn");
        row("missing model argument", none, {info}, 2, "steerbridge-cli: error: missing argument(s)");
        row("bad id list", none,
            {QStringLiteral("forward"), demo("stories260k"), QStringLiteral("--ids"), QStringLiteral("1,x,3"),
             QStringLiteral("--out"), QStringLiteral("<dir>/o.safetensors")},
            2, "steerbridge-cli: error: --ids expects comma-separated integers, got '1,x,3'");
        row("missing required option", none, {QStringLiteral("forward"), demo("stories260k"), QStringLiteral("--ids"), QStringLiteral("1")}, 2,
            "steerbridge-cli: error: option --out is required");
        row("non-numeric option", none,
            {QStringLiteral("generate"), demo("stories260k"), QStringLiteral("--ids"), QStringLiteral("1"),
             QStringLiteral("--max-new-tokens"), QStringLiteral("many")},
            2, "steerbridge-cli: error: option --max-new-tokens expects an integer, got 'many'");

        // ---- model folders
        row("not a folder", none, {info, QStringLiteral("<dir>/absent")}, 1,
            "steerbridge-cli: error: <dir>/absent: not a directory (expected a Hugging Face model folder with config.json)");
        row("no config.json", [](const QString& d) { QDir().mkpath(d + QStringLiteral("/m")); }, {info, m}, 1,
            "steerbridge-cli: error: <dir>/m: no config.json (expected a Hugging Face model folder)");
        row("no weights",
            [](const QString& d) {
                copyDemo(d);
                QFile::remove(d + QStringLiteral("/m/model.safetensors"));
            },
            {info, m}, 1, "steerbridge-cli: error: <dir>/m: no model.safetensors and no model.safetensors.index.json");
        row("pickle weights only",
            [](const QString& d) {
                copyDemo(d);
                QFile::rename(d + QStringLiteral("/m/model.safetensors"), d + QStringLiteral("/m/pytorch_model.bin"));
            },
            {info, m}, 1,
            "steerbridge-cli: error: <dir>/m: only pytorch_model.bin found; SteerBridge reads safetensors weights "
            "(convert with transformers' save_pretrained(safe_serialization=True))");
        row("shard index names a missing shard",
            [](const QString& d) {
                copyDemo(d);
                QFile::remove(d + QStringLiteral("/m/model.safetensors"));
                sbtest::writeBytes(d + QStringLiteral("/m/model.safetensors.index.json"),
                                   R"({"weight_map":{"model.embed_tokens.weight":"model-00001-of-00002.safetensors"}})");
            },
            {info, m}, 1,
            "steerbridge-cli: error: <dir>/m/model.safetensors.index.json: shard 'model-00001-of-00002.safetensors' "
            "listed in weight_map does not exist");

        // ---- config.json
        auto config = [](std::function<QByteArray(QByteArray)> edit) {
            return Setup([edit](const QString& d) {
                copyDemo(d);
                editFile(d + QStringLiteral("/m/config.json"), edit);
            });
        };
        row("config not JSON", config([](QByteArray) { return QByteArrayLiteral("{\"model_type\": llama}"); }), {info, m}, 1,
            "steerbridge-cli: error: <dir>/m/config.json: invalid JSON ([json.exception.parse_error.101] parse error at "
            "line 1, column 16: syntax error while parsing value - invalid literal; last read: '\"model_type\": l<...>)");
        row("unsupported model_type", config([](QByteArray b) { return b.replace("\"llama\"", "\"bert\""); }), {info, m}, 1,
            "steerbridge-cli: error: <dir>/m/config.json: model_type 'bert' is not supported (supported: llama, mistral, "
            "qwen2, gemma, gemma2, gpt2, gpt_neox, phi3)");
        row("model_type missing", config([](QByteArray b) { return b.replace("\"model_type\"", "\"modeltype\""); }),
            {info, m}, 1,
            "steerbridge-cli: error: <dir>/m/config.json: required field 'model_type' is missing (expected one of llama, "
            "mistral, qwen2, gemma, gemma2, gpt2, gpt_neox, phi3)");
        row("field of the wrong type", config([](QByteArray b) { return b.replace("\"hidden_size\": 64", "\"hidden_size\": \"64\""); }),
            {info, m}, 1, "steerbridge-cli: error: <dir>/m/config.json: field 'hidden_size' must be a number, got string");
        row("kv heads do not divide heads",
            config([](QByteArray b) { return b.replace("\"num_attention_heads\": 8", "\"num_attention_heads\": 7"); }),
            {info, m}, 1,
            "steerbridge-cli: error: <dir>/m/config.json: num_attention_heads 7 is not a multiple of num_key_value_heads 4");
        row("heads do not divide hidden",
            config([](QByteArray b) {
                return b.replace("\"num_attention_heads\": 8", "\"num_attention_heads\": 6")
                    .replace("\"num_key_value_heads\": 4", "\"num_key_value_heads\": 3")
                    .replace("\"head_dim\": 8,", "");
            }),
            {info, m}, 1,
            "steerbridge-cli: error: <dir>/m/config.json: hidden_size 64 is not divisible by num_attention_heads 6");
        row("negative size", config([](QByteArray b) { return b.replace("\"num_hidden_layers\": 5", "\"num_hidden_layers\": -5"); }),
            {info, m}, 1, "steerbridge-cli: error: <dir>/m/config.json: field 'num_hidden_layers' must be positive, got -5");
        row("integer field out of range (fuzz finding)",
            config([](QByteArray b) { return b.replace("\"max_position_embeddings\": 512", "\"max_position_embeddings\": 1e28"); }),
            {info, m}, 1,
            "steerbridge-cli: error: <dir>/m/config.json: field 'max_position_embeddings' must be an integer, got 1e+28");
        row("number past the double range (fuzz finding)",
            config([](QByteArray b) { return b.replace("\"hidden_size\": 64", "\"hidden_size\": 1e999"); }), {info, m}, 1,
            "steerbridge-cli: error: <dir>/m/config.json: invalid JSON ([json.exception.out_of_range.406] number overflow "
            "parsing '1e999')");
        row("implausible size",
            config([](QByteArray b) { return b.replace("\"vocab_size\": 512", "\"vocab_size\": 3000000000"); }),
            {info, m}, 1, "steerbridge-cli: error: <dir>/m/config.json: field 'vocab_size' is implausibly large (3000000000)");
        row("unknown activation", config([](QByteArray b) { return b.replace("\"silu\"", "\"mish\""); }), {info, m}, 1,
            "steerbridge-cli: error: <dir>/m/config.json: activation 'mish' is not supported (expected silu, gelu, "
            "gelu_new, gelu_pytorch_tanh, relu)");
        row("config disagrees with weights",
            config([](QByteArray b) { return b.replace("\"intermediate_size\": 172", "\"intermediate_size\": 180"); }),
            {info, m}, 1,
            "steerbridge-cli: error: <dir>/m/model.safetensors: tensor 'model.layers.0.mlp.gate_proj.weight' has shape "
            "[172, 64] but <dir>/m/config.json implies [180, 64] (hidden_size 64, heads 8/4 x head_dim 8, "
            "intermediate_size 180, vocab_size 512)");

        // ---- weights
        auto weights = [](std::function<QByteArray(QByteArray)> edit) {
            return Setup([edit](const QString& d) {
                copyDemo(d);
                editFile(d + QStringLiteral("/m/model.safetensors"), edit);
            });
        };
        row("weights truncated", weights([](QByteArray b) { return b.left(b.size() / 2); }), {info, m}, 1,
            "steerbridge-cli: error: <dir>/m/model.safetensors: tensor '<name>': data_offsets [<begin>, <end>] run past "
            "the data section (<n> bytes; the file may be truncated)");
        row("weights not safetensors", weights([](QByteArray) { return QByteArrayLiteral("GGUF\x03\0\0\0 not a safetensors file"); }),
            {info, m}, 1,
            "steerbridge-cli: error: <dir>/m/model.safetensors: header length <n> bytes exceeds the 100 MB limit "
            "(corrupt or not a safetensors file)");
        row("weights empty", weights([](QByteArray) { return QByteArray(); }), {info, m}, 1,
            "steerbridge-cli: error: <dir>/m/model.safetensors: file is 0 bytes, too short for a safetensors header "
            "(expected at least 8 bytes for the header length)");

        // ---- limits
        row("model larger than memory", none, {info, demo("stories260k")}, 1,
            "steerbridge-cli: error: <model>: the model needs about <n> MiB (<n> KiB of f32 weights plus working memory) "
            "but only 1.0 MiB is available; close other programs or choose a smaller model");
        row("token id outside the vocabulary", none,
            {QStringLiteral("forward"), demo("stories260k"), QStringLiteral("--ids"), QStringLiteral("1,512"),
             QStringLiteral("--out"), QStringLiteral("<dir>/o.safetensors")},
            1, "steerbridge-cli: error: token id 512 at position 1 is outside the vocabulary of stories260k (0..511)");
        row("prompt without a tokenizer",
            [](const QString& d) {
                copyDemo(d);
                QFile::remove(d + QStringLiteral("/m/tokenizer.json"));
            },
            {QStringLiteral("generate"), m, QStringLiteral("--prompt"), QStringLiteral("Once")}, 1,
            "steerbridge-cli: error: <dir>/m: no tokenizer, use --ids");

        // ---- output files
        row("output folder missing", none,
            {QStringLiteral("forward"), demo("stories260k"), QStringLiteral("--ids"), QStringLiteral("1,2"),
             QStringLiteral("--out"), QStringLiteral("<dir>/no/such/folder/o.safetensors")},
            1,
            "steerbridge-cli: error: <dir>/no/such/folder/o.safetensors: cannot create a temporary file in "
            "<dir>/no/such/folder (No such file or directory)");
    }

    void cli()
    {
        QFETCH(Setup, setup);
        QFETCH(QStringList, args);
        QFETCH(int, status);
        QFETCH(QString, message);
        QTemporaryDir tmp;
        const QString dir = QDir(tmp.path()).canonicalPath();
        setup(dir);
        if (QTest::currentTestFailed())
            return;
        for (auto& a : args)
            a.replace(QStringLiteral("<dir>"), dir);
        QMap<QString, QString> env;
        if (QString::fromUtf8(QTest::currentDataTag()) == QStringLiteral("model larger than memory"))
            env.insert(QStringLiteral("SB_MEMORY_LIMIT_BYTES"), QStringLiteral("1048576"));
        const Run r = runCli(args, env);
        // One line; usage errors (status 2) add the command's usage line after it.
        QStringList lines = r.err.trimmed().split(QLatin1Char('\n'));
        const QString err = lines.takeFirst();
        if (status == 2 && !lines.isEmpty())
            QVERIFY2(lines.size() == 1 && lines[0].startsWith(QStringLiteral("usage: steerbridge-cli ")), qPrintable(r.err));
        QVERIFY2(lines.isEmpty() || status == 2, qPrintable(QStringLiteral("more than one line: ") + r.err));
        QVERIFY2(QRegularExpression(expectedPattern(message, dir)).match(err).hasMatch(),
                 qPrintable(QStringLiteral("\n  got:      ") + err + QStringLiteral("\n  expected: ") + message));
        QCOMPARE(r.code, status);
        QVERIFY2(m_doc.contains(QStringLiteral("`") + message + QStringLiteral("`")),
                 qPrintable(QStringLiteral("docs/bad-inputs.md does not quote this message verbatim: `") + message +
                            QStringLiteral("`")));
    }
};

QTEST_GUILESS_MAIN(TestBadInputs)
#include "test_bad_inputs.moc"
