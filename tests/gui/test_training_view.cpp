// The Training and Protocol tabs through the main window with the real demo
// models and the real session jobs: a short adapter training whose loss
// curves arrive while it runs and the GUI thread never stalls (StallProbe),
// a second run cancelled mid-way (kept in the plot, Train enabled again),
// and a small protocol run whose table is checked cell by cell against the
// engine's own JSON of the result, then sorted by a numeric and a text
// column; the protocol's fine-tuning losses are plotted live. Then the whole
// session is saved and opened in a fresh window: every run's curve points,
// summary and legend entry, the trained adapter's output on a fixed input and
// every protocol cell come back the same, and the reopened adapter transfers
// a new extraction. Corrupted groups are refused, naming the file and the
// path, and the open experiment stays as it was.
//
// Worker signals are waited for by polling (QTRY_*) and job->wait(), never
// QSignalSpy::wait (a signal from a worker can be missed or outlive the spy).

#include "main_window.h"

#include "engine/dimension_adapter.h"
#include "engine/experiment_store.h"
#include "session/adapter_jobs.h"
#include "session/protocol_job.h"
#include "session/transfer_jobs.h"
#include "widgets/adapter_training_panel.h"
#include "widgets/loss_plot.h"
#include "widgets/pair_table_editor.h"
#include "widgets/protocol_results_view.h"

#include "common/stall_probe.h"
#include "common/screenshot.h"
#include "common/test_util.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListWidget>
#include <QLocale>
#include <QMap>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <ATen/ATen.h>

#include <cmath>
#include <functional>

using namespace sb;

namespace {
/// Loads the demo pair through File > Load Demo Pair and waits for the
/// comparison (so its results do not land on the GUI thread while a probe runs).
bool loadDemo(MainWindow& w)
{
    int loaded = 0, compared = 0;
    bool failed = false;
    QObject context; // the connections end with this function
    QObject::connect(&w, &MainWindow::modelLoaded, &context, [&] { ++loaded; });
    QObject::connect(&w, &MainWindow::comparisonReady, &context, [&] { ++compared; });
    QObject::connect(&w, &MainWindow::loadFailed, &context, [&] { failed = true; });
    QObject::connect(&w, &MainWindow::comparisonFailed, &context, [&] { failed = true; });
    w.findChild<QAction*>(QStringLiteral("actionLoadDemo"))->trigger();
    const bool ok = QTest::qWaitFor([&] { return failed || compared > 0; }, 180000) && !failed;
    if (!ok)
        qWarning("demo pair: %s", qPrintable(w.lastError()));
    return ok && loaded == 2;
}

template <typename T> T* child(QWidget* w, const char* name)
{
    T* c = w->findChild<T*>(QString::fromLatin1(name));
    if (!c)
        qWarning("no child %s", name);
    return c;
}

/// The group at `path` ("gui/training/runs/1"), to damage it.
ExperimentGroup& groupAt(ExperimentGroup& root, const QString& path)
{
    ExperimentGroup* g = &root;
    for (const QString& part : path.split(QLatin1Char('/')))
        g = &g->child(part.toStdString());
    return *g;
}

/// Every cell's text and boldness by result row (independent of the sort order).
QMap<int, QStringList> tableCells(const ProtocolResultsView* view)
{
    QMap<int, QStringList> out;
    const QTableWidget* table = view->table();
    for (int r = 0; r < table->rowCount(); ++r) {
        QStringList cells;
        for (int c = 0; c < table->columnCount(); ++c) {
            const QTableWidgetItem* it = table->item(r, c);
            cells << (it ? it->text() + (it->font().bold() ? QStringLiteral(" [bold]") : QString()) +
                               QStringLiteral(" | ") + it->toolTip()
                         : QStringLiteral("(none)"));
        }
        out.insert(view->resultRow(r), cells);
    }
    return out;
}

bool sameNumber(double shown, const QJsonValue& engine)
{
    if (engine.isNull())
        return std::isnan(shown);
    return std::abs(shown - engine.toDouble()) <= 1e-9 * std::max(1.0, std::abs(engine.toDouble()));
}
} // namespace

class TestTrainingView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void trainingPlotsLiveAndCancels();
    void protocolTableShowsTheResultAndSorts();
    void experimentKeepsRunsAdapterAndProtocol();
    void brokenExperimentIsRefused();

private:
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_files;
    QString m_saved; ///< the experiment experimentKeepsRunsAdapterAndProtocol saved
    MainWindow* m_window = nullptr;
};

