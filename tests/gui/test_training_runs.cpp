// The Training tab's runs as values, without models: a completed run with a
// measure that was not taken (NaN) and a note, a failed run, a run cancelled
// before training began and a run still going when saved survive panel -> experiment file -> panel with the same
// legend, summaries and curve points (test_training_view does the same with
// real training runs).

#include "experiment_io.h"

#include "engine/experiment_store.h"
#include "session/adapter_jobs.h"
#include "widgets/adapter_training_panel.h"
#include "widgets/loss_plot.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace sb;

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();

void record(AdapterTrainingPanel& panel, int run, const AdapterTrainingStep& s)
{
    panel.recordStep(run, s);
    panel.lossPlot()->addSamples(AdapterTrainingPanel::samplesFor(run, s));
}

bool same(const AdapterTrainingStep& a, const AdapterTrainingStep& b)
{
    const auto eq = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
    return a.step == b.step && a.validation == b.validation && eq(a.learningRate, b.learningRate) &&
           eq(a.total, b.total) && eq(a.mapping, b.mapping) && eq(a.effect, b.effect) &&
           eq(a.consistency, b.consistency);
}
} // namespace

class TestTrainingRuns : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyStatusRoundTrips();
};

void TestTrainingRuns::everyStatusRoundTrips()
{
    AdapterTrainingPanel panel;
    AdapterTrainingParams p;
    p.kind = QStringLiteral("linear");
    p.steps = 3;
    p.learningRate = 0.0125;
    p.seed = 77;
    const int r0 = panel.beginRun(p);
    record(panel, r0, {0, true, 0.0, 2.5, 2.0, 0.375, 0.125});
    record(panel, r0, {1, false, 0.0125, 2.25, 1.75, 0.25, 0.25});
    record(panel, r0, {2, false, 0.00625, 1.0 / 3.0, 0.1, 0.2, 0.0333});
    AdapterTrainingSummary s0;
    s0.kind = QStringLiteral("linear");
    s0.description = QStringLiteral("ridge on 40 rows");
    s0.parameters = 8256;
    s0.sourcePoint = QStringLiteral("blocks.3.hook_resid_post");
    s0.targetPoint = QStringLiteral("blocks.4.hook_resid_post");
    s0.steps = 2;
    s0.bestStep = 2;
    s0.seconds = 0.75;
    s0.mappingErrorFitted = 0.5;
    s0.mappingErrorTrained = kNaN; // not measured
    s0.cosineToNativeFitted = 0.25;
    s0.cosineToNativeTrained = 0.3;
    panel.finishRun(r0, p, s0);
    panel.addNote(QStringLiteral("Used for the transfer."));

    p.kind = QStringLiteral("low_rank");
    const int r1 = panel.beginRun(p);
    record(panel, r1, {1, false, 0.0125, 4.0, 3.0, 0.5, 0.5});
    panel.failRun(r1, QStringLiteral("out of memory"));

    p.kind = QStringLiteral("multi_scale");
    const int cancelled = panel.beginRun(p); // cancelled while the activations were collected
    panel.cancelRun(cancelled);
    panel.cancelRun(r0); // a run with a summary keeps it

    p.kind = QStringLiteral("residual");
    const int running = panel.beginRun(p); // still going when saved
    record(panel, running, {1, false, 0.0125, 5.0, 4.0, 0.5, 0.5});
    record(panel, running, {2, false, 0.0125, 4.5, 3.5, 0.5, 0.5});

    GuiState st;
    st.trainingRuns = panel.runs();
    st.trainingSettings = p;
    st.useAdapterForTransfer = false;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("runs.h5"));
    ExperimentFile f;
    writeGuiState(f.root(), st);
    f.save(path.toStdString());
    const GuiState read = readGuiState(ExperimentFile::load(path.toStdString()).root());

    QCOMPARE(read.useAdapterForTransfer, false);
    QCOMPARE(read.trainingSettings.kind, QStringLiteral("residual"));
    QCOMPARE(read.trainingSettings.seed, quint64(77));
    QCOMPARE(read.trainedRun, -1);
    QVERIFY(!read.trainedAdapter);
    QVERIFY(!read.protocol.isValid());
    QCOMPARE(read.trainingRuns.size(), 4);
    for (int r = 0; r < 4; ++r) {
        const TrainingRunRecord& a = read.trainingRuns[r];
        const TrainingRunRecord& b = st.trainingRuns[r];
        QCOMPARE(a.label, b.label);
        QCOMPARE(a.status, b.status);
        QCOMPARE(a.error, b.error);
        QCOMPARE(a.notes, b.notes);
        QCOMPARE(a.params.kind, b.params.kind);
        QCOMPARE(a.params.learningRate, b.params.learningRate);
        QCOMPARE(a.steps.size(), b.steps.size());
        for (int i = 0; i < a.steps.size(); ++i)
            QVERIFY2(same(a.steps[i], b.steps[i]), qPrintable(QStringLiteral("run %1 step %2").arg(r).arg(i)));
    }
    QCOMPARE(read.trainingRuns[0].status, TrainingRunRecord::Status::Finished);
    QCOMPARE(read.trainingRuns[0].notes, QStringList{QStringLiteral("Used for the transfer.")});
    QVERIFY(std::isnan(read.trainingRuns[0].summary.mappingErrorTrained));
    QCOMPARE(read.trainingRuns[0].summary.cosineToNativeTrained, 0.3);
    QCOMPARE(read.trainingRuns[1].status, TrainingRunRecord::Status::Failed);
    QCOMPARE(read.trainingRuns[1].error, QStringLiteral("out of memory"));
    QCOMPARE(read.trainingRuns[2].status, TrainingRunRecord::Status::Cancelled);
    QCOMPARE(read.trainingRuns[3].status, TrainingRunRecord::Status::Running);
    QCOMPARE(cancelled, 2);
    QCOMPARE(running, 3);

    // Shown again: the finished and failed runs exactly as before; the run
    // that was still going says so, and stays "running" if saved again.
    AdapterTrainingPanel restored;
    restored.restoreRuns(read.trainingRuns);
    const QStringList labels = panel.lossPlot()->runLabels();
    const QStringList labels2 = restored.lossPlot()->runLabels();
    QCOMPARE(labels2.size(), 4);
    QCOMPARE(labels2.mid(0, 3), labels.mid(0, 3));
    QVERIFY2(labels2[0].contains(QStringLiteral("linear")) && !labels2[0].contains(QStringLiteral("cancelled")) &&
                 labels2[1].endsWith(QStringLiteral("(failed)")) && labels2[2].endsWith(QStringLiteral("(cancelled)")),
             qPrintable(labels2.join(QStringLiteral("; "))));
    QCOMPARE(panel.runSummaries().size(), 3);
    QCOMPARE(restored.runSummaries().mid(0, 3), panel.runSummaries());
    QCOMPARE(restored.runSummaries().size(), 4);
    QVERIFY2(restored.runSummaries()[3].contains(QStringLiteral("still going")), qPrintable(restored.runSummaries()[3]));
    QCOMPARE(restored.runs()[3].status, TrainingRunRecord::Status::Running);
    QCOMPARE(restored.runs()[3].error, QString());
    QCOMPARE(restored.runs()[0].notes, panel.runs()[0].notes);
    for (int r = 0; r < 4; ++r)
        for (const QString& split : {QStringLiteral("train"), QStringLiteral("validation")})
            for (const QString& term : panel.lossPlot()->terms())
                QCOMPARE(restored.lossPlot()->sampleCount(r, split, term), panel.lossPlot()->sampleCount(r, split, term));
    QCOMPARE(restored.lossPlot()->totalSamples(), panel.lossPlot()->totalSamples());
}

QTEST_MAIN(TestTrainingRuns)
#include "test_training_runs.moc"
