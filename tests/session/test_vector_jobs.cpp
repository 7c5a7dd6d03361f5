// The vector jobs on real threads with the real stories260k model and
// tokenizer: extraction at the functional stages, evaluation, streamed steered
// generation (the unsteered run must equal a plain generate() call made here),
// cancellation and failures delivered as signals.

#include "common/test_util.h"

#include "engine/contrastive_dataset.h"
#include "engine/generation.h"
#include "engine/layer_mapping.h"
#include "engine/model.h"
#include "engine/tokenizer.h"
#include "session/model_session.h"
#include "session/vector_jobs.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <QSignalSpy>
#include <QTemporaryDir>

using namespace sb;

namespace {
LoadedModel g_loaded;

LoadedModel load(const char* name)
{
    LoadModelJob job(QString::fromStdString(sbtest::demoModel(name)));
    QSignalSpy done(&job, &Job::done);
    LoadedModel out;
    QObject::connect(&job, &LoadModelJob::finished, &job, [&](const LoadedModel& m) { out = m; });
    job.start();
    done.wait(60000);
    return out;
}

QString pairsFile(const char* name) { return sbtest::resourceDir() + QStringLiteral("/pairs/") + QString::fromUtf8(name); }

VectorSet extract(const ExtractionParams& p)
{
    ExtractVectorsJob job(p);
    QSignalSpy done(&job, &Job::done);
    VectorSet out;
    QObject::connect(&job, &ExtractVectorsJob::finished, &job, [&](const VectorSet& v) { out = v; });
    QSignalSpy failed(&job, &Job::failed);
    job.start();
    done.wait(120000);
    if (!failed.isEmpty())
        qWarning("%s", qPrintable(failed.at(0).at(0).toString()));
    return out;
}
} // namespace

