// steerbridge-cli info / forward / generate as an external script would use them.

#include "common/test_util.h"

#include "engine/safetensors.h"

#include <ATen/ATen.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

using namespace sb;

namespace {
struct Run {
    int code;
    QByteArray out, err;
};
Run cli(const QStringList& args, const QStringList& extraEnv = {})
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SB_QUIET"), QStringLiteral("1"));
    for (const QString& kv : extraEnv)
        env.insert(kv.section(QLatin1Char('='), 0, 0), kv.section(QLatin1Char('='), 1));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(SB_CLI_PATH), args);
    p.waitForFinished(120000);
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}
} // namespace

class TestCliModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void forwardWritesHfConvention()
    {
        QTemporaryDir d;
        const QString out = d.filePath(QStringLiteral("o.safetensors"));
        const QString dir = QString::fromStdString(sbtest::referenceDir("gpt_neox"));
        SafetensorsFile exp(QString(dir + QStringLiteral("/expected.safetensors")).toStdString());
        at::Tensor ids = exp.tensor("input_ids_b");
        QStringList idList;
        for (int64_t i = 0; i < ids.numel(); ++i)
            idList << QString::number(ids[i].item<int64_t>());
        auto r = cli({QStringLiteral("forward"), dir, QStringLiteral("--ids"), idList.join(QLatin1Char(',')),
                      QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, r.err.constData());
        SafetensorsFile got(out.toStdString());
        QCOMPARE(got.info("hidden_states").shape, (std::vector<int64_t>{3, 19, 64}));
        QVERIFY((got.tensor("logits") - exp.tensor("logits_b")).abs().max().item<double>() < 1e-4);
        QVERIFY((got.tensor("hidden_states") - exp.tensor("hidden_states_b")).abs().max().item<double>() < 1e-4);
        QVERIFY((got.tensor("attn_out") - exp.tensor("attn_out_b")).abs().max().item<double>() < 1e-4);
        QVERIFY((got.tensor("mlp_out") - exp.tensor("mlp_out_b")).abs().max().item<double>() < 1e-4);
    }

    void generateJsonMatchesReference()
    {
        const QString dir = QString::fromStdString(sbtest::referenceDir("qwen2"));
        SafetensorsFile exp(QString(dir + QStringLiteral("/expected.safetensors")).toStdString());
        at::Tensor ids = exp.tensor("input_ids_a"), gen = exp.tensor("generated_a");
        QStringList idList;
        for (int64_t i = 0; i < ids.numel(); ++i)
            idList << QString::number(ids[i].item<int64_t>());
        auto r = cli({QStringLiteral("generate"), dir, QStringLiteral("--ids"), idList.join(QLatin1Char(',')),
                      QStringLiteral("--max-new-tokens"), QString::number(gen.numel() - ids.numel()),
                      QStringLiteral("--greedy"), QStringLiteral("--no-eos"), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto obj = QJsonDocument::fromJson(r.out).object();
        const auto arr = obj.value(QStringLiteral("ids")).toArray();
        QCOMPARE(arr.size(), static_cast<int>(gen.numel()));
        for (int i = 0; i < arr.size(); ++i)
            QCOMPARE(static_cast<int64_t>(arr[i].toInteger()), gen[i].item<int64_t>());
    }

    void infoJson()
    {
        auto r = cli({QStringLiteral("info"), QString::fromStdString(sbtest::referenceDir("gemma")), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto obj = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(obj.value(QStringLiteral("attention")).toString(), QStringLiteral("MQA"));
        QCOMPARE(obj.value(QStringLiteral("parameters")).toInteger(), 102720); // fixture README: 102720 parameters
        QCOMPARE(obj.value(QStringLiteral("head_dim")).toInt(), 16);
    }

    void infoReportsUnexpectedTensors()
    {
        // A tensor no llama slot uses is reported, not silently dropped.
        QTemporaryDir d;
        const QString dir = d.filePath(QStringLiteral("m"));
        QVERIFY(sbtest::copyDir(QString::fromStdString(sbtest::referenceDir("llama")), dir));
        const std::string file = QString(dir + QStringLiteral("/model.safetensors")).toStdString();
        std::vector<std::pair<std::string, at::Tensor>> tensors;
        {
            SafetensorsFile f(file);
            for (const auto& [name, info] : f.tensors())
                tensors.emplace_back(name, f.tensor(name).clone());
        }
        tensors.emplace_back("model.layers.1.mlp.extra_proj.weight", at::zeros({2, 2}));
        writeSafetensors(file, tensors);
        auto r = cli({QStringLiteral("info"), dir, QStringLiteral("--json")});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto warnings = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("warnings")).toArray();
        bool named = false;
        for (const auto& w : warnings)
            named = named || (w.toString().contains(QStringLiteral("model.layers.1.mlp.extra_proj.weight")) &&
                              w.toString().contains(QStringLiteral("not used")));
        QVERIFY2(named, r.out.constData());
    }

    void errorsAreOneLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("needle");
        QTest::addColumn<QStringList>("env");
        const QString llama = QString::fromStdString(sbtest::referenceDir("llama"));
        const QString gpt2 = QString::fromStdString(sbtest::referenceDir("gpt2"));
        QStringList ids129;
        for (int i = 0; i < 129; ++i)
            ids129 << QString::number(i % 50);
        QTest::newRow("forward ids out of vocab")
            << QStringList{QStringLiteral("forward"), gpt2, QStringLiteral("--ids"), QStringLiteral("5,300,7"),
                           QStringLiteral("--out"), QStringLiteral("/tmp/sb-never-written.safetensors")}
            << QStringLiteral("token id 300 at position 1 is outside the vocabulary of gpt2 (0..255)") << QStringList{};
        QTest::newRow("forward past context")
            << QStringList{QStringLiteral("forward"), gpt2, QStringLiteral("--ids"), ids129.join(QLatin1Char(',')),
                           QStringLiteral("--out"), QStringLiteral("/tmp/sb-never-written.safetensors")}
            << QStringLiteral("sequence of 129 tokens exceeds the context length of gpt2 (128 positions")
            << QStringList{};
        QTest::newRow("not enough memory")
            << QStringList{QStringLiteral("info"), llama} << QStringLiteral("but only 1000.0 KiB is available")
            << QStringList{QStringLiteral("SB_MEMORY_LIMIT_BYTES=1024000")};
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << QStringLiteral("unknown command") << QStringList{};
        QTest::newRow("ids out of vocab") << QStringList{QStringLiteral("generate"), llama, QStringLiteral("--ids"),
                                                         QStringLiteral("1,999"), QStringLiteral("--max-new-tokens"),
                                                         QStringLiteral("2")}
                                          << QStringLiteral("token id 999 at position 1") << QStringList{};
        QTest::newRow("bad ids") << QStringList{QStringLiteral("forward"), llama, QStringLiteral("--ids"),
                                                QStringLiteral("1,x"), QStringLiteral("--out"), QStringLiteral("/tmp/x")}
                                 << QStringLiteral("comma-separated integers") << QStringList{};
        QTest::newRow("no such dir") << QStringList{QStringLiteral("info"), QStringLiteral("/nonexistent/model")}
                                     << QStringLiteral("not a directory") << QStringList{};
        QTest::newRow("past context") << QStringList{QStringLiteral("generate"), llama, QStringLiteral("--ids"),
                                                     QStringLiteral("1,2"), QStringLiteral("--max-new-tokens"),
                                                     QStringLiteral("500")}
                                      << QStringLiteral("exceeds the context length") << QStringList{};
    }

    void errorsAreOneLine()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, needle);
        QFETCH(QStringList, env);
        auto r = cli(args, env);
        QVERIFY(r.code != 0);
        const QString err = QString::fromUtf8(r.err);
        QVERIFY2(err.contains(needle), qPrintable(err));
        const QStringList lines = err.trimmed().split(QLatin1Char('\n'));
        QVERIFY2(lines.first().startsWith(QStringLiteral("steerbridge-cli: error: ")), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestCliModel)
#include "test_cli_model.moc"
