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

/// A llama.cpp control-vector GGUF (v3, alignment 32) built byte by byte here,
/// independently of the engine's writer: metadata string pairs, then tensors
/// given as (name, ggml dims, ggml type, offset), then `data` after padding.
struct GgufTensorInfo {
    QByteArray name;
    QList<quint64> ne;
    quint32 type;
    quint64 offset;
};
QByteArray ggufBytes(const QList<QPair<QByteArray, QByteArray>>& strings, const QList<GgufTensorInfo>& tensors,
                     const QByteArray& data, quint32 version = 3)
{
    QByteArray out("GGUF");
    auto u32 = [&](quint32 v) { out.append(reinterpret_cast<const char*>(&v), 4); };
    auto u64 = [&](quint64 v) { out.append(reinterpret_cast<const char*>(&v), 8); };
    auto str = [&](const QByteArray& s) {
        u64(static_cast<quint64>(s.size()));
        out.append(s);
    };
    u32(version);
    u64(static_cast<quint64>(tensors.size()));
    u64(static_cast<quint64>(strings.size()));
    for (const auto& [k, v] : strings) {
        str(k);
        u32(8); // string
        str(v);
    }
    for (const auto& t : tensors) {
        str(t.name);
        u32(static_cast<quint32>(t.ne.size()));
        for (quint64 e : t.ne)
            u64(e);
        u32(t.type);
        u64(t.offset);
    }
    while (out.size() % 32 != 0)
        out.append('\0');
    return out + data;
}

/// Four floats 1, 2, 3, 4 (little-endian F32).
QByteArray fourFloats()
{
    QByteArray b;
    for (float f : {1.f, 2.f, 3.f, 4.f})
        b.append(reinterpret_cast<const char*>(&f), 4);
    return b;
}

