// steerbridge-cli protocol as a script would use it (demo pair, kept small):
// the documented --json shape, --csv, --out and --heldout, and usage errors.

#include "common/test_util.h"

#include "engine/experiment_store.h"

#include <QProcess>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

using namespace sb;

namespace {
struct Run {
    int code;
    QByteArray out, err;
};
Run cli(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(SB_CLI_PATH), args);
    p.waitForFinished(300000);
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}
QString model(const char* name) { return QString::fromStdString(sbtest::demoModel(name)); }
QString pairs(const char* name) { return sbtest::resourceDir() + QStringLiteral("/pairs/") + QString::fromUtf8(name); }
QStringList small()
{
    return {QStringLiteral("--stages"),          QStringLiteral("decision_making"),
            QStringLiteral("--components"),      QStringLiteral("resid_post"),
            QStringLiteral("--strategies"),      QStringLiteral("truncate,linear,residual"),
            QStringLiteral("--probe-sentences"), QStringLiteral("40"),
            QStringLiteral("--no-side-effects"), QStringLiteral("--depth-mapping")};
}
} // namespace

class TestCliProtocol : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void jsonCsvAndExperiment()
    {
        QTemporaryDir d;
        const QString csv = d.filePath(QStringLiteral("t.csv")), exp = d.filePath(QStringLiteral("e.h5"));
        // gpt2 -> stories260k: widths 128 -> 64, so truncate applies.
        auto r = cli(QStringList{QStringLiteral("protocol"), model("stories-gpt2"), model("stories260k"),
                                 QStringLiteral("--pairs"), pairs("dog_vs_cat.jsonl"), QStringLiteral("--json"),
                                 QStringLiteral("--csv"), csv, QStringLiteral("--out"), exp} +
                     small());
        QVERIFY2(r.code == 0, r.err.constData());
        auto j = nlohmann::json::parse(r.out.toStdString());
        QVERIFY(j["rows"].is_array());
        QCOMPARE(j["rows"].size(), std::size_t(3));
        std::vector<std::string> strategies;
        for (const auto& row : j["rows"]) {
            for (const char* k : {"point", "component", "strategy", "cosine_to_native", "shift", "ci", "efficiency",
                                  "random_shift", "kl"})
                QVERIFY2(row.contains(k), k);
            QVERIFY(row["ci"][0].get<double>() <= row["shift"].get<double>());
            QVERIFY(row["shift"].get<double>() <= row["ci"][1].get<double>());
            QVERIFY(row["kl"].is_null()); // --no-side-effects
            QCOMPARE(row["component"].get<std::string>(), std::string("resid_post"));
            strategies.push_back(row["strategy"].get<std::string>());
        }
        QCOMPARE(strategies, (std::vector<std::string>{"truncate", "linear", "residual"}));
        QVERIFY(j["best"].is_object());
        // stories-gpt2 has 6 layers: decision_making (90 % depth) is layer 5.
        QVERIFY(j["rows"][0]["point"].get<std::string>().find("decision_making: blocks.5.hook_resid_post") == 0);
        QCOMPARE(sbtest::readBytes(csv).count('\n'), 4);
        ExperimentFile f = ExperimentFile::load(exp.toStdString());
        QCOMPARE(f.root().at("protocol").stringAttribute("source"), std::string("stories-gpt2"));
        QCOMPARE(f.root().at("protocol").dataset("table").shape(), (std::vector<int64_t>{3, 8}));
    }

    void explicitHeldOutSet()
    {
        // --heldout: every pair of --pairs trains, the other file is scored.
        auto r = cli(QStringList{QStringLiteral("protocol"), model("stories260k"), model("stories-gpt2"),
                                 QStringLiteral("--pairs"), pairs("happy_vs_sad.jsonl"), QStringLiteral("--heldout"),
                                 pairs("dog_vs_cat.jsonl"), QStringLiteral("--json")} +
                     small());
        // 64 -> 128: truncate does not apply; two rows.
        QVERIFY2(r.code == 0, r.err.constData());
        auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["rows"].size(), std::size_t(2));
        QCOMPARE(j["train_pairs"].get<int>(), 60);
        QCOMPARE(j["evaluation_pairs"].get<int>(), 40);
    }

    void usageErrors()
    {
        auto r = cli({QStringLiteral("protocol"), model("stories260k"), model("stories-gpt2"), QStringLiteral("--pairs"),
                      pairs("happy_vs_sad.jsonl"), QStringLiteral("--strategies"), QStringLiteral("magic")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("unknown strategy 'magic'"));
        r = cli({QStringLiteral("protocol"), model("stories260k")});
        QCOMPARE(r.code, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliProtocol)
#include "test_cli_protocol.moc"
