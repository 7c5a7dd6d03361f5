// steerbridge-cli info / forward / generate as an external script would use them.

#include "common/test_util.h"

#include "engine/safetensors.h"
#include "engine/system_info.h"

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

    void generateStopsAtEosUnlessNoEos()
    {
        // generation_config.json's eos_token_id set to the 4th new token of HF's
        // greedy continuation: generation ends right after it, --no-eos runs on.
        QTemporaryDir d;
        const QString dir = d.filePath(QStringLiteral("m"));
        QVERIFY(sbtest::copyDir(QString::fromStdString(sbtest::referenceDir("llama")), dir));
        SafetensorsFile exp(QString(dir + QStringLiteral("/expected.safetensors")).toStdString());
        const at::Tensor ids = exp.tensor("input_ids_a"), gen = exp.tensor("generated_a");
        const int64_t n = ids.numel();
        const int64_t eos = gen[n + 3].item<int64_t>();
        int64_t stopAt = n; // its first occurrence among the new tokens
        while (gen[stopAt].item<int64_t>() != eos)
            ++stopAt;
        sbtest::writeBytes(dir + QStringLiteral("/generation_config.json"),
                           QByteArrayLiteral("{\"eos_token_id\": ") + QByteArray::number(static_cast<qint64>(eos)) + "}");
        QStringList idList;
        for (int64_t i = 0; i < n; ++i)
            idList << QString::number(ids[i].item<int64_t>());
        const QStringList base{QStringLiteral("generate"), dir, QStringLiteral("--ids"), idList.join(QLatin1Char(',')),
                               QStringLiteral("--max-new-tokens"), QString::number(gen.numel() - n),
                               QStringLiteral("--json")};
        auto stopped = cli(base);
        QVERIFY2(stopped.code == 0, stopped.err.constData());
        const auto a = QJsonDocument::fromJson(stopped.out).object().value(QStringLiteral("ids")).toArray();
        QCOMPARE(a.size(), static_cast<int>(stopAt + 1));
        for (int i = 0; i < a.size(); ++i)
            QCOMPARE(static_cast<int64_t>(a[i].toInteger()), gen[i].item<int64_t>());
        auto full = cli(base + QStringList{QStringLiteral("--no-eos")});
        QVERIFY2(full.code == 0, full.err.constData());
        QCOMPARE(QJsonDocument::fromJson(full.out).object().value(QStringLiteral("ids")).toArray().size(),
                 static_cast<int>(gen.numel()));
    }

    void generateSampledIsReproducibleBySeed()
    {
        const QString dir = QString::fromStdString(sbtest::referenceDir("gpt2"));
        auto run = [&](const char* seed) {
            auto r = cli({QStringLiteral("generate"), dir, QStringLiteral("--ids"), QStringLiteral("5,17,99"),
                          QStringLiteral("--max-new-tokens"), QStringLiteral("24"), QStringLiteral("--temperature"),
                          QStringLiteral("1.5"), QStringLiteral("--top-p"), QStringLiteral("0.95"),
                          QStringLiteral("--seed"), QString::fromUtf8(seed), QStringLiteral("--no-eos"),
                          QStringLiteral("--json")});
            [&] { QVERIFY2(r.code == 0, r.err.constData()); }();
            return QJsonDocument::fromJson(r.out).object().value(QStringLiteral("ids")).toArray();
        };
        const auto a = run("7");
        QCOMPARE(a.size(), 27);
        QCOMPARE(run("7"), a);
        QVERIFY(run("8") != a);
    }

    void warnsWhenTorchHasNoOptimisedBlas()
    {
        // Debian's reference BLAS/LAPACK put first on the library path replace
        // OpenBLAS under libtorch: the CLI must say so on stderr (and still work).
        const QString blas = QStringLiteral("/usr/lib/x86_64-linux-gnu/blas");
        const QString lapack = QStringLiteral("/usr/lib/x86_64-linux-gnu/lapack");
        if (!QFile::exists(blas + QStringLiteral("/libblas.so.3")) || !QFile::exists(lapack + QStringLiteral("/liblapack.so.3")))
            QSKIP("Debian's reference libblas3/liblapack3 are not installed");
        auto run = [](const QString& libraryPath) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.remove(QStringLiteral("SB_QUIET"));
            if (!libraryPath.isEmpty())
                env.insert(QStringLiteral("LD_LIBRARY_PATH"), libraryPath);
            p.setProcessEnvironment(env);
            p.start(QStringLiteral(SB_CLI_PATH),
                    {QStringLiteral("info"), QString::fromStdString(sbtest::referenceDir("gpt2"))});
            p.waitForFinished(120000);
            return Run{p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
        };
        const auto slow = run(blas + QLatin1Char(':') + lapack);
        QVERIFY2(slow.code == 0, slow.err.constData());
        const QByteArray warning = QByteArray("warning: torch is not using an optimised BLAS (") + blas.toUtf8();
        QVERIFY2(slow.err.contains(warning), slow.err.constData());
        QVERIFY(slow.err.contains("Install libopenblas0-pthread"));
        if (detectBlas().optimized) { // this process has OpenBLAS: so has the CLI, and it stays quiet
            const auto fast = run(QString());
            QVERIFY2(fast.code == 0, fast.err.constData());
            QVERIFY2(!fast.err.contains("optimised BLAS"), fast.err.constData());
        }
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