QByteArray controlVector()
{
    return ggufBytes({{"general.architecture", "controlvector"}, {"controlvector.model_hint", "llama"}},
                     {{"direction.1", {4}, 0, 0}}, fourFloats());
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

        // ---- tokenizer files (tokenize FILE --text hi)
        auto tokFile = [](const char* name, std::function<QByteArray()> bytes) {
            return Setup([name, bytes](const QString& d) {
                QDir().mkpath(d + QStringLiteral("/t"));
                sbtest::writeBytes(d + QStringLiteral("/t/") + QString::fromUtf8(name), bytes());
            });
        };
        auto tokenizeArgs = [](const char* name) {
            return QStringList{QStringLiteral("tokenize"), QStringLiteral("<dir>/t/") + QString::fromUtf8(name),
                               QStringLiteral("--text"), QStringLiteral("hi")};
        };
        const auto gpt2Tokenizer = [] {
            return sbtest::readBytes(demo("stories-gpt2") + QStringLiteral("/tokenizer.json"));
        };
        row("tokenizer.json not JSON", tokFile("tokenizer.json", [] { return QByteArrayLiteral("{\"model\": }"); }),
            tokenizeArgs("tokenizer.json"), 1,
            "steerbridge-cli: error: <dir>/t/tokenizer.json: invalid JSON ([json.exception.parse_error.101] parse error "
            "at line 1, column 11: syntax error while parsing value - unexpected '}'; expected '[', '{', or a literal)");
        row("tokenizer.json truncated",
            tokFile("tokenizer.json", [gpt2Tokenizer] { const QByteArray b = gpt2Tokenizer(); return b.left(b.size() / 2); }),
            tokenizeArgs("tokenizer.json"), 1,
            "steerbridge-cli: error: <dir>/t/tokenizer.json: invalid JSON ([json.exception.parse_error.101] parse error "
            "at line <n>, column <n>: syntax error while parsing <...>)");
        row("tokenizer.json number past the double range",
            tokFile("tokenizer.json", [] { return QByteArrayLiteral("{\"model\": {\"dropout\": 1e999}}"); }),
            tokenizeArgs("tokenizer.json"), 1,
            "steerbridge-cli: error: <dir>/t/tokenizer.json: invalid JSON ([json.exception.out_of_range.406] number "
            "overflow parsing '1e999')");
        row("tokenizer.json not an object", tokFile("tokenizer.json", [] { return QByteArrayLiteral("[1, 2]"); }),
            tokenizeArgs("tokenizer.json"), 1, "steerbridge-cli: error: <dir>/t/tokenizer.json: must hold a JSON object");
        row("tokenizer.json without model",
            tokFile("tokenizer.json", [] { return QByteArrayLiteral("{\"version\": \"1.0\"}"); }),
            tokenizeArgs("tokenizer.json"), 1,
            "steerbridge-cli: error: <dir>/t/tokenizer.json: required object 'model' is missing");
        row("tokenizer.json Unigram model",
            tokFile("tokenizer.json", [] { return QByteArrayLiteral("{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}"); }),
            tokenizeArgs("tokenizer.json"), 1,
            "steerbridge-cli: error: <dir>/t/tokenizer.json: model type 'Unigram' in tokenizer.json is not supported "
            "(SteerBridge reads BPE tokenizer.json files; a SentencePiece Unigram model works as tokenizer.model)");
        row("tokenizer.json WordPiece model",
            tokFile("tokenizer.json",
                    [] { return QByteArrayLiteral("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}}}"); }),
            tokenizeArgs("tokenizer.json"), 1,
            "steerbridge-cli: error: <dir>/t/tokenizer.json: model type 'WordPiece' is not supported (SteerBridge reads "
            "BPE tokenizer.json files and SentencePiece tokenizer.model files)");
        row("tokenizer.json vocab not an object",
            tokFile("tokenizer.json",
                    [] { return QByteArrayLiteral("{\"model\": {\"type\": \"BPE\", \"vocab\": [], \"merges\": []}}"); }),
            tokenizeArgs("tokenizer.json"), 1,
            "steerbridge-cli: error: <dir>/t/tokenizer.json: 'model.vocab' must be an object {token: id}");
        row("tokenizer.json merge of unknown tokens",
            tokFile("tokenizer.json",
                    [] {
                        return QByteArrayLiteral("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2}, "
                                                 "\"merges\": [\"a b\", \"x y\"]}}");
                    }),
            tokenizeArgs("tokenizer.json"), 1, "steerbridge-cli: error: <dir>/t/tokenizer.json: model: merges[1] uses 'x', which is not in the vocabulary");
        row("tokenizer.model not SentencePiece",
            tokFile("tokenizer.model", [] { return QByteArrayLiteral("this is not a protobuf \xff\xfe"); }),
            tokenizeArgs("tokenizer.model"), 1,
            "steerbridge-cli: error: <dir>/t/tokenizer.model: not a readable SentencePiece model (<...>)");
        row("tokenizer.model empty", tokFile("tokenizer.model", [] { return QByteArray(); }), tokenizeArgs("tokenizer.model"),
            1, "steerbridge-cli: error: <dir>/t/tokenizer.model: not a readable SentencePiece model (<...>)");
        row("folder without a tokenizer", tokFile("README", [] { return QByteArrayLiteral("x"); }),
            {QStringLiteral("tokenize"), QStringLiteral("<dir>/t"), QStringLiteral("--text"), QStringLiteral("hi")}, 1,
            "steerbridge-cli: error: <dir>/t: no tokenizer.json or tokenizer.model in this directory");

        // ---- pair files (extract stories260k --pairs FILE --layer 1)
        auto pairsFile = [](const char* name, QByteArray bytes) {
            return Setup([name, bytes](const QString& d) {
                sbtest::writeBytes(d + QStringLiteral("/") + QString::fromUtf8(name), bytes);
            });
        };
        auto extractArgs = [](const char* name) {
            return QStringList{QStringLiteral("extract"), demo("stories260k"), QStringLiteral("--pairs"),
                               QStringLiteral("<dir>/") + QString::fromUtf8(name), QStringLiteral("--layer"),
                               QStringLiteral("1"), QStringLiteral("--out"), QStringLiteral("<dir>/v.safetensors")};
        };
        row("pairs: JSONL records all bad",
            pairsFile("p.jsonl", "{\"prompt\": \"a\", \"positive\": \" b\"}\n"
                                 "{\"prompt\": \"a\", \"positive\": 3, \"negative\": \" c\"}\n"
                                 "not json\n"
                                 "{\"prompt\": \"a\", \"positive\": \" same\", \"negative\": \" same\"}\n"
                                 "{\"prompt\": \"a\", \"positive\": \" \", \"negative\": \" c\"}\n"
                                 "[\"a\", \" b\", \" c\"]\n"
                                 "{\"text\": \"a\"}\n"),
            extractArgs("p.jsonl"), 1,
            "steerbridge-cli: error: <dir>/p.jsonl: no usable contrastive pair; every record has a problem: "
            "<dir>/p.jsonl: line 1: missing field 'negative' "
            "<dir>/p.jsonl: line 2: field 'positive' must be a string, got number "
            "<dir>/p.jsonl: line 3: invalid JSON (parse error at line 1, column 2: syntax error while parsing value - "
            "invalid literal; last read: 'no') "
            "<dir>/p.jsonl: line 4: positive and negative are identical (no contrast) "
            "<dir>/p.jsonl: line 5: the positive continuation is empty "
            "<dir>/p.jsonl: line 6: expected a JSON object, got array "
            "<dir>/p.jsonl: line 7: no known fields (expected prompt/positive/negative or "
            "question/answer_matching_behavior/answer_not_matching_behavior)");
        row("pairs: number past the double range (fuzz finding)",
            pairsFile("p.jsonl", "{\"prompt\": \"a\", \"positive\": \" b\", \"negative\": \" c\", \"weight\": 1e999}\n"),
            extractArgs("p.jsonl"), 1,
            "steerbridge-cli: error: <dir>/p.jsonl: no usable contrastive pair; every record has a problem: "
            "<dir>/p.jsonl: line 1: invalid JSON (number overflow parsing '1e999'; expected a number within the double "
            "range)");
        row("pairs: CAA answers of the wrong type",
            pairsFile("p.jsonl", "{\"question\": \"Q?\", \"answer_matching_behavior\": 1, "
                                 "\"answer_not_matching_behavior\": \"(B)\"}\n"
                                 "{\"question\": \"Q?\", \"answer_matching_behavior\": \"(A)\", "
                                 "\"answer_not_matching_behavior\": [2]}\n"),
            extractArgs("p.jsonl"), 1,
            "steerbridge-cli: error: <dir>/p.jsonl: no usable contrastive pair; every record has a problem: "
            "<dir>/p.jsonl: line 1: field 'answer_matching_behavior' must be a string or a non-empty list of strings, "
            "got number "
            "<dir>/p.jsonl: line 2: field 'answer_not_matching_behavior' must hold strings, got number");
        row("pairs: stray brace in a JSON array (fuzz finding)", pairsFile("p.json", "[}]"), extractArgs("p.json"), 1,
            "steerbridge-cli: error: <dir>/p.json: line 1: unexpected '}' in the JSON array (expected a record, ',' or "
            "']')");
        row("pairs: JSON array never closed",
            pairsFile("p.json", "[\n{\"prompt\": \"a\", \"positive\": \" b\", \"negative\": \" c\"},\n{\"prompt\": \"x"),
            extractArgs("p.json"), 1,
            "steerbridge-cli: error: <dir>/p.json: JSON array is not closed (record starting at line 3 never ends)");
        row("pairs: JSON array without ']'",
            pairsFile("p.json", "[{\"prompt\": \"a\", \"positive\": \" b\", \"negative\": \" c\"}"),
            extractArgs("p.json"), 1, "steerbridge-cli: error: <dir>/p.json: JSON array is not closed with ']'");
        row("pairs: text after the JSON array",
            pairsFile("p.json", "[{\"prompt\": \"a\", \"positive\": \" b\", \"negative\": \" c\"}]\n]"),
            extractArgs("p.json"), 1, "steerbridge-cli: error: <dir>/p.json: unexpected text after the JSON array at line 2");
        row("pairs: .json file that is not an array", pairsFile("p.json", "\"pairs\""), extractArgs("p.json"), 1,
            "steerbridge-cli: error: <dir>/p.json: expected a JSON array of records at line 1");
        row("pairs: CSV without the columns", pairsFile("p.csv", "a,b,c\n1,2,3\n"), extractArgs("p.csv"), 1,
            "steerbridge-cli: error: <dir>/p.csv: the CSV header must name the columns prompt, positive, negative (or "
            "question, answer_matching_behavior, answer_not_matching_behavior)");
        row("pairs: CSV bad lines",
            pairsFile("p.csv", "prompt,positive,negative\n"
                               "only,two\n"
                               "P, bad\"quote, n\n"
                               "\"Q\"x, y, z\n"
                               "\"never closed, a, b\n"),
            extractArgs("p.csv"), 1,
            "steerbridge-cli: error: <dir>/p.csv: no usable contrastive pair; every record has a problem: "
            "<dir>/p.csv: line 2: expected 3 fields, got 2 "
            "<dir>/p.csv: line 3: stray quote inside unquoted field 2 "
            "<dir>/p.csv: line 4: text after a closing quote in field 1 "
            "<dir>/p.csv: line 5: unterminated quoted field");
        row("pairs: CSV header with a bad quote", pairsFile("p.csv", "\"prompt\"x,positive,negative\n"),
            extractArgs("p.csv"), 1,
            "steerbridge-cli: error: <dir>/p.csv: header row (line 1): text after a closing quote in field 1");
        row("pairs: empty file", pairsFile("p.jsonl", ""), extractArgs("p.jsonl"), 1,
            "steerbridge-cli: error: <dir>/p.jsonl: no contrastive pairs (expected jsonl records with "
            "prompt/positive/negative)");
        row("pairs: file missing", none, extractArgs("absent.jsonl"), 1,
            "steerbridge-cli: error: <dir>/absent.jsonl: cannot open file (No such file or directory)");

        // ---- GGUF control vectors (export-vector FILE.gguf --out o.safetensors)
        auto ggufFile = [](std::function<QByteArray()> bytes) {
            return Setup([bytes](const QString& d) { sbtest::writeBytes(d + QStringLiteral("/v.gguf"), bytes()); });
        };
        const QStringList exportArgs{QStringLiteral("export-vector"), QStringLiteral("<dir>/v.gguf"), QStringLiteral("--out"),
                                     QStringLiteral("<dir>/o.safetensors")};
        row("gguf: wrong magic", ggufFile([]() -> QByteArray { return QByteArrayLiteral("GGUX") + controlVector().mid(4); }), exportArgs, 1,
            "steerbridge-cli: error: <dir>/v.gguf: not a GGUF file (the first four bytes are not 'GGUF')");
        row("gguf: empty file", ggufFile([] { return QByteArray(); }), exportArgs, 1,
            "steerbridge-cli: error: <dir>/v.gguf: truncated GGUF file: magic at byte 0 needs 4 bytes, 0 left");
        row("gguf: truncated in the data", ggufFile([] { return controlVector().chopped(4); }), exportArgs, 1,
            "steerbridge-cli: error: <dir>/v.gguf: tensor 'direction.1' data (16 bytes at offset 0) runs past the end "
            "of the file");
        row("gguf: truncated in the header", ggufFile([] { return controlVector().left(40); }), exportArgs, 1,
            "steerbridge-cli: error: <dir>/v.gguf: truncated GGUF file: metadata key at byte 32 needs 20 bytes, 8 left");
        row("gguf: unsupported version",
            ggufFile([] { return ggufBytes({{"general.architecture", "controlvector"}}, {{"direction.1", {4}, 0, 0}}, fourFloats(), 9); }),
            exportArgs, 1, "steerbridge-cli: error: <dir>/v.gguf: GGUF version 9 is not supported (expected 2 or 3)");
        row("gguf: a model, not a control vector",
            ggufFile([] { return ggufBytes({{"general.architecture", "llama"}}, {{"token_embd.weight", {4}, 0, 0}}, fourFloats()); }),
            exportArgs, 1,
            "steerbridge-cli: error: <dir>/v.gguf: general.architecture is 'llama', not 'controlvector' (this is a "
            "model, not a control vector)");
        row("gguf: no direction tensors",
            ggufFile([] { return ggufBytes({{"general.architecture", "controlvector"}}, {{"other", {4}, 0, 0}}, fourFloats()); }),
            exportArgs, 1, "steerbridge-cli: error: <dir>/v.gguf: no direction.N tensors (not a llama.cpp control vector)");
        row("gguf: direction.0",
            ggufFile([] { return ggufBytes({{"general.architecture", "controlvector"}}, {{"direction.0", {4}, 0, 0}}, fourFloats()); }),
            exportArgs, 1,
            "steerbridge-cli: error: <dir>/v.gguf: tensor 'direction.0' is invalid (llama.cpp control vectors start at "
            "layer 1)");
        row("gguf: direction not F32",
            ggufFile([] { return ggufBytes({{"general.architecture", "controlvector"}}, {{"direction.1", {4}, 1, 0}}, fourFloats()); }),
            exportArgs, 1, "steerbridge-cli: error: <dir>/v.gguf: tensor 'direction.1' is not F32 (ggml type 1)");
        row("gguf: directions of different widths",
            ggufFile([] {
                return ggufBytes({{"general.architecture", "controlvector"}},
                                 {{"direction.1", {4}, 0, 0}, {"direction.2", {2}, 0, 0}}, fourFloats());
            }),
            exportArgs, 1,
            "steerbridge-cli: error: <dir>/v.gguf: tensor 'direction.2' has 2 elements, the earlier directions 4");
        row("gguf: tensor shape past 64 bits (fuzz finding)",
            ggufFile([] {
                return ggufBytes({{"general.architecture", "controlvector"}},
                                 {{"direction.1", {quint64(1) << 32, quint64(1) << 32}, 0, 0}}, fourFloats());
            }),
            exportArgs, 1,
            "steerbridge-cli: error: <dir>/v.gguf: tensor 'direction.1' has 4294967296 x 4294967296 elements, more "
            "than the file's 144 bytes can hold");
        row("gguf: model hint not UTF-8",
            ggufFile([] {
                return ggufBytes({{"general.architecture", "controlvector"}, {"controlvector.model_hint", "llama\xff"}},
                                 {{"direction.1", {4}, 0, 0}}, fourFloats());
            }),
            exportArgs, 1,
            "steerbridge-cli: error: <dir>/v.gguf: metadata 'controlvector.model_hint' is not valid UTF-8 (byte 5; "
            "GGUF strings must be UTF-8)");

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
        if (sbtest::kSanitizerBuild && QString::fromUtf8(QTest::currentDataTag()).startsWith(QStringLiteral("tokenizer.model")))
            QSKIP("SentencePiece .model files are refused in sanitizer builds before they are read (docs/tokenizers.md)");
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
