// steerbridge-cli tokenize (and generate --prompt) as an external script uses them.

#include "common/test_util.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

namespace {

struct Run {
    int code;
    QByteArray out, err;
};

Run cli(const QStringList& args, const QProcessEnvironment& extra = {})
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SB_QUIET"), QStringLiteral("1"));
    for (const QString& k : extra.keys())
        env.insert(k, extra.value(k));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(SB_CLI_PATH), args);
    p.waitForFinished(300000);
    return { p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError() };
}

QString fixture(const char* name)
{
    return sbtest::dataDir() + QStringLiteral("/tokenizers/") + QString::fromUtf8(name);
}

QList<QJsonObject> jsonLines(const QByteArray& out)
{
    QList<QJsonObject> v;
    for (const QByteArray& line : out.split('\n'))
        if (!line.trimmed().isEmpty())
            v << QJsonDocument::fromJson(line).object();
    return v;
}

QList<qint64> ints(const QJsonValue& v)
{
    QList<qint64> out;
    for (const auto& x : v.toArray())
        out << x.toInteger();
    return out;
}

} // namespace

class TestCliTokenize : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void textGivesIdsTokensOffsets()
    {
        // Offsets are in code points: "é" is one character (two bytes).
        auto r = cli({ QStringLiteral("tokenize"), fixture("gpt2"), QStringLiteral("--text"),
            QStringLiteral("Hello caf\u00e9 world") });
        QVERIFY2(r.code == 0, r.err.constData());
        const auto lines = jsonLines(r.out);
        QCOMPARE(lines.size(), 1);
        const QJsonObject o = lines[0];
        const QJsonArray tokens = o.value(QStringLiteral("tokens")).toArray();
        const QJsonArray offsets = o.value(QStringLiteral("offsets")).toArray();
        QCOMPARE(tokens.size(), o.value(QStringLiteral("ids")).toArray().size());
        QCOMPARE(offsets.size(), tokens.size());
        QCOMPARE(tokens.first().toString(), QStringLiteral("Hello"));
        QCOMPARE(offsets.first().toArray(), (QJsonArray { 0, 5 }));
        QCOMPARE(tokens.last().toString(), QStringLiteral("\u0120world"));
        QCOMPARE(offsets.last().toArray(), (QJsonArray { 10, 16 }));
        QCOMPARE(o.value(QStringLiteral("decoded")).toString(), QStringLiteral("Hello caf\u00e9 world"));
        // The keys come in the documented order: {"ids":..,"tokens":..,"offsets":..,"decoded":..}, one line.
        const QByteArray line = r.out.trimmed();
        QVERIFY2(line.startsWith("{\"ids\":[") && !line.contains('\n'), line.constData());
        const auto tokensAt = line.indexOf("\"tokens\":["), offsetsAt = line.indexOf("\"offsets\":[[");
        const auto decodedAt = line.indexOf("\"decoded\":\"");
        QVERIFY2(0 < tokensAt && tokensAt < offsetsAt && offsetsAt < decodedAt, line.constData());
        QCOMPARE(o.keys().size(), 4);
    }

    void jsonlMatchesFixture()
    {
        // Every llama2 record through --jsonl, with and without special tokens.
        const QString dir = fixture("llama2");
        const QString file = dir + QStringLiteral("/expected.jsonl");
        QList<QJsonObject> want;
        for (const QByteArray& line : sbtest::readBytes(file).split('\n'))
            if (!line.isEmpty())
                want << QJsonDocument::fromJson(line).object();
        auto r = cli({ QStringLiteral("tokenize"), dir, QStringLiteral("--jsonl"), file });
        QVERIFY2(r.code == 0, r.err.constData());
        auto got = jsonLines(r.out);
        QCOMPARE(got.size(), want.size());
        for (int i = 0; i < got.size(); ++i) {
            QCOMPARE(
                ints(got[i].value(QStringLiteral("ids"))), ints(want[i].value(QStringLiteral("ids_with_special"))));
            QCOMPARE(got[i].value(QStringLiteral("decoded")).toString(),
                want[i].value(QStringLiteral("decoded_with_special")).toString());
        }
        r = cli({ QStringLiteral("tokenize"), dir, QStringLiteral("--jsonl"), file, QStringLiteral("--no-special") });
        QVERIFY2(r.code == 0, r.err.constData());
        got = jsonLines(r.out);
        QCOMPARE(got.size(), want.size());
        for (int i = 0; i < got.size(); ++i)
            QCOMPARE(ints(got[i].value(QStringLiteral("ids"))), ints(want[i].value(QStringLiteral("ids"))));
        // The SentencePiece model file itself (refused with a clear error in sanitizer builds).
        if (sbtest::kSanitizerBuild) {
            r = cli({ QStringLiteral("tokenize"), dir + QStringLiteral("/tokenizer.model"), QStringLiteral("--text"),
                QStringLiteral("x") });
            QVERIFY(r.code != 0 && r.err.contains("sanitizer"));
            return;
        }
        r = cli({ QStringLiteral("tokenize"), dir + QStringLiteral("/tokenizer.model"), QStringLiteral("--jsonl"), file,
            QStringLiteral("--no-special") });
        QVERIFY2(r.code == 0, r.err.constData());
        got = jsonLines(r.out);
        QCOMPARE(got.size(), want.size());
        for (int i = 0; i < got.size(); ++i)
            QCOMPARE(ints(got[i].value(QStringLiteral("ids"))), ints(want[i].value(QStringLiteral("spm_ids"))));
    }

    void errors()
    {
        auto r = cli({ QStringLiteral("tokenize"), fixture("gpt2") });
        QCOMPARE(r.code, 2);
        r = cli({ QStringLiteral("tokenize"), fixture("gpt2"), QStringLiteral("--text"), QStringLiteral("a"),
            QStringLiteral("--jsonl"), QStringLiteral("x") });
        QCOMPARE(r.code, 2);
        QTemporaryDir d;
        const QString bad = d.filePath(QStringLiteral("bad.jsonl"));
        sbtest::writeBytes(bad, "{\"text\": \"fine\"}\n{\"txt\": 1}\n");
        r = cli({ QStringLiteral("tokenize"), fixture("gpt2"), QStringLiteral("--jsonl"), bad });
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("line 2") && r.err.contains("\"text\""), r.err.constData());
        r = cli({ QStringLiteral("tokenize"), d.path(), QStringLiteral("--text"), QStringLiteral("a") });
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("no tokenizer.json or tokenizer.model"), r.err.constData());
    }

    void missingSentencePieceModuleIsAClearError()
    {
        if (sbtest::kSanitizerBuild)
            QSKIP("SentencePiece .model files are refused in sanitizer builds before the module is looked for");
        QProcessEnvironment env;
        env.insert(QStringLiteral("SB_SPM_SHIM"), QStringLiteral("/nonexistent/libsb_spm_shim.so"));
        auto r = cli({ QStringLiteral("tokenize"), fixture("llama2") + QStringLiteral("/tokenizer.model"),
                         QStringLiteral("--text"), QStringLiteral("Hello") },
            env);
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("SentencePiece") && r.err.contains("SB_SPM_SHIM"), r.err.constData());
        QVERIFY(!r.err.contains("\n\n"));
    }

    void generateFromPrompt()
    {
        const QString dir = sbtest::resourceDir() + QStringLiteral("/models/stories260k");
        auto tokenized
            = cli({ QStringLiteral("tokenize"), dir, QStringLiteral("--text"), QStringLiteral("Once upon a time") });
        QVERIFY2(tokenized.code == 0, tokenized.err.constData());
        const QList<qint64> promptIds = ints(jsonLines(tokenized.out)[0].value(QStringLiteral("ids")));
        QCOMPARE(promptIds.first(), qint64(1)); // <s>
        auto r = cli({ QStringLiteral("generate"), dir, QStringLiteral("--prompt"), QStringLiteral("Once upon a time"),
            QStringLiteral("--max-new-tokens"), QStringLiteral("12"), QStringLiteral("--greedy"),
            QStringLiteral("--json") });
        QVERIFY2(r.code == 0, r.err.constData());
        const auto o = QJsonDocument::fromJson(r.out).object();
        const QList<qint64> ids = ints(o.value(QStringLiteral("ids")));
        QCOMPARE(ids.mid(0, promptIds.size()), promptIds);
        QCOMPARE(ids.size(), promptIds.size() + 12);
        QVERIFY2(o.value(QStringLiteral("text")).toString().startsWith(QStringLiteral("Once upon a time, there was")),
            qPrintable(o.value(QStringLiteral("text")).toString()));
    }
};

QTEST_GUILESS_MAIN(TestCliTokenize)
#include "test_cli_tokenize.moc"
