// steerbridge-cli extract / steer / evaluate / export-vector as a script
// would use them, on the stories260k demo model.

#include "common/test_util.h"

#include "engine/gguf.h"
#include "engine/preference_vector.h"
#include "engine/safetensors.h"

#include <ATen/ATen.h>

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
    p.waitForFinished(300000);
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}
QString model() { return QString::fromStdString(sbtest::demoModel("stories260k")); }
QString pairs(const char* name) { return sbtest::resourceDir() + QStringLiteral("/pairs/") + QString::fromUtf8(name); }
} // namespace

class TestCliVectors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void extractEvaluateSteerExport()
    {
        QTemporaryDir d;
        const QString vec = d.filePath(QStringLiteral("happy.safetensors"));
        const QString exp = d.filePath(QStringLiteral("exp.h5"));
        auto r = cli({QStringLiteral("extract"), model(), QStringLiteral("--pairs"), pairs("happy_vs_sad.jsonl"),
                      QStringLiteral("--layer"), QStringLiteral("2"), QStringLiteral("--component"),
                      QStringLiteral("resid_post"), QStringLiteral("--method"), QStringLiteral("mean"),
                      QStringLiteral("--out"), vec, QStringLiteral("--store"), exp, QStringLiteral("--json")});
        QVERIFY2(r.code == 0, r.err.constData());
        auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["train_pairs"].get<int>(), 30);
        QCOMPARE(j["vectors"][0]["point"].get<std::string>(), std::string("blocks.2.hook_resid_post"));
        auto vs = loadVectors(vec.toStdString());
        QCOMPARE(vs.size(), std::size_t(1));
        QCOMPARE(vs[0].numPairs, int64_t(30));
        QCOMPARE(vs[0].hiddenSize, int64_t(64));
        QVERIFY(vs[0].meanActivationNorm > 0);
        QVERIFY(QFileInfo::exists(exp));

        // evaluate --json: the documented keys, on the held-out half.
        r = cli({QStringLiteral("evaluate"), model(), QStringLiteral("--vector"), vec, QStringLiteral("--pairs"),
                 pairs("happy_vs_sad.jsonl"), QStringLiteral("--alpha"), QStringLiteral("2"), QStringLiteral("--json"),
                 QStringLiteral("--random-draws"), QStringLiteral("2")});
        QVERIFY2(r.code == 0, r.err.constData());
        j = nlohmann::json::parse(r.out.toStdString());
        for (const char* k : {"shift", "ci", "random_shift", "kl", "ppl_change"})
            QVERIFY2(j.contains(k), k);
        QCOMPARE(j["ci"].size(), std::size_t(2));
        QVERIFY(j["ci"][0].get<double>() <= j["shift"].get<double>());
        QVERIFY(j["shift"].get<double>() <= j["ci"][1].get<double>());
        QCOMPARE(j["pairs"].get<int>(), 30);
        QVERIFY(j["kl"].get<double>() > 0);

        // alpha 0 leaves the model exactly as it was.
        r = cli({QStringLiteral("evaluate"), model(), QStringLiteral("--vector"), vec, QStringLiteral("--pairs"),
                 pairs("happy_vs_sad.jsonl"), QStringLiteral("--alpha"), QStringLiteral("0"), QStringLiteral("--json"),
                 QStringLiteral("--random-draws"), QStringLiteral("1")});
        QVERIFY2(r.code == 0, r.err.constData());
        j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["shift"].get<double>(), 0.0);
        QCOMPARE(j["kl"].get<double>(), 0.0);
        QCOMPARE(j["ppl_change"].get<double>(), 0.0);

        // steer: both texts, side by side in the plain output.
        r = cli({QStringLiteral("steer"), model(), QStringLiteral("--vector"), vec, QStringLiteral("--alpha"),
                 QStringLiteral("4"), QStringLiteral("--prompt"), QStringLiteral("Lily went to the park."),
                 QStringLiteral("--max-new-tokens"), QStringLiteral("16"), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, r.err.constData());
        j = nlohmann::json::parse(r.out.toStdString());
        QVERIFY(!j["unsteered"].get<std::string>().empty());
        QVERIFY(!j["steered"].get<std::string>().empty());
        r = cli({QStringLiteral("steer"), model(), QStringLiteral("--vector"), vec, QStringLiteral("--alpha"),
                 QStringLiteral("4"), QStringLiteral("--prompt"), QStringLiteral("Lily went to the park."),
                 QStringLiteral("--max-new-tokens"), QStringLiteral("8"), QStringLiteral("--seed"), QStringLiteral("3")});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("unsteered"));
        QVERIFY(r.out.contains(" | steered"));

        // export-vector: llama.cpp control vector with direction.2.
        const QString gguf = d.filePath(QStringLiteral("happy.gguf"));
        r = cli({QStringLiteral("export-vector"), vec, QStringLiteral("--out"), gguf});
        QVERIFY2(r.code == 0, r.err.constData());
        GgufFile g = readGguf(gguf.toStdString());
        QCOMPARE(g.tensors.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(g.tensors[0].name), QStringLiteral("direction.2"));
        QCOMPARE(QString::fromStdString(*g.string("controlvector.model_hint")), QStringLiteral("llama"));
        QVERIFY(at::equal(g.tensors[0].data, vs[0].vector));
    }

    void usageErrors()
    {
        auto r = cli({QStringLiteral("extract"), model(), QStringLiteral("--pairs"), pairs("happy_vs_sad.jsonl"),
                      QStringLiteral("--out"), QStringLiteral("/tmp/x.safetensors")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("--layer"));
        r = cli({QStringLiteral("extract"), model(), QStringLiteral("--pairs"), pairs("happy_vs_sad.jsonl"),
                 QStringLiteral("--layer"), QStringLiteral("9"), QStringLiteral("--out"), QStringLiteral("/tmp/x.safetensors")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains("0-4"));
        r = cli({QStringLiteral("extract"), model(), QStringLiteral("--pairs"), pairs("happy_vs_sad.jsonl"),
                 QStringLiteral("--stage"), QStringLiteral("middle"), QStringLiteral("--out"),
                 QStringLiteral("/tmp/x.safetensors")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("middle"));
        QTemporaryDir d;
        const QString wide = d.filePath(QStringLiteral("wide.safetensors"));
        PreferenceVector v;
        v.vector = at::ones({128});
        v.point = {HookSite::ResidPost, 1};
        saveVectors(wide.toStdString(), {v});
        r = cli({QStringLiteral("evaluate"), model(), QStringLiteral("--vector"), wide, QStringLiteral("--pairs"),
                 pairs("happy_vs_sad.jsonl"), QStringLiteral("--alpha"), QStringLiteral("1")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("128"));
    }
};

QTEST_GUILESS_MAIN(TestCliVectors)
#include "test_cli_vectors.moc"