class TestVectorJobs : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        g_loaded = load("stories260k");
        QVERIFY(g_loaded.isValid());
        QVERIFY(g_loaded.tokenizer != nullptr);
    }
    void cleanupTestCase() { g_loaded = {}; }

    void extractionAtTheStages()
    {
        ExtractionParams p;
        p.model = g_loaded;
        p.pairsFile = pairsFile("happy_vs_sad.jsonl");
        p.stage = QStringLiteral("all");
        p.component = QStringLiteral("mlp_out");
        p.method = QStringLiteral("pca");
        VectorSet v = extract(p);
        QVERIFY(v.isValid());
        QCOMPARE(v.summaries.size(), 3);
        const int64_t layers = g_loaded.model->spec().numLayers;
        QCOMPARE(v.summaries[0].layer, int(functionalLayer(FunctionalStage::FeatureExtraction, layers)));
        QCOMPARE(v.summaries[1].layer, int(functionalLayer(FunctionalStage::Representation, layers)));
        QCOMPARE(v.summaries[2].layer, int(functionalLayer(FunctionalStage::DecisionMaking, layers)));
        QCOMPARE(v.summaries[1].stage, QStringLiteral("representation"));
        QCOMPARE(v.summaries[1].component, QStringLiteral("mlp_out"));
        QCOMPARE(v.summaries[1].method, QStringLiteral("pca"));
        QCOMPARE(v.trainPairs, 30);
        QCOMPARE(v.heldOutPairs, 30);
        QCOMPARE(v.summaries[1].values.size(), 64);
        QVERIFY(v.summaries[1].norm > 0);
        QVERIFY(v.summaries[1].meanActivationNorm > 0);
        QVERIFY(v.datasetProblems.isEmpty());

        // Saved and loaded back through the session helpers (safetensors and GGUF).
        QTemporaryDir dir;
        QString err;
        const QString st = dir.filePath(QStringLiteral("v.safetensors"));
        QVERIFY(saveVectorSet(v, st, &err));
        VectorSet back = loadVectorSet(st, &err);
        QVERIFY2(back.isValid(), qPrintable(err));
        QCOMPARE(back.summaries[2].values, v.summaries[2].values);
        QVERIFY(!saveVectorSet(v, dir.filePath(QStringLiteral("v.gguf")), &err)); // layer 0 has no llama.cpp slot
        QVERIFY(err.contains(QStringLiteral("direction.0")));
        QVERIFY(!loadVectorSet(dir.filePath(QStringLiteral("none.gguf")), &err).isValid());
        QVERIFY(err.contains(QStringLiteral("none.gguf")));
    }

    void evaluationJob()
    {
        ExtractionParams p;
        p.model = g_loaded;
        p.pairsFile = pairsFile("happy_vs_sad.jsonl");
        p.layer = 2;
        VectorSet v = extract(p);
        QVERIFY(v.isValid());
        EvaluationParams e;
        e.model = g_loaded;
        e.vectors = v;
        e.pairsFile = p.pairsFile;
        e.alphas = {0.0, 2.0};
        e.randomDraws = 2;
        EvaluateVectorsJob job(e);
        QSignalSpy progress(&job, &Job::progress);
        QSignalSpy done(&job, &Job::done);
        EvaluationSummary s;
        connect(&job, &EvaluateVectorsJob::finished, this, [&](const EvaluationSummary& r) { s = r; });
        job.start();
        QVERIFY(done.wait(120000));
        QCOMPARE(s.numPairs, 30);
        QVERIFY(s.pairs.contains(QStringLiteral("held-out")));
        QCOMPARE(s.rows.size(), 4); // vector and random at two alphas
        QCOMPARE(s.rows[0].label, QStringLiteral("vector"));
        QCOMPARE(s.rows[0].shift, 0.0); // alpha 0: exactly unchanged
        QVERIFY(s.rows[0].hasSideEffects);
        QCOMPARE(s.rows[0].kl, 0.0);
        QVERIFY(!progress.isEmpty());
        QVERIFY(s.json.contains(QStringLiteral("\"conditions\"")));
    }

    void steeredGenerationStreams()
    {
        ExtractionParams p;
        p.model = g_loaded;
        p.pairsFile = pairsFile("happy_vs_sad.jsonl");
        p.layer = 2;
        VectorSet v = extract(p);
        SteeredGenerationParams g;
        g.model = g_loaded;
        g.vectors = v;
        g.alpha = 6.0;
        g.prompt = QStringLiteral("Once upon a time, there was a little girl named Lily.");
        g.maxNewTokens = 20;
        SteeredGenerationJob job(g);
        QSignalSpy updates(&job, &SteeredGenerationJob::textUpdated);
        QSignalSpy done(&job, &Job::done);
        SteeredTexts texts;
        connect(&job, &SteeredGenerationJob::finished, this, [&](const SteeredTexts& t) { texts = t; });
        job.start();
        QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty(), 60000); // polls: done comes from the worker thread and may precede wait()
        job.wait(); // the worker may still be inside Q_EMIT done(): let it return before the spies go
        QVERIFY(updates.size() >= 2);
        QCOMPARE(updates.first().at(0).toInt(), 0);
        QCOMPARE(updates.last().at(0).toInt(), 1);
        QCOMPARE(updates.last().at(1).toString(), texts.steered);
        // The unsteered run is plain greedy generation.
        c10::InferenceMode guard;
        GenerationRequest req;
        req.prompts = {g_loaded.tokenizer->encode(g.prompt.toStdString(), true).ids};
        req.params.maxNewTokens = 20;
        req.params.stopTokens = {*g_loaded.tokenizer->eosId()};
        auto plain = generate(*g_loaded.model, req);
        QCOMPARE(texts.unsteered, QString::fromStdString(g_loaded.tokenizer->decode(plain.generated[0], true)));
        QVERIFY(!texts.steered.isEmpty());
    }

    void importedPairsAndSplit()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("mixed.jsonl"));
        sbtest::writeBytes(file, "{\"prompt\": \"P\", \"positive\": \" a\", \"negative\": \" b\"}\n"
                                 "{oops\n"
                                 "{\"prompt\": \"Q\", \"positive\": \" c\", \"negative\": \" d\"}\n");
        ImportedPairs imp = importPairFile(file);
        QVERIFY(imp.error.isEmpty());
        QCOMPARE(imp.prompts, (QStringList{QStringLiteral("P"), QStringLiteral("Q")}));
        QCOMPARE(imp.negatives, (QStringList{QStringLiteral(" b"), QStringLiteral(" d")}));
        QCOMPARE(imp.lines, (QVector<int>{1, 3}));
        QCOMPARE(imp.problemLines, (QVector<int>{2}));
        QCOMPARE(imp.problemReasons.size(), 1);
        QCOMPARE(imp.hash.size(), 64);
        ImportedPairs missing = importPairFile(dir.filePath(QStringLiteral("none.jsonl")));
        QVERIFY(missing.error.contains(QStringLiteral("none.jsonl")));
        QVERIFY(missing.prompts.isEmpty());

        ContrastiveDataset d;
        d.pairs.resize(12);
        QVector<int> expected;
        for (int64_t i : splitDataset(d, 0.5, 2024).heldOutIndices)
            expected << static_cast<int>(i);
        QCOMPARE(heldOutIndices(12, 0.5, 2024), expected);
        QCOMPARE(heldOutIndices(12, 0.5, 2024).size(), 6);
        QVERIFY(heldOutIndices(1, 0.5, 2024).isEmpty()); // cannot split: empty, no throw
        QVERIFY(heldOutIndices(12, 1.5, 2024).isEmpty());
    }

    void cancelAndFail()
    {
        ExtractionParams p;
        p.model = g_loaded;
        p.pairsFile = pairsFile("happy_vs_sad.jsonl");
        p.stage = QStringLiteral("all");
        {
            ExtractVectorsJob job(p);
            QSignalSpy cancelled(&job, &Job::cancelled);
            QSignalSpy finished(&job, &ExtractVectorsJob::finished);
            QSignalSpy done(&job, &Job::done);
            job.cancel();
            job.start();
            QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty(), 60000); // polls: done comes from the worker thread and may precede wait()
        job.wait(); // the worker may still be inside Q_EMIT done(): let it return before the spies go
            QCOMPARE(cancelled.size(), 1);
            QCOMPARE(finished.size(), 0);
        }
        p.pairsFile = QStringLiteral("/nonexistent/pairs.jsonl");
        ExtractVectorsJob job(p);
        QSignalSpy failed(&job, &Job::failed);
        QSignalSpy done(&job, &Job::done);
        job.start();
        QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty(), 60000); // polls: done comes from the worker thread and may precede wait()
        job.wait(); // the worker may still be inside Q_EMIT done(): let it return before the spies go
        QCOMPARE(failed.size(), 1);
        QVERIFY(failed.at(0).at(0).toString().contains(QStringLiteral("/nonexistent/pairs.jsonl")));
        p.pairsFile = pairsFile("happy_vs_sad.jsonl");
        p.method = QStringLiteral("svd");
        ExtractVectorsJob bad(p);
        QSignalSpy badFailed(&bad, &Job::failed);
        QSignalSpy badDone(&bad, &Job::done);
        bad.start();
        QVERIFY(badDone.wait(60000));
        QVERIFY(badFailed.at(0).at(0).toString().contains(QStringLiteral("svd")));
    }
};

QTEST_GUILESS_MAIN(TestVectorJobs)
#include "test_vector_jobs.moc"
