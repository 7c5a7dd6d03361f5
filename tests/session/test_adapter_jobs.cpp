// The adapter training job on a real worker thread with the demo models:
// every step arrives as a signal, the results land in the experiment file and
// the adapter file, and a cancel keeps the partial result.

#include "common/test_util.h"

#include "engine/dimension_adapter.h"
#include "engine/experiment_store.h"
#include "session/adapter_jobs.h"
#include "session/model_session.h"

#include <QSignalSpy>
#include <QTemporaryDir>

using namespace sb;

namespace {
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

LoadedModel g_source, g_target;

AdapterTrainingParams params()
{
    AdapterTrainingParams p;
    p.source = g_source;
    p.target = g_target;
    p.pairsFile = sbtest::resourceDir() + QStringLiteral("/pairs/happy_vs_sad.jsonl");
    p.maxProbeSentences = 30;
    p.kind = QStringLiteral("architecture_aware");
    return p;
}
} // namespace

class TestAdapterJobs : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        g_source = load("stories260k");
        g_target = load("stories-gpt2");
        QVERIFY(g_source.isValid() && g_target.isValid());
    }

    void stepsArriveAndResultsAreStored()
    {
        QTemporaryDir dir;
        AdapterTrainingParams p = params();
        p.steps = 4;
        p.validateEvery = 2;
        p.experimentFile = dir.path() + QStringLiteral("/exp.h5");
        p.adapterFile = dir.path() + QStringLiteral("/adapter.safetensors");
        p.name = QStringLiteral("aa_rep");
        AdapterTrainingJob job(p);
        QSignalSpy steps(&job, &AdapterTrainingJob::stepReported);
        QSignalSpy done(&job, &Job::done);
        QSignalSpy failed(&job, &Job::failed);
        AdapterTrainingSummary out;
        connect(&job, &AdapterTrainingJob::finished, this, [&](const AdapterTrainingSummary& s) { out = s; });
        job.start();
        QVERIFY(done.wait(120000));
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
        // One signal per step and per validation (0, 2, 4), the same as the history.
        QCOMPARE(steps.count(), 4 + 3);
        QCOMPARE(out.history.size(), steps.count());
        int train = 0;
        for (const auto& args : steps) {
            const auto s = args.at(0).value<AdapterTrainingStep>();
            train += s.validation ? 0 : 1;
            QVERIFY(s.total >= 0.0);
        }
        QCOMPARE(train, 4);
        QVERIFY(!out.cancelled);
        QCOMPARE(out.kind, QStringLiteral("architecture_aware"));
        QCOMPARE(out.sourcePoint, QStringLiteral("blocks.3.hook_resid_post"));
        // The store holds the loss history; the adapter file loads back.
        ExperimentFile f = ExperimentFile::load(p.experimentFile.toStdString());
        const auto& g = f.root().at("adapters/aa_rep");
        QCOMPARE(g.dataset("history").shape(), (std::vector<int64_t>{7, 7}));
        QCOMPARE(g.stringAttribute("kind"), std::string("architecture_aware"));
        auto back = loadDimensionAdapter(p.adapterFile.toStdString());
        QCOMPARE(back->sourceDim(), int64_t(64));
        QCOMPARE(back->targetDim(), int64_t(128));
        QCOMPARE(QString::fromStdString(back->description()), out.description);
    }

    void cancelKeepsPartialResults()
    {
        AdapterTrainingParams p = params();
        p.steps = 100000;
        p.patience = 100000;
        AdapterTrainingJob job(p);
        QSignalSpy done(&job, &Job::done);
        QSignalSpy cancelled(&job, &Job::cancelled);
        int seen = 0;
        connect(&job, &AdapterTrainingJob::stepReported, this, [&](const AdapterTrainingStep&) {
            if (++seen == 3)
                job.cancel();
        });
        AdapterTrainingSummary out;
        bool finished = false;
        connect(&job, &AdapterTrainingJob::finished, this, [&](const AdapterTrainingSummary& s) {
            out = s;
            finished = true;
        });
        job.start();
        QVERIFY(done.wait(120000));
        QVERIFY(finished);
        QCOMPARE(cancelled.count(), 1);
        QVERIFY(out.cancelled);
        QVERIFY(out.steps >= 2 && out.steps < 100000);
        QVERIFY(out.adapter != nullptr);
        QVERIFY(!out.history.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestAdapterJobs)
#include "test_adapter_jobs.moc"