void TestTrainingView::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SteerBridgeTest"));
    QCoreApplication::setApplicationName(QStringLiteral("test_training_view"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    qputenv("SB_RESOURCE_DIR", sbtest::resourceDir().toUtf8());

    m_window = new MainWindow({true, false});
    m_window->resize(1400, 900); // as test_main_window's screenshots
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    QVERIFY(loadDemo(*m_window));
    const QString file = sbtest::resourceDir() + QStringLiteral("/pairs/happy_vs_sad.jsonl");
    QCOMPARE(m_window->pairEditor()->importFile(file, true), QString());
    QVERIFY(m_window->pairEditor()->pairs().size() >= 4);
}

void TestTrainingView::cleanupTestCase()
{
    delete m_window; // cancels and joins anything still running
}

void TestTrainingView::trainingPlotsLiveAndCancels()
{
    MainWindow& w = *m_window;
    w.tabs()->setCurrentIndex(MainWindow::TrainingTab);
    AdapterTrainingPanel* panel = w.trainingPanel();
    QVERIFY(panel->trainButton()->isEnabled());
    QVERIFY(!panel->cancelButton()->isEnabled());
    QVERIFY2(panel->pointsText().contains(QStringLiteral("representation")), qPrintable(panel->pointsText()));

    // A short run: few steps, a small probe.
    child<QSpinBox>(panel, "adapterSteps")->setValue(24);
    child<QSpinBox>(panel, "adapterValidateEvery")->setValue(4);
    child<QSpinBox>(panel, "adapterPatience")->setValue(1000);
    child<QSpinBox>(panel, "adapterProbeSentences")->setValue(24);
    child<QDoubleSpinBox>(panel, "adapterLearningRate")->setValue(0.001);
    QCOMPARE(panel->settings().steps, 24);
    QCOMPARE(panel->settings().kind, QStringLiteral("architecture_aware"));

    // An extracted vector at the same points first: the trained adapter then
    // replaces the transfer strategy (mean difference, mean over the
    // continuation: what the adapter training extracts too).
    w.tabs()->setCurrentIndex(MainWindow::ExtractionTab);
    QTest::mouseClick(child<QPushButton>(&w, "extractButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(w.transfer() || !w.lastError().isEmpty(), 120000);
    QVERIFY2(w.transfer(), qPrintable(w.lastError()));
    const QString extractedStrategy = w.transfer()->strategy;
    w.tabs()->setCurrentIndex(MainWindow::TrainingTab);

    LossPlot* plot = w.lossPlot();
    // Batches drawn while the job was still running: the curves are live.
    int drawnWhileRunning = 0;
    QObject context; // ends the connection with this test function
    connect(plot, &LossPlot::samplesDrawn, &context, [&] {
        if (w.trainingJob() && w.trainingJob()->isRunning())
            ++drawnWhileRunning;
    });
    QTest::qWait(100); // let the tab paint before measuring
    sbtest::StallProbe probe;
    probe.start();
    QTest::mouseClick(panel->trainButton(), Qt::LeftButton);
    QPointer<AdapterTrainingJob> job = w.trainingJob();
    QVERIFY(job);
    QVERIFY(!panel->trainButton()->isEnabled());
    QVERIFY(panel->cancelButton()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(plot->totalSamples() > 0, 180000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.trainingJob(), 300000);
    if (job)
        job->wait();
    QTest::qWait(100); // the last coalesced replot
    probe.stop();
    qInfo("training run: %s", qPrintable(probe.summary()));
    qInfo("training run: worst GUI-thread work between ticks %.1f ms, worst wall-clock gap %.1f ms",
          probe.worstBusyMs(), probe.worstWallStallMs());
    QVERIFY(probe.ticks() > 20);
    QVERIFY2(probe.worstBusyMs() < sbtest::stallLimitMs(), qPrintable(probe.summary()));
    QVERIFY2(drawnWhileRunning >= 1, "no loss batch was drawn while the training ran");
    QVERIFY(plot->replotCount() >= 1);

    QCOMPARE(panel->runSummaries().size(), 1);
    const QString summary = panel->runSummaries().constFirst();
    QVERIFY2(w.trainedAdapter(), qPrintable(w.lastError()));
    const AdapterTrainingSummary s = *w.trainedAdapter(); // a copy: the next run replaces it
    QVERIFY(!s.cancelled);
    QCOMPARE(s.kind, QStringLiteral("architecture_aware"));
    QCOMPARE(s.sourcePoint, QStringLiteral("blocks.3.hook_resid_post")); // representation: floor(0.6 x 5)
    QVERIFY2(summary.contains(s.sourcePoint) && summary.contains(s.targetPoint), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("completed")) || summary.contains(QStringLiteral("stopped early")),
             qPrintable(summary));
    QVERIFY2(summary.contains(QLocale().toString(s.cosineToNativeTrained, 'f', 3)), qPrintable(summary));
    // Every train step and every validation reached the plot, each loss term.
    const int validations = s.steps / 4 + 1; // at step 0, 4, 8, ...
    for (const char* term : {"total", "mapping", "effect", "consistency"}) {
        QCOMPARE(plot->sampleCount(0, QStringLiteral("train"), QString::fromLatin1(term)), s.steps);
        QCOMPARE(plot->sampleCount(0, QStringLiteral("validation"), QString::fromLatin1(term)), validations);
    }
    QVERIFY(std::isfinite(plot->lastValue(0, QStringLiteral("train"), QStringLiteral("total"))));
    // The adapter now transfers the extracted vector; its cosine to the
    // target's own vector, computed here through the GUI's extraction, is the
    // one the engine reported from its own extraction of the same split.
    QVERIFY(w.transfer());
    QVERIFY2(w.transfer()->strategy.contains(QStringLiteral("trained architecture_aware")),
             qPrintable(w.transfer()->strategy + QStringLiteral(" (was ") + extractedStrategy + QStringLiteral(")")));
    QCOMPARE(w.transfer()->transferred.summaries.value(0).point, s.targetPoint);
    QVERIFY2(std::abs(w.transfer()->cosineToNative - s.cosineToNativeTrained) < 1e-3,
             qPrintable(QStringLiteral("%1 vs %2").arg(w.transfer()->cosineToNative).arg(s.cosineToNativeTrained)));
    QVERIFY2(summary.contains(QStringLiteral("now transferred by this adapter")), qPrintable(summary));
    QVERIFY(panel->trainButton()->isEnabled());
    QVERIFY(!panel->cancelButton()->isEnabled());
    const int firstRunSamples = plot->totalSamples();

    // The plot exports as the other figures do.
    QTemporaryDir dir;
    const QString svg = dir.filePath(QStringLiteral("loss.svg"));
    QCOMPARE(panel->exportTo(svg), QString());
    QVERIFY(sbtest::readBytes(svg).contains("<svg"));

    // A second, long run, cancelled mid-way: kept in the plot as a second run.
    child<QSpinBox>(panel, "adapterSteps")->setValue(100000);
    child<QComboBox>(panel, "adapterKind")->setCurrentIndex(static_cast<int>(AdapterTrainingPanel::kinds().indexOf(QStringLiteral("low_rank"))));
    probe.start();
    QTest::mouseClick(panel->trainButton(), Qt::LeftButton);
    job = w.trainingJob();
    QVERIFY(job);
    QTRY_VERIFY_WITH_TIMEOUT(plot->sampleCount(1, QStringLiteral("train"), QStringLiteral("total")) >= 3, 180000);
    QVERIFY(w.trainingJob());
    QTest::mouseClick(panel->cancelButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!w.trainingJob(), 60000);
    if (job)
        job->wait();
    QTest::qWait(100);
    probe.stop();
    qInfo("cancelled run: %s", qPrintable(probe.summary()));
    QVERIFY2(probe.worstBusyMs() < sbtest::stallLimitMs(), qPrintable(probe.summary()));
    QVERIFY(panel->trainButton()->isEnabled());
    QVERIFY(!panel->cancelButton()->isEnabled());
    QCOMPARE(panel->runSummaries().size(), 2);
    QVERIFY2(panel->runSummaries().last().contains(QStringLiteral("cancelled")), qPrintable(panel->runSummaries().last()));
    QVERIFY(w.trainedAdapter()->cancelled);
    QCOMPARE(w.trainedAdapter()->kind, QStringLiteral("low_rank"));
    const int partial = plot->sampleCount(1, QStringLiteral("train"), QStringLiteral("total"));
    QVERIFY(partial >= 3 && partial < 100000);
    QVERIFY(std::abs(partial - w.trainedAdapter()->steps) <= 1); // the step that saw the cancel may not count
    QCOMPARE(plot->runLabels().size(), 2);
    QVERIFY2(plot->runLabels().at(1).contains(QStringLiteral("cancelled")), qPrintable(plot->runLabels().at(1)));
    QVERIFY(plot->totalSamples() > firstRunSamples);
    QCOMPARE(plot->sampleCount(0, QStringLiteral("train"), QStringLiteral("total")), s.steps); // first run kept
    QVERIFY(w.logText().contains(QStringLiteral("cancelled")));
    sbtest::writeScreenshot(w, "training");
}

void TestTrainingView::protocolTableShowsTheResultAndSorts()
{
    MainWindow& w = *m_window;
    w.tabs()->setCurrentIndex(MainWindow::ProtocolTab);
    ProtocolResultsView* view = w.protocolView();
    QVERIFY(view->runButton()->isEnabled());
    // A small setting: one point, one component, five strategies, 4 training steps.
    ProtocolParams p;
    p.stages = {QStringLiteral("representation")};
    p.components = {QStringLiteral("resid_post")};
    p.strategies = {QStringLiteral("scaled"), QStringLiteral("zero_pad"), QStringLiteral("linear"),
                    QStringLiteral("low_rank"), QStringLiteral("architecture_aware+effect")};
    p.trainingSteps = 4;
    p.maxProbeSentences = 24;
    p.sideEffects = false;
    p.measuredMapping = false;
    view->setSettings(p);
    const ProtocolParams back = view->settings();
    QCOMPARE(back.strategies, p.strategies);
    QCOMPARE(back.stages, p.stages);
    QVERIFY(!child<QCheckBox>(view, "protocolSideEffects")->isChecked());

    QTest::mouseClick(view->runButton(), Qt::LeftButton);
    QPointer<ProtocolJob> job = w.protocolJob();
    QVERIFY(job);
    QVERIFY(view->cancelButton()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(!w.protocolJob(), 300000);
    if (job)
        job->wait();
    QVERIFY2(view->result().isValid(), qPrintable(w.lastError()));
    QVERIFY(view->runButton()->isEnabled());

    // The engine's own JSON of the same result: every cell against it.
    const QJsonObject json = QJsonDocument::fromJson(view->result().json.toUtf8()).object();
    const QJsonArray rows = json.value(QStringLiteral("rows")).toArray();
    QTableWidget* table = view->table();
    QCOMPARE(table->rowCount(), rows.size());
    QCOMPARE(rows.size(), 5); // 64 -> 128: all five fit
    QSet<QString> strategies;
    for (int r = 0; r < table->rowCount(); ++r) {
        const int i = view->resultRow(r);
        QVERIFY(i >= 0 && i < rows.size());
        const QJsonObject row = rows.at(i).toObject();
        strategies << row.value(QStringLiteral("strategy")).toString();
        QCOMPARE(table->item(r, ProtocolResultsView::StrategyColumn)->text(), row.value(QStringLiteral("strategy")).toString());
        QCOMPARE(table->item(r, ProtocolResultsView::ComponentColumn)->text(), row.value(QStringLiteral("component")).toString());
        QVERIFY(sameNumber(view->sortValue(r, ProtocolResultsView::CosineColumn), row.value(QStringLiteral("cosine_to_native"))));
        QVERIFY(sameNumber(view->sortValue(r, ProtocolResultsView::ShiftColumn), row.value(QStringLiteral("shift"))));
        QVERIFY(sameNumber(view->sortValue(r, ProtocolResultsView::EfficiencyColumn), row.value(QStringLiteral("efficiency"))));
        QVERIFY(sameNumber(view->sortValue(r, ProtocolResultsView::RandomShiftColumn), row.value(QStringLiteral("random_shift"))));
        QVERIFY(sameNumber(view->sortValue(r, ProtocolResultsView::KlColumn), row.value(QStringLiteral("kl"))));
        QVERIFY(sameNumber(view->sortValue(r, ProtocolResultsView::ParametersColumn), row.value(QStringLiteral("parameters"))));
        QVERIFY(sameNumber(view->sortValue(r, ProtocolResultsView::TrainTimeColumn), row.value(QStringLiteral("train_seconds"))));
        QVERIFY(sameNumber(view->sortValue(r, ProtocolResultsView::MappingErrorColumn), row.value(QStringLiteral("mapping_error"))));
        // The interval is shown with the shift.
        const QJsonArray ci = row.value(QStringLiteral("ci")).toArray();
        const QString shown = table->item(r, ProtocolResultsView::ShiftColumn)->text();
        QVERIFY2(shown.contains(QLocale().toString(ci.at(0).toDouble(), 'f', 3)) &&
                     shown.contains(QLocale().toString(ci.at(1).toDouble(), 'f', 3)),
                 qPrintable(shown));
        QVERIFY(table->item(r, ProtocolResultsView::PointColumn)->text().contains(QStringLiteral("blocks.3.hook_resid_post")));
    }
    QCOMPARE(strategies, QSet<QString>(p.strategies.begin(), p.strategies.end()));
    // No side effects measured: KL is empty, not zero.
    QCOMPARE(table->item(0, ProtocolResultsView::KlColumn)->text(), QStringLiteral("–"));

    // Sorting by clicking headers: efficiency descending, missing values last.
    QHeaderView* header = table->horizontalHeader();
    auto clickHeader = [&](int column) {
        const int x = header->sectionViewportPosition(column) + header->sectionSize(column) / 2;
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(x, header->height() / 2));
    };
    clickHeader(ProtocolResultsView::EfficiencyColumn);
    if (header->sortIndicatorOrder() != Qt::DescendingOrder)
        clickHeader(ProtocolResultsView::EfficiencyColumn);
    QCOMPARE(header->sortIndicatorSection(), int(ProtocolResultsView::EfficiencyColumn));
    QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
    for (int r = 1; r < table->rowCount(); ++r) {
        const double a = view->sortValue(r - 1, ProtocolResultsView::EfficiencyColumn);
        const double b = view->sortValue(r, ProtocolResultsView::EfficiencyColumn);
        QVERIFY2(std::isnan(b) || (!std::isnan(a) && a >= b), qPrintable(QStringLiteral("%1 then %2").arg(a).arg(b)));
    }
    // The best row (the engine's choice) is bold, wherever it sorted to.
    const int best = view->result().bestRow;
    QVERIFY(best >= 0);
    for (int r = 0; r < table->rowCount(); ++r)
        QCOMPARE(table->item(r, 0)->font().bold(), view->resultRow(r) == best);
    // By strategy name, ascending.
    clickHeader(ProtocolResultsView::StrategyColumn);
    if (header->sortIndicatorOrder() != Qt::AscendingOrder)
        clickHeader(ProtocolResultsView::StrategyColumn);
    for (int r = 1; r < table->rowCount(); ++r)
        QVERIFY(table->item(r - 1, ProtocolResultsView::StrategyColumn)->text() <=
                table->item(r, ProtocolResultsView::StrategyColumn)->text());
    // Parameters ascending: the baselines (no parameters) first.
    clickHeader(ProtocolResultsView::ParametersColumn);
    if (header->sortIndicatorOrder() != Qt::AscendingOrder)
        clickHeader(ProtocolResultsView::ParametersColumn);
    QCOMPARE(table->item(0, ProtocolResultsView::ParametersColumn)->text(), QStringLiteral("0"));

    // The "+effect" row's fine-tuning arrived in the Protocol tab's own loss plot.
    LossPlot* tuning = view->trainingPlot();
    QCOMPARE(tuning->runLabels().size(), 1);
    QVERIFY2(tuning->runLabels().constFirst().endsWith(QStringLiteral(" architecture_aware+effect")),
             qPrintable(tuning->runLabels().constFirst()));
    QVERIFY(tuning->sampleCount(0, QStringLiteral("train"), QStringLiteral("total")) >= 1);
    QVERIFY(tuning->sampleCount(0, QStringLiteral("train"), QStringLiteral("total")) <= p.trainingSteps);
    QCOMPARE(tuning->shownTerm(), QStringLiteral("total"));

    // The plot exports; the report carries the table and the figure.
    QTemporaryDir dir;
    const QString pdf = dir.filePath(QStringLiteral("protocol.pdf"));
    QCOMPARE(view->exportTo(pdf), QString());
    QVERIFY(sbtest::readBytes(pdf).startsWith("%PDF-"));
    const QString html = dir.filePath(QStringLiteral("report.html"));
    QVERIFY2(w.exportReport(html), qPrintable(w.lastError()));
    const QString text = QString::fromUtf8(sbtest::readBytes(html));
    QVERIFY(text.contains(QStringLiteral("Transfer protocol")));
    QVERIFY(text.contains(QStringLiteral("architecture_aware+effect")));
    QVERIFY(text.contains(QStringLiteral("Adapter training")));
    QVERIFY(text.contains(QStringLiteral("Fine-tuning loss of the protocol")));
    sbtest::writeScreenshot(w, "protocol");
    // The fine-tuning plot is what the export takes while it is shown.
    view->plotTabs()->setCurrentWidget(tuning);
    QCOMPARE(view->exportName(), QStringLiteral("protocol-training"));
    const QString tuningSvg = dir.filePath(QStringLiteral("tuning.svg"));
    QCOMPARE(view->exportTo(tuningSvg), QString());
    QVERIFY(sbtest::readBytes(tuningSvg).contains("<svg"));
    sbtest::writeScreenshot(w, "protocol-training");
    view->plotTabs()->setCurrentIndex(0);

    // A second run cancelled once it reports progress: the job stops, the
    // shown result stays, Run is enabled again.
    const ProtocolSummary shown = view->result();
    const QStringList shownCurves = tuning->runLabels();
    const int shownSamples = tuning->totalSamples();
    QTest::mouseClick(view->runButton(), Qt::LeftButton);
    job = w.protocolJob();
    QVERIFY(job);
    double fraction = 0.0;
    QObject context;
    connect(job, &Job::progress, &context, [&](double f) { fraction = std::max(fraction, f); });
    QTRY_VERIFY_WITH_TIMEOUT(fraction > 0.0 || !w.protocolJob(), 120000);
    QVERIFY2(w.protocolJob(), "the protocol ended before it could be cancelled");
    QTest::mouseClick(view->cancelButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!w.protocolJob(), 120000);
    if (job)
        job->wait();
    QVERIFY(view->runButton()->isEnabled());
    QVERIFY(!view->cancelButton()->isEnabled());
    QCOMPARE(child<QLabel>(view, "protocolStatus")->text(), QStringLiteral("Protocol cancelled."));
    QCOMPARE(view->result().json, shown.json);
    QCOMPARE(table->rowCount(), rows.size());
    // The fine-tuning plot shows the result's run again, not the cancelled one.
    QCOMPARE(tuning->runLabels(), shownCurves);
    QCOMPARE(tuning->totalSamples(), shownSamples);
    QCOMPARE(view->trainingCurves().size(), 1);
}

void TestTrainingView::experimentKeepsRunsAdapterAndProtocol()
{
    MainWindow& w = *m_window;
    QVERIFY2(w.isDirty(), "finished runs and a protocol result are unsaved work");
    AdapterTrainingPanel* panel = w.trainingPanel();
    LossPlot* plot = w.lossPlot();
    const QVector<TrainingRunRecord> runs = panel->runs();
    QCOMPARE(runs.size(), 2); // a completed run and a cancelled one
    QCOMPARE(runs[0].status, TrainingRunRecord::Status::Finished);
    QVERIFY(!runs[0].summary.cancelled);
    QVERIFY(runs[1].summary.cancelled);
    // The panel kept every step the plot drew (all losses are finite here).
    for (int r = 0; r < runs.size(); ++r)
        for (const bool validation : {false, true}) {
            const QString split = validation ? QStringLiteral("validation") : QStringLiteral("train");
            const int n = static_cast<int>(std::count_if(runs[r].steps.begin(), runs[r].steps.end(),
                                                         [&](const AdapterTrainingStep& s) { return s.validation == validation; }));
            QVERIFY(n > 0);
            for (const char* term : {"total", "mapping", "effect", "consistency"})
                QCOMPARE(plot->sampleCount(r, split, QString::fromLatin1(term)), n);
        }
    const QStringList labels = plot->runLabels();
    const QStringList terms = plot->terms();
    const QStringList summaries = panel->runSummaries();
    const QString summariesHtml = panel->summariesHtml();
    QVERIFY(w.trainedAdapter());
    const AdapterTrainingSummary trained = *w.trainedAdapter(); // the cancelled low_rank run's
    QCOMPARE(trained.kind, QStringLiteral("low_rank"));
    const int64_t width = trained.adapter->sourceDim();
    const at::Tensor x = at::linspace(-2.0, 3.0, width, at::TensorOptions().dtype(at::kFloat)).sin();
    at::Tensor y;
    {
        at::NoGradGuard g;
        y = trained.adapter->adaptVector(x).detach().clone();
    }
    const ProtocolSummary protocol = w.protocolView()->result();
    QVERIFY(protocol.isValid());
    const QMap<int, QStringList> cells = tableCells(w.protocolView());
    const QString protocolText = w.protocolView()->resultText();
    const ProtocolParams protocolSettings = w.protocolView()->settings();
    const QVector<ProtocolTrainingCurve> curves = w.protocolView()->trainingCurves();
    QCOMPARE(curves.size(), 1); // the one "+effect" row
    QCOMPARE(curves[0].row, w.protocolView()->trainingPlot()->runLabels().value(0));
    LossPlot* tuning = w.protocolView()->trainingPlot();
    QCOMPARE(tuning->sampleCount(0, QStringLiteral("train"), QStringLiteral("total")) +
                 tuning->sampleCount(0, QStringLiteral("validation"), QStringLiteral("total")),
             curves[0].steps.size());
    QVERIFY(w.transfer());
    const double transferCosine = w.transfer()->cosineToNative;

    m_saved = m_files.filePath(QStringLiteral("session.h5"));
    QVERIFY2(w.saveExperiment(m_saved), qPrintable(w.lastError()));
    QVERIFY(!w.isDirty());

    MainWindow fresh({true, false});
    fresh.resize(1400, 900);
    fresh.show(); // the Extract click below needs a visible button
    QVERIFY(QTest::qWaitForWindowExposed(&fresh));
    QVERIFY2(fresh.openExperiment(m_saved), qPrintable(fresh.lastError()));
    QTRY_VERIFY_WITH_TIMEOUT(fresh.model(0).isValid() && fresh.model(1).isValid() && fresh.comparison(), 180000);
    QVERIFY(!fresh.isDirty());

    // The runs: legend, every curve point, summaries (text and HTML), the settings.
    AdapterTrainingPanel* panel2 = fresh.trainingPanel();
    LossPlot* plot2 = fresh.lossPlot();
    QCOMPARE(plot2->runLabels(), labels);
    QCOMPARE(plot2->terms(), terms);
    QCOMPARE(plot2->shownTerm(), QStringLiteral("total"));
    QCOMPARE(panel2->runSummaries(), summaries);
    QCOMPARE(panel2->summariesHtml(), summariesHtml);
    QCOMPARE(plot2->totalSamples(), plot->totalSamples());
    const QVector<TrainingRunRecord> runs2 = panel2->runs();
    QCOMPARE(runs2.size(), runs.size());
    for (int r = 0; r < runs.size(); ++r) {
        QCOMPARE(runs2[r].label, runs[r].label);
        QCOMPARE(runs2[r].status, runs[r].status);
        QCOMPARE(runs2[r].params.kind, runs[r].params.kind);
        QCOMPARE(runs2[r].params.steps, runs[r].params.steps);
        QCOMPARE(runs2[r].params.learningRate, runs[r].params.learningRate);
        QCOMPARE(runs2[r].summary.cosineToNativeTrained, runs[r].summary.cosineToNativeTrained);
        QCOMPARE(runs2[r].summary.cancelled, runs[r].summary.cancelled);
        QCOMPARE(runs2[r].steps.size(), runs[r].steps.size());
        for (int i = 0; i < runs[r].steps.size(); ++i) {
            const AdapterTrainingStep& a = runs2[r].steps[i];
            const AdapterTrainingStep& b = runs[r].steps[i];
            QVERIFY2(a.step == b.step && a.validation == b.validation && a.learningRate == b.learningRate &&
                         a.total == b.total && a.mapping == b.mapping && a.effect == b.effect &&
                         a.consistency == b.consistency,
                     qPrintable(QStringLiteral("run %1 step %2").arg(r).arg(i)));
        }
        for (const QString& split : {QStringLiteral("train"), QStringLiteral("validation")})
            for (const QString& term : terms) {
                QCOMPARE(plot2->sampleCount(r, split, term), plot->sampleCount(r, split, term));
                QCOMPARE(plot2->lastValue(r, split, term), plot->lastValue(r, split, term));
            }
    }
    QCOMPARE(panel2->settings().kind, panel->settings().kind);
    QCOMPARE(panel2->settings().steps, panel->settings().steps);

    // The adapter in use: the same numbers out for the same input.
    QVERIFY(fresh.trainedAdapter());
    QCOMPARE(fresh.trainedAdapter()->kind, trained.kind);
    QCOMPARE(fresh.trainedAdapter()->sourcePoint, trained.sourcePoint);
    QCOMPARE(fresh.trainedAdapter()->targetPoint, trained.targetPoint);
    {
        at::NoGradGuard g;
        const at::Tensor y2 = fresh.trainedAdapter()->adapter->adaptVector(x);
        QVERIFY(at::equal(y2, y));
    }

    // The protocol: the engine's JSON and CSV, every cell, the summary line.
    ProtocolResultsView* view2 = fresh.protocolView();
    QCOMPARE(view2->result().json, protocol.json);
    QCOMPARE(view2->result().csv, protocol.csv);
    QCOMPARE(view2->result().bestRow, protocol.bestRow);
    QCOMPARE(tableCells(view2), cells);
    QCOMPARE(view2->resultText(), protocolText);
    QCOMPARE(view2->settings().stages, protocolSettings.stages);
    QCOMPARE(view2->settings().components, protocolSettings.components);
    QCOMPARE(view2->settings().strategies, protocolSettings.strategies);
    QCOMPARE(view2->settings().trainingSteps, protocolSettings.trainingSteps);
    QCOMPARE(view2->settings().maxProbeSentences, protocolSettings.maxProbeSentences);
    QCOMPARE(view2->settings().sideEffects, protocolSettings.sideEffects);
    QCOMPARE(view2->settings().measuredMapping, protocolSettings.measuredMapping);
    // The fine-tuning plot: the same curves, legend and points.
    LossPlot* tuning2 = view2->trainingPlot();
    QCOMPARE(tuning2->runLabels(), tuning->runLabels());
    QCOMPARE(tuning2->totalSamples(), tuning->totalSamples());
    QCOMPARE(view2->trainingCurves().size(), curves.size());
    for (int i = 0; i < curves[0].steps.size(); ++i) {
        const AdapterTrainingStep& a = view2->trainingCurves()[0].steps[i];
        const AdapterTrainingStep& b = curves[0].steps[i];
        QVERIFY(a.step == b.step && a.validation == b.validation && a.total == b.total && a.mapping == b.mapping &&
                a.effect == b.effect && a.consistency == b.consistency && a.learningRate == b.learningRate);
    }
    for (const QString& split : {QStringLiteral("train"), QStringLiteral("validation")})
        for (const QString& term : tuning->terms()) {
            QCOMPARE(tuning2->sampleCount(0, split, term), tuning->sampleCount(0, split, term));
            QCOMPARE(tuning2->lastValue(0, split, term), tuning->lastValue(0, split, term));
        }

    // A vector extracted in the reopened session goes through the reopened adapter.
    fresh.tabs()->setCurrentIndex(MainWindow::ExtractionTab);
    QTest::mouseClick(child<QPushButton>(&fresh, "extractButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(fresh.transfer() || !fresh.lastError().isEmpty(), 120000);
    QVERIFY2(fresh.transfer(), qPrintable(fresh.lastError()));
    QVERIFY2(fresh.transfer()->strategy.contains(QStringLiteral("trained low_rank")), qPrintable(fresh.transfer()->strategy));
    QVERIFY2(std::abs(fresh.transfer()->cosineToNative - transferCosine) < 1e-5,
             qPrintable(QStringLiteral("%1 vs %2").arg(fresh.transfer()->cosineToNative).arg(transferCosine)));

    // Saving the reopened experiment writes the same groups again.
    const QString again = m_files.filePath(QStringLiteral("again.h5"));
    QVERIFY2(fresh.saveExperiment(again), qPrintable(fresh.lastError()));
    const ExperimentFile a = ExperimentFile::load(m_saved.toStdString());
    const ExperimentFile b = ExperimentFile::load(again.toStdString());
    QCOMPARE(b.root().at("protocol").jsonAttribute("rows").dump(), a.root().at("protocol").jsonAttribute("rows").dump());
    QCOMPARE(b.root().at("gui/training/runs/1").dataset("steps").toDoubles(),
             a.root().at("gui/training/runs/1").dataset("steps").toDoubles());

    // A run ending is unsaved work: the window turns dirty and the recovery
    // file holds the new run and its adapter.
    QVERIFY(!w.isDirty());
    w.tabs()->setCurrentIndex(MainWindow::TrainingTab);
    child<QSpinBox>(panel, "adapterSteps")->setValue(0); // the closed-form fit only
    child<QComboBox>(panel, "adapterKind")->setCurrentIndex(static_cast<int>(AdapterTrainingPanel::kinds().indexOf(QStringLiteral("linear"))));
    QTest::mouseClick(panel->trainButton(), Qt::LeftButton);
    QPointer<AdapterTrainingJob> job = w.trainingJob();
    QVERIFY(job);
    QTRY_VERIFY_WITH_TIMEOUT(!w.trainingJob(), 120000);
    if (job)
        job->wait();
    QCOMPARE(panel->runs().size(), 3);
    QVERIFY(w.isDirty());
    QVERIFY(w.autosaveNow());
    const ExperimentFile recovery = ExperimentFile::load(MainWindow::autosavePath().toStdString());
    QCOMPARE(recovery.root().at("gui/training").intAttribute("run_count"), int64_t(3));
    QCOMPARE(recovery.root().at("gui/training").intAttribute("trained_run"), int64_t(2));
    QCOMPARE(recovery.root().at("gui/training/adapter").stringAttribute("kind"), std::string("linear"));
}

void TestTrainingView::brokenExperimentIsRefused()
{
    QVERIFY(!m_saved.isEmpty());
    MainWindow& w = *m_window;
    const QString openPath = w.experimentPath();
    const QStringList summaries = w.trainingPanel()->runSummaries();
    const QString protocolJson = w.protocolView()->result().json;
    const QString adapterKind = w.trainedAdapter()->kind;

    struct Damage {
        const char* name;
        const char* where; ///< what the error must name
        std::function<void(ExperimentGroup&)> apply;
    };
    const QVector<Damage> damages = {
        {"steps", "/gui/training/runs/1/steps",
         [](ExperimentGroup& r) { groupAt(r, QStringLiteral("gui/training/runs/1")).setDataset("steps", NumericArray::fromFloat64({3}, {1, 2, 3})); }},
        {"status", "/gui/training/runs/0/@status",
         [](ExperimentGroup& r) { groupAt(r, QStringLiteral("gui/training/runs/0")).removeAttribute("status"); }},
        {"summary", "/gui/training/runs/0/@summary",
         [](ExperimentGroup& r) { groupAt(r, QStringLiteral("gui/training/runs/0")).setJson("summary", {{"kind", "linear"}}); }},
        {"run", "/gui/training/runs/1",
         [](ExperimentGroup& r) { groupAt(r, QStringLiteral("gui/training/runs")).removeGroup("1"); }},
        {"trained", "/gui/training/@trained_run",
         [](ExperimentGroup& r) { groupAt(r, QStringLiteral("gui/training")).setInt("trained_run", 7); }},
        {"adapter", "/gui/training/adapter",
         [](ExperimentGroup& r) { groupAt(r, QStringLiteral("gui/training/adapter")).removeGroup("tensors"); }},
        {"curve", "/gui/protocol/curves/0/steps",
         [](ExperimentGroup& r) { groupAt(r, QStringLiteral("gui/protocol/curves/0")).removeDataset("steps"); }},
        {"settings", "/gui/protocol/@settings",
         [](ExperimentGroup& r) { groupAt(r, QStringLiteral("gui/protocol")).setJson("settings", {{"stages", 3}}); }},
        {"protocol", "/protocol/@rows[0]",
         [](ExperimentGroup& r) { groupAt(r, QStringLiteral("protocol")).setJson("rows", nlohmann::json::array({{{"point", "x"}}})); }},
    };
    for (const Damage& d : damages) {
        ExperimentFile f = ExperimentFile::load(m_saved.toStdString());
        d.apply(f.root());
        const QString bad = m_files.filePath(QStringLiteral("broken-%1.h5").arg(QString::fromLatin1(d.name)));
        f.save(bad.toStdString());
        QVERIFY2(!w.openExperiment(bad), d.name);
        QVERIFY2(w.lastError().contains(QFileInfo(bad).fileName()) && w.lastError().contains(QString::fromLatin1(d.where)),
                 qPrintable(QString::fromLatin1(d.name) + QStringLiteral(": ") + w.lastError()));
        QCOMPARE(w.experimentPath(), openPath);
        QCOMPARE(w.trainingPanel()->runSummaries(), summaries);
        QCOMPARE(w.protocolView()->result().json, protocolJson);
        QCOMPARE(w.trainedAdapter()->kind, adapterKind);
    }
    // A truncated file: refused, naming the file.
    const QByteArray bytes = sbtest::readBytes(m_saved);
    const QString cut = m_files.filePath(QStringLiteral("truncated.h5"));
    QFile out(cut);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(bytes.left(bytes.size() / 2));
    out.close();
    QVERIFY(!w.openExperiment(cut));
    QVERIFY2(w.lastError().contains(QStringLiteral("truncated.h5")), qPrintable(w.lastError()));
    QCOMPARE(w.experimentPath(), openPath);
    QCOMPARE(w.trainingPanel()->runSummaries(), summaries);

    // While a training runs, neither another experiment nor a new one: the
    // run's result would land in it.
    AdapterTrainingPanel* panel = w.trainingPanel();
    child<QSpinBox>(panel, "adapterSteps")->setValue(100000);
    QTest::mouseClick(panel->trainButton(), Qt::LeftButton);
    QPointer<AdapterTrainingJob> job = w.trainingJob();
    QVERIFY(job);
    QVERIFY(!w.openExperiment(m_saved));
    QVERIFY2(w.lastError().contains(QStringLiteral("is running")), qPrintable(w.lastError()));
    QVERIFY(!w.newExperiment());
    QCOMPARE(w.experimentPath(), openPath);
    QTest::mouseClick(panel->cancelButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!w.trainingJob(), 120000);
    if (job)
        job->wait();
    QCOMPARE(panel->runSummaries().size(), summaries.size() + 1);
}

QTEST_MAIN(TestTrainingView)
#include "test_training_view.moc"
