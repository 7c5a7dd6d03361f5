// steerbridge-cli compare (and info's architecture report) as a script uses them.

#include "common/test_util.h"

#include "engine/errors.h"
#include "engine/experiment_store.h"
#include "engine/tokenizer.h"

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
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SB_QUIET"), QStringLiteral("1"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(SB_CLI_PATH), args);
    p.waitForFinished(240000);
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

QString demo(const char* name) { return QString::fromStdString(sbtest::demoModel(name)); }

bool tokenizersAvailable()
{
    try {
        Tokenizer::fromDirectory(sbtest::demoModel("stories260k"));
        Tokenizer::fromDirectory(sbtest::demoModel("stories-gpt2"));
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

nlohmann::json pairs(std::initializer_list<std::pair<int, int>> p)
{
    nlohmann::json a = nlohmann::json::array();
    for (const auto& [s, t] : p)
        a.push_back({s, t});
    return a;
}

} // namespace

class TestCliCompare : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void compareJson()
    {
        const Run r = cli({QStringLiteral("compare"), demo("stories260k"), demo("stories-gpt2"), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = nlohmann::json::parse(r.out.toStdString());
        // Reports: exact parameter counts as the models' PROVENANCE.md states them.
        QCOMPARE(j["source"]["name"].get<std::string>(), std::string("stories260k"));
        QCOMPARE(j["source"]["parameters"].get<int64_t>(), int64_t(260032));
        QCOMPARE(j["target"]["parameters"].get<int64_t>(), int64_t(1353728));
        QVERIFY(j["source"]["parameters_exact"].get<bool>());
        QCOMPARE(j["source"]["hidden_size"].get<int>(), 64);
        QCOMPARE(j["target"]["hidden_size"].get<int>(), 128);
        QCOMPARE(j["source"]["attention"].get<std::string>(), std::string("GQA"));
        QCOMPARE(j["source"]["group_size"].get<int>(), 2);
        QCOMPARE(j["target"]["positional"]["kind"].get<std::string>(), std::string("learned"));
        QCOMPARE(j["target"]["norm"].get<std::string>(), std::string("LayerNorm"));
        QCOMPARE(j["source"]["dtype"].get<std::string>(), std::string("F32"));
        QCOMPARE(j["source"]["weight_bytes"].get<int64_t>(), int64_t(260032) * 4);
        // Every component with a score in [0, 1] and a reason; no representational without --measure.
        for (const char* k : {"dimension", "depth", "attention", "normalization", "activation", "positional", "tokenizer",
                              "overall"}) {
            QVERIFY2(j["compatibility"].contains(k), k);
            const double s = j["compatibility"][k]["score"].get<double>();
            QVERIFY(s >= 0.0 && s <= 1.0);
            QVERIFY(!j["compatibility"][k]["reason"].get<std::string>().empty());
        }
        QVERIFY(!j["compatibility"].contains("representational"));
        QCOMPARE(j["compatibility"]["dimension"]["score"].get<double>(), 0.5);     // 64 / 128
        QCOMPARE(j["compatibility"]["depth"]["score"].get<double>(), 5.0 / 6.0);   // 5 / 6 layers
        // dimension 0.5 <= 0.7: whatever the overall, not direct means adapted.
        QVERIFY(j["compatibility"]["overall"]["score"].get<double>() <= 0.8);
        QCOMPARE(j["strategy"]["strategy"].get<std::string>(), std::string("adapted"));
        QVERIFY(j["strategy"]["reasons"].size() >= 2);
        // Depth mapping 5 -> 6 by block centres: floor((2i+1) * 6 / 10).
        QCOMPARE(j["mapping"]["depth"], pairs({{0, 0}, {1, 1}, {2, 3}, {3, 4}, {4, 5}}));
        QVERIFY(!j["mapping"].contains("measured"));
        QVERIFY(!j.contains("similarity"));
        QCOMPARE(j["stages"].size(), std::size_t(3));
        QCOMPARE(j["stages"][1]["stage"].get<std::string>(), std::string("representation"));
        QCOMPARE(j["stages"][1]["source_layer"].get<int>(), 3);
        QCOMPARE(j["stages"][1]["depth_target_layer"].get<int>(), 3);
        QCOMPARE(j["stages"][2]["depth_target_layer"].get<int>(), 5);
    }

    void measured()
    {
        QTemporaryDir dir;
        const QString out = dir.path() + QStringLiteral("/exp.h5");
        const Run r = cli({QStringLiteral("compare"), demo("stories260k"), demo("stories-gpt2"), QStringLiteral("--measure"),
                           QStringLiteral("--json"), QStringLiteral("--out"), out});
        if (!tokenizersAvailable()) {
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.contains("needs both tokenizers"), r.err.constData());
            QVERIFY(!QFile::exists(out));
            QSKIP("tokenizers not available in this build: the measured comparison cannot run");
        }
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = nlohmann::json::parse(r.out.toStdString());
        for (const char* k : {"cka", "cka_debiased", "mutual_knn"}) {
            QCOMPARE(j["similarity"][k].size(), std::size_t(5));
            QCOMPARE(j["similarity"][k][0].size(), std::size_t(6));
        }
        QCOMPARE(j["mapping"]["measured"].size(), std::size_t(5));
        QVERIFY(j["compatibility"].contains("representational"));
        QVERIFY(j["stages"][0].contains("measured_target_layer"));
        // The file holds the same matrices.
        const ExperimentFile f = ExperimentFile::load(out.toStdString());
        const auto cka = f.root().at("comparison/similarity/resid_post").dataset("cka").toDoubles();
        QCOMPARE(cka.size(), std::size_t(30));
        QCOMPARE(cka[7], j["similarity"]["cka"][1][1].get<double>());
        QVERIFY(f.root().at("comparison/probe").strings("sentences").size() >= 500);
    }

    void writesExperimentFile()
    {
        QTemporaryDir dir;
        const QString out = dir.path() + QStringLiteral("/exp.h5");
        // An existing experiment keeps its other groups.
        ExperimentFile existing;
        existing.root().group("vectors").setDataset("v", NumericArray::fromFloat32({3}, {1, 2, 3}));
        existing.save(out.toStdString());
        const Run r = cli({QStringLiteral("compare"), demo("stories260k"), demo("stories-llama96"), QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("strategy:"));
        QVERIFY(r.out.contains("layer mapping"));
        const ExperimentFile f = ExperimentFile::load(out.toStdString());
        QCOMPARE(f.root().at("vectors").dataset("v").toDoubles(), (std::vector<double>{1, 2, 3}));
        const auto& c = f.root().child("comparison");
        QCOMPARE(c.stringAttribute("source_name"), std::string("stories260k"));
        QCOMPARE(c.stringAttribute("target_name"), std::string("stories-llama96"));
        QCOMPARE(c.intAttribute("measured"), int64_t(0));
        // 5 -> 4 layers: floor((2i+1) * 4 / 10) = 0, 1, 2, 2, 3.
        QCOMPARE(c.child("mapping").dataset("depth").toInt64s(), (std::vector<int64_t>{0, 0, 1, 1, 2, 2, 3, 2, 4, 3}));
        QCOMPARE(c.jsonAttribute("source_report")["hidden_size"].get<int>(), 64);
        QCOMPARE(c.jsonAttribute("target_report")["hidden_size"].get<int>(), 96);

        // A file that is not an experiment is refused and left alone.
        const QString other = dir.path() + QStringLiteral("/notes.h5");
        sbtest::writeBytes(other, QByteArray("my notes\n"));
        const Run bad = cli({QStringLiteral("compare"), demo("stories260k"), demo("stories-llama96"), QStringLiteral("--out"), other});
        QCOMPARE(bad.code, 1);
        QVERIFY2(bad.err.contains("notes.h5") && bad.err.contains("not an HDF5 file"), bad.err.constData());
        QCOMPARE(sbtest::readBytes(other), QByteArray("my notes\n"));
    }

    void usageErrors()
    {
        Run r = cli({QStringLiteral("compare"), demo("stories260k")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("usage: steerbridge-cli compare SOURCE_DIR TARGET_DIR"));
        r = cli({QStringLiteral("compare"), demo("stories260k"), demo("stories-gpt2"), QStringLiteral("--bogus")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("unknown option --bogus"));
        r = cli({QStringLiteral("compare"), demo("stories260k"), QStringLiteral("/nonexistent/model")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("not a directory"));
    }

    void infoReport()
    {
        const Run r = cli({QStringLiteral("info"), demo("stories-gpt2"), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["parameters"].get<int64_t>(), int64_t(1353728));
        QCOMPARE(j["residual"].get<std::string>(), std::string("sequential"));
        QCOMPARE(j["mlp"].get<std::string>(), std::string("plain"));
        QCOMPARE(j["mlp_width"].get<int>(), 512); // n_inner null -> 4 * n_embd
        QCOMPARE(j["activation_config"].get<std::string>(), std::string("gelu_new"));
        QVERIFY(j["tied_embeddings"].get<bool>());
        QCOMPARE(j["context_length"].get<int>(), 256);
        QVERIFY(j.contains("tokenizer"));
        if (tokenizersAvailable()) {
            QVERIFY(j["tokenizer"]["present"].get<bool>());
            QCOMPARE(j["tokenizer"]["kind"].get<std::string>(), std::string("byte-level BPE"));
            QCOMPARE(j["tokenizer"]["vocab_size"].get<int>(), 1024);
        } else {
            QVERIFY(!j["tokenizer"]["present"].get<bool>());
            QVERIFY(!j["tokenizer"]["error"].get<std::string>().empty());
        }
    }
};

QTEST_GUILESS_MAIN(TestCliCompare)
#include "test_cli_compare.moc"
