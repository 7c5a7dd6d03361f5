// The vectors feature's groups in the experiment file: datasets (hash and
// content), vectors with metadata, kept activations and evaluation tables
// survive a save and load, and h5py (not SteerBridge) reads them as
// docs/experiment-file.md says.

#include "common/test_util.h"

#include "engine/errors.h"
#include "engine/vector_store.h"

#include <ATen/ATen.h>

#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>

using namespace sb;

namespace {

QString python3WithH5py()
{
    const QString py = QStringLiteral("/usr/bin/python3");
    if (!QFileInfo::exists(py))
        return {};
    QProcess p;
    p.start(py, {QStringLiteral("-c"), QStringLiteral("import h5py, numpy")});
    p.waitForFinished(60000);
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0 ? py : QString();
}

ContrastiveDataset sampleDataset()
{
    ContrastiveDataset d;
    d.name = "tiny";
    d.path = "/somewhere/tiny.jsonl";
    d.pairs = {{"Once, Mia", " smiled.", " cried.", 1}, {"Tom saw ▁ a dog", " and laughed", " and wept", 3}};
    d.problems = {{2, "invalid JSON (x)"}};
    return d;
}

PreferenceVector sampleVector()
{
    PreferenceVector v;
    v.vector = at::tensor({0.5f, -1.5f, 2.0f, 0.25f});
    v.point = {HookSite::MlpOut, 3};
    v.model = "stories260k";
    v.modelType = "llama";
    v.hiddenSize = 4;
    v.modelLayers = 5;
    v.stage = "representation";
    v.method = ExtractionMethod::Probe;
    v.policy = PositionPolicy::AllTokens;
    v.datasetName = "tiny";
    v.datasetHash = sampleDataset().hash();
    v.numPairs = 2;
    v.splitSeed = 7;
    v.heldOutFraction = 0.5;
    v.norm = v.vector.norm().item<double>();
    v.meanActivationNorm = 3.5;
    return v;
}

EvaluationReport sampleReport()
{
    EvaluationReport r;
    r.model = "stories260k";
    r.numPairs = 3;
    r.unsteeredGap = {0.1, -0.2, 0.4, 3};
    for (double alpha : {1.0, 4.0}) {
        ConditionResult c;
        c.label = "vector";
        c.alpha = alpha;
        c.shift = {alpha * 0.5, alpha * 0.4, alpha * 0.6, 3};
        c.shiftPerToken = {alpha * 0.1, alpha * 0.05, alpha * 0.15, 3};
        c.perPairShift = {alpha * 0.4, alpha * 0.5, alpha * 0.6};
        c.sideEffects = SideEffects{0.01 * alpha, 10.0, 10.0 + alpha, 100};
        r.conditions.push_back(c);
        ConditionResult rnd = c;
        rnd.label = "random";
        rnd.shift = {0.01, -0.1, 0.1, 3};
        r.conditions.push_back(rnd);
    }
    r.cosineToNative = 0.75;
    return r;
}

} // namespace

class TestVectorStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("exp.h5")).toStdString();
        ExperimentFile f = openOrCreateExperiment(path); // new
        const std::string ds = storeDataset(f, sampleDataset());
        QCOMPARE(storeDataset(f, sampleDataset()), ds); // same content: stored once
        const std::string vn = storeVector(f, sampleVector());
        const std::string vn2 = storeVector(f, sampleVector());
        QVERIFY(vn != vn2); // unique names
        PairedActivations acts;
        acts.positive = at::randn({5, 4});
        acts.negative = at::randn({4, 4});
        acts.positivePair = {0, 0, 1, 1, 1};
        acts.negativePair = {0, 1, 1, 1};
        acts.numPairs = 2;
        acts.policy = PositionPolicy::AllTokens;
        acts.meanActivationNorm = 2.25;
        const std::string an = storeActivations(f, "stories260k", {HookSite::MlpOut, 3}, acts, sampleDataset().hash());
        const std::string en = storeEvaluation(f, sampleReport(), {vn, sampleDataset().hash(), "held-out 1 of 2", ""});
        f.save(path);

        ExperimentFile g = openOrCreateExperiment(path); // existing
        ContrastiveDataset d = loadStoredDataset(g, ds);
        QCOMPARE(QString::fromStdString(d.hash()), QString::fromStdString(sampleDataset().hash()));
        QCOMPARE(d.pairs.size(), std::size_t(2));
        QCOMPARE(QString::fromStdString(d.pairs[1].prompt), QStringLiteral("Tom saw ▁ a dog"));
        QCOMPARE(d.pairs[1].line, int64_t(3));
        QCOMPARE(d.problems.size(), std::size_t(1));
        PreferenceVector v = loadStoredVector(g, vn);
        QVERIFY(at::equal(v.vector, sampleVector().vector));
        QCOMPARE(v.point, (HookPoint{HookSite::MlpOut, 3}));
        QCOMPARE(v.method, ExtractionMethod::Probe);
        QCOMPARE(v.policy, PositionPolicy::AllTokens);
        QCOMPARE(v.meanActivationNorm, 3.5);
        QCOMPARE(v.splitSeed, uint64_t(7));
        QCOMPARE(storedVectorNames(g).size(), std::size_t(2));
        PairedActivations a = loadStoredActivations(g, an);
        QVERIFY(at::equal(a.positive, acts.positive));
        QCOMPARE(a.negativePair, acts.negativePair);
        QCOMPARE(a.policy, PositionPolicy::AllTokens);
        const auto& e = g.root().at("evaluations/" + en);
        QCOMPARE(e.strings("label").size(), std::size_t(4));
        QCOMPARE(e.dataset("ci").shape(), (std::vector<int64_t>{4, 2}));
        QCOMPARE(e.dataset("per_pair_shift").toDoubles()[3 * 2 + 2], 4.0 * 0.6);
        QCOMPARE(e.jsonAttribute("report")["cosine_to_native"].get<double>(), 0.75);

        // A tampered dataset is detected by its hash.
        g.root().child("datasets").child(ds).setStrings("positive", {" smiled!", " and laughed"});
        sbtest::expectThrowContaining<FormatError>([&] { loadStoredDataset(g, ds); }, {"hash"});
    }

    void readableByH5py()
    {
        const QString py = python3WithH5py();
        if (py.isEmpty())
            QSKIP("python3 with h5py not installed (scripts/deps installs python3-h5py)");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("exp.h5"));
        ExperimentFile f;
        const std::string ds = storeDataset(f, sampleDataset());
        const std::string vn = storeVector(f, sampleVector(), "v");
        const std::string en = storeEvaluation(f, sampleReport(), {vn, "h", "p", ""}, "e");
        f.save(path.toStdString());
        const QString script = QStringLiteral(
            "import sys, json, h5py\n"
            "f = h5py.File(sys.argv[1], 'r')\n"
            "s = lambda x: x.decode() if isinstance(x, bytes) else x\n"
            "d = f['datasets/' + sys.argv[2]]\n"
            "v = f['vectors/v']\n"
            "e = f['evaluations/e']\n"
            "print(json.dumps({\n"
            " 'hash': s(d.attrs['hash']), 'pairs': int(d.attrs['pairs']),\n"
            " 'positive': [s(x) for x in d['positive'][()]],\n"
            " 'vector': v['vector'][()].tolist(), 'dtype': str(v['vector'].dtype),\n"
            " 'point': s(v.attrs['point']), 'method': s(v.attrs['method']), 'layer': int(v.attrs['layer']),\n"
            " 'norm': float(v.attrs['mean_activation_norm']),\n"
            " 'labels': [s(x) for x in e['label'][()]], 'shift': e['shift'][()].tolist(),\n"
            " 'ci': e['ci'][()].tolist(), 'report': json.loads(e.attrs['report'])['num_pairs']}))\n");
        QProcess p;
        p.start(py, {QStringLiteral("-c"), script, path, QString::fromStdString(ds)});
        p.waitForFinished(60000);
        QCOMPARE(p.exitCode(), 0);
        const auto j = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        QCOMPARE(j["hash"].get<std::string>(), sampleDataset().hash());
        QCOMPARE(j["pairs"].get<int>(), 2);
        QCOMPARE(j["positive"][0].get<std::string>(), std::string(" smiled."));
        QCOMPARE(j["vector"], nlohmann::json({0.5, -1.5, 2.0, 0.25}));
        QCOMPARE(j["dtype"].get<std::string>(), std::string("float32"));
        QCOMPARE(j["point"].get<std::string>(), std::string("blocks.3.hook_mlp_out"));
        QCOMPARE(j["method"].get<std::string>(), std::string("probe"));
        QCOMPARE(j["layer"].get<int>(), 3);
        QCOMPARE(j["norm"].get<double>(), 3.5);
        QCOMPARE(j["labels"], nlohmann::json({"vector", "random", "vector", "random"}));
        QCOMPARE(j["shift"][2].get<double>(), 2.0);
        QCOMPARE(j["ci"][2], nlohmann::json({1.6, 2.4}));
        QCOMPARE(j["report"].get<int>(), 3);
    }
};

QTEST_GUILESS_MAIN(TestVectorStore)
#include "test_vector_store.moc"
