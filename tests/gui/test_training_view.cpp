// The Training and Protocol tabs through the main window with the real demo
// models and the real session jobs: a short adapter training whose loss
// curves arrive while it runs and the GUI thread never stalls (StallProbe),
// a second run cancelled mid-way (kept in the plot, Train enabled again),
// and a small protocol run whose table is checked cell by cell against the
// engine's own JSON of the result, then sorted by a numeric and a text
// column.
//
// Worker signals are waited for by polling (QTRY_*) and job->wait(), never
// QSignalSpy::wait (a signal from a worker can be missed or outlive the spy).

#include "main_window.h"

#include "session/adapter_jobs.h"
#include "session/protocol_job.h"
#include "session/transfer_jobs.h"
#include "widgets/adapter_training_panel.h"
#include "widgets/loss_plot.h"
#include "widgets/pair_table_editor.h"
#include "widgets/protocol_results_view.h"

#include "common/stall_probe.h"
#include "common/test_util.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListWidget>
#include <QLocale>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

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

/// The tab as it looks now, next to test_main_window's screenshots of the other tabs.
void screenshot(MainWindow& w, const char* name)
{
    const QString dir = QStringLiteral(SB_BUILD_DIR) + QStringLiteral("/screenshots");
    QDir().mkpath(dir);
    QTest::qWait(100); // queued replots
    const QString path = dir + QStringLiteral("/main-") + QString::fromLatin1(name) + QStringLiteral(".png");
    if (!w.grab().save(path))
        qWarning("cannot write %s", qPrintable(path));
    else
        qInfo("screenshot: %s", qPrintable(path));
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

private:
    QTemporaryDir m_settingsDir;
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
    QVERIFY2(probe.worstBusyMs() < 50.0, qPrintable(probe.summary()));
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
    QVERIFY2(probe.worstBusyMs() < 50.0, qPrintable(probe.summary()));
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
    screenshot(w, "training");
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
    screenshot(w, "protocol");

    // A second run cancelled once it reports progress: the job stops, the
    // shown result stays, Run is enabled again.
    const ProtocolSummary shown = view->result();
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
}

QTEST_MAIN(TestTrainingView)
#include "test_training_view.moc"
