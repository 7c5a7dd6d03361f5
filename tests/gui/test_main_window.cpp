// The main window driven through its real actions: load the demo pair and
// check the comparison table against the engine and the models' config.json,
// errors name the folder, drag-and-drop, recent models, shortcuts, settings,
// presentation mode, and a screenshot of every main view.

#include "main_window.h"
#include "preferences.h"

#include "engine/architecture.h"
#include "engine/model.h"
#include "widgets/architecture_table.h"
#include "widgets/layer_diagram.h"
#include "widgets/model_pane.h"
#include "widgets/pair_table_editor.h"
#include "widgets/steered_comparison_view.h"

#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QGraphicsView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QMenuBar>
#include <QXmlStreamReader>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QKeySequence>
#include <QLabel>
#include <QTextDocument>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>

#include "common/screenshot.h"
#include "common/test_util.h"

using namespace sb;

namespace {
QJsonObject readConfig(const char* model)
{
    QFile f(sbtest::resourceDir() + QStringLiteral("/models/") + QString::fromUtf8(model) + QStringLiteral("/config.json"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

QString cell(ArchitectureTable* t, const char* key, int column)
{
    const int row = t->tableRowOf(QString::fromLatin1(key));
    if (row < 0)
        return QStringLiteral("<no row %1>").arg(QString::fromLatin1(key));
    return t->table()->item(row, column)->text();
}

/// Waits for `count` modelLoaded signals; false at once when a load fails.
bool waitLoaded(MainWindow& w, QSignalSpy& spy, int count)
{
    bool failed = false;
    const auto c = QObject::connect(&w, &MainWindow::loadFailed, &w, [&failed] { failed = true; });
    const bool ok = QTest::qWaitFor([&] { return failed || spy.count() >= count; }, 60000) && !failed;
    QObject::disconnect(c);
    return ok;
}

/// Shows the window (at `size` when given) and loads the demo pair into it.
bool showWithDemoPair(MainWindow& w, QSize size = {})
{
    if (size.isValid())
        w.resize(size);
    w.show();
    if (!QTest::qWaitForWindowExposed(&w))
        return false;
    QSignalSpy loaded(&w, &MainWindow::modelLoaded);
    w.loadDemoPair();
    return waitLoaded(w, loaded, 2);
}
} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void demoPairThroughActionsMatchesEngine();
    void loadErrorNamesFolderAndProblem();
    void dropFolderOnPaneAndRecentModels();
    void shortcutsSettingsAndPresentation();
    void diagramSelectionInWindow();
    void exportsReportWithTablesAndFigures();
    void saveReopenAndCompare();
    void unsavedChangesPromptAndAutosave();
    void openingABrokenFileNamesIt();
    void germanTranslationIsCompleteAndUsed();
    void writesScreenshots();
    void everyMnemonicLabelHasABuddy();

private:
    QTemporaryDir m_settingsDir;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SteerBridgeTest"));
    QCoreApplication::setApplicationName(QStringLiteral("test_main_window"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    qputenv("SB_RESOURCE_DIR", sbtest::resourceDir().toUtf8());
}

void TestMainWindow::demoPairThroughActionsMatchesEngine()
{
    MainWindow w({true, false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy loaded(&w, &MainWindow::modelLoaded);
    QAction* demo = w.findChild<QAction*>(QStringLiteral("actionLoadDemo"));
    QVERIFY(demo);
    demo->trigger();
    QVERIFY2(waitLoaded(w, loaded, 2), qPrintable(w.lastError()));
    QVERIFY(w.model(0).isValid() && w.model(1).isValid());
    QCOMPARE(w.model(0).name, QStringLiteral("stories260k"));
    QCOMPARE(w.model(1).name, QStringLiteral("stories-gpt2"));

    // The table against the models' config.json, read here independently.
    ArchitectureTable* t = w.architectureTable();
    const QJsonObject llama = readConfig("stories260k");
    const QJsonObject gpt2 = readConfig("stories-gpt2");
    constexpr int S = ArchitectureTable::SourceColumn;
    constexpr int T = ArchitectureTable::TargetColumn;
    QCOMPARE(cell(t, "hidden_size", S), QString::number(llama[QStringLiteral("hidden_size")].toInt()));
    QCOMPARE(cell(t, "hidden_size", T), QString::number(gpt2[QStringLiteral("n_embd")].toInt()));
    QCOMPARE(cell(t, "num_layers", S), QString::number(llama[QStringLiteral("num_hidden_layers")].toInt()));
    QCOMPARE(cell(t, "num_layers", T), QString::number(gpt2[QStringLiteral("n_layer")].toInt()));
    QCOMPARE(cell(t, "num_heads", S), QString::number(llama[QStringLiteral("num_attention_heads")].toInt()));
    QCOMPARE(cell(t, "num_kv_heads", S), QString::number(llama[QStringLiteral("num_key_value_heads")].toInt()));
    QCOMPARE(cell(t, "num_heads", T), QString::number(gpt2[QStringLiteral("n_head")].toInt()));
    QCOMPARE(cell(t, "vocab_size", S), QString::number(llama[QStringLiteral("vocab_size")].toInt()));
    QCOMPARE(cell(t, "vocab_size", T), QString::number(gpt2[QStringLiteral("vocab_size")].toInt()));
    // llama: MLP width from config; gpt2: n_inner absent means 4 x n_embd.
    QCOMPARE(cell(t, "intermediate_size", S), QString::number(llama[QStringLiteral("intermediate_size")].toInt()));
    QCOMPARE(cell(t, "intermediate_size", T), QString::number(4 * gpt2[QStringLiteral("n_embd")].toInt()));
    QCOMPARE(cell(t, "attention_kind", S), QStringLiteral("GQA"));
    QCOMPARE(cell(t, "attention_kind", T), QStringLiteral("MHA"));
    QCOMPARE(cell(t, "positions", S), QStringLiteral("rotary"));
    QCOMPARE(cell(t, "positions", T), QStringLiteral("learned"));
    QCOMPARE(cell(t, "parallel_residual", T), QStringLiteral("sequential"));

    // And against the engine's own reading of the same folders.
    const auto a = TransformerModel::load(sbtest::demoModel("stories260k"));
    const auto b = TransformerModel::load(sbtest::demoModel("stories-gpt2"));
    QCOMPARE(cell(t, "family", S), QString::fromUtf8(familyName(a->spec().family)));
    QCOMPARE(cell(t, "family", T), QString::fromUtf8(familyName(b->spec().family)));
    QCOMPARE(cell(t, "norm", S), QString::fromUtf8(normName(a->spec().norm)));
    QCOMPARE(cell(t, "norm", T), QString::fromUtf8(normName(b->spec().norm)));
    QCOMPARE(cell(t, "activation", T), QString::fromUtf8(activationName(b->spec().activation)));
    // Differences are highlighted; equal rows are not.
    const int hr = t->tableRowOf(QStringLiteral("hidden_size"));
    QVERIFY(t->table()->item(hr, S)->font().bold());
    QVERIFY(t->table()->item(hr, 0)->text().endsWith(QStringLiteral("≠")));
    QVERIFY(!t->table()->item(hr, 0)->toolTip().isEmpty());

    // The panes and the diagram show the loaded pair.
    QVERIFY(w.modelPane(0)->title().contains(QStringLiteral("stories260k")));
    QVERIFY(w.modelPane(1)->summary().contains(QStringLiteral("6 layers")));
    QCOMPARE(w.layerDiagram()->stack(DiagramSide::Source).layers, int(llama[QStringLiteral("num_hidden_layers")].toInt()));
    QCOMPARE(w.layerDiagram()->stack(DiagramSide::Target).layers, int(gpt2[QStringLiteral("n_layer")].toInt()));
    QVERIFY(w.windowTitle().contains(QStringLiteral("stories260k → stories-gpt2")));
    QVERIFY(w.logText().contains(QStringLiteral("Loaded stories-gpt2")));
}

void TestMainWindow::loadErrorNamesFolderAndProblem()
{
    MainWindow w({true, false});
    QTemporaryDir dir;
    // A folder with a config.json but no weights.
    QFile cfg(dir.filePath(QStringLiteral("config.json")));
    QVERIFY(cfg.open(QIODevice::WriteOnly));
    cfg.write(R"({"model_type": "llama", "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
                  "intermediate_size": 16, "vocab_size": 10})");
    cfg.close();
    QSignalSpy failed(&w, &MainWindow::loadFailed);
    w.loadModel(1, dir.path());
    QVERIFY(failed.wait(30000));
    QCOMPARE(failed.at(0).at(0).toInt(), 1);
    const QString e = w.lastError();
    QVERIFY2(e.contains(QDir::toNativeSeparators(dir.path())), qPrintable(e));
    QVERIFY2(e.contains(QStringLiteral("safetensors"), Qt::CaseInsensitive), qPrintable(e));
    QVERIFY(w.modelPane(1)->title().contains(QStringLiteral("could not load")));
    QVERIFY(!w.model(1).isValid());
}

void TestMainWindow::dropFolderOnPaneAndRecentModels()
{
    QSettings().remove(QStringLiteral("recentModels"));
    MainWindow w({true, false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy loaded(&w, &MainWindow::modelLoaded);
    const QString folder = sbtest::resourceDir() + QStringLiteral("/models/stories-llama96");
    ModelPane* pane = w.modelPane(1);
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(folder)});
    const QPoint at = pane->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(pane, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(pane, &drop);
    QVERIFY(waitLoaded(w, loaded, 1));
    QCOMPARE(loaded.at(0).at(0).toInt(), 1);
    QCOMPARE(w.model(1).name, QStringLiteral("stories-llama96"));

    // Recent models remember it, in the File menu and under the pane's Open button.
    QCOMPARE(w.recentModels().value(0), QDir::cleanPath(folder));
    QMenu* recentSource = nullptr;
    for (QMenu* m : w.findChildren<QMenu*>())
        if (m->title() == QStringLiteral("Recent Source Models"))
            recentSource = m;
    QVERIFY(recentSource);
    QVERIFY(!recentSource->actions().isEmpty());
    QVERIFY(recentSource->actions().first()->text().startsWith(QStringLiteral("stories-llama96")));
    // Choosing it loads it as the source.
    recentSource->actions().first()->trigger();
    QVERIFY(waitLoaded(w, loaded, 2));
    QCOMPARE(loaded.at(1).at(0).toInt(), 0);
    QCOMPARE(w.model(0).name, QStringLiteral("stories-llama96"));
}

void TestMainWindow::shortcutsSettingsAndPresentation()
{
    {
        MainWindow w({true, false});
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTest::keyClick(&w, Qt::Key_3, Qt::ControlModifier);
        QCOMPARE(w.tabs()->currentIndex(), int(MainWindow::DatasetTab));
        QTest::keyClick(&w, Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(w.tabs()->currentIndex(), int(MainWindow::LayersTab));
        const double normal = w.font().pointSizeF();
        QTest::keyClick(&w, Qt::Key_P, Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY(w.presentationMode());
        QVERIFY(w.font().pointSizeF() > normal * 1.2);
        // A clean screen: the docks are hidden while presenting, and come back.
        auto* logDock = w.findChild<QDockWidget*>(QStringLiteral("logDock"));
        QVERIFY(logDock && !logDock->isVisible());
        QTest::keyClick(&w, Qt::Key_P, Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY(!w.presentationMode());
        QVERIFY(logDock->isVisible());
        QCOMPARE(w.font().pointSizeF(), normal);
        QTest::keyClick(&w, Qt::Key_P, Qt::ControlModifier | Qt::ShiftModifier);
        w.resize(1111, 777);
        w.close(); // writes the settings
    }
    QSettings s;
    QVERIFY(!s.value(QStringLiteral("window/geometry")).toByteArray().isEmpty());
    QCOMPARE(s.value(QStringLiteral("window/tab")).toInt(), int(MainWindow::LayersTab));
    // A new window restores the tab and the normal layout (docks shown).
    MainWindow again({true, true});
    again.show();
    QCOMPARE(again.tabs()->currentIndex(), int(MainWindow::LayersTab));
    QVERIFY(!again.presentationMode());
    QVERIFY(again.findChild<QDockWidget*>(QStringLiteral("logDock"))->isVisible());
    again.close();
}

void TestMainWindow::diagramSelectionInWindow()
{
    MainWindow w({true, false});
    QVERIFY(showWithDemoPair(w, {1300, 850}));
    w.tabs()->setCurrentIndex(MainWindow::LayersTab);
    LayerDiagram* d = w.layerDiagram();
    QTRY_VERIFY(d->view()->isVisible());
    d->fitToView();
    QSignalSpy picked(d, &LayerDiagram::pointSelected);
    const DiagramPoint p{DiagramSide::Source, 3, LayerComponent::Mlp};
    QTest::mouseClick(d->view()->viewport(), Qt::LeftButton, {}, d->viewportPosition(p));
    QCOMPARE(picked.count(), 1);
    QCOMPARE(d->selection(DiagramSide::Source), p);
}

void TestMainWindow::saveReopenAndCompare()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("exp.h5"));
    QVector<PairRecord> pairs;
    SteeringRequest request;
    QVector<int> heldOut;
    {
        MainWindow w({true, false});
        QVERIFY(showWithDemoPair(w));
        PairTableEditor* e = w.pairEditor();
        e->setSplitter([](int n, double, quint64) {
            QVector<int> held;
            for (int i = 1; i < n; i += 2)
                held << i;
            return held;
        });
        e->addPair({QStringLiteral("I feel"), QStringLiteral(" glad"), QStringLiteral(" gloomy"), 0});
        e->addPair({QStringLiteral("The day was"), QStringLiteral(" bright, with ünïcödé"), QStringLiteral(" grey"), 0});
        e->addPair({QStringLiteral("She smiled"), QStringLiteral(" warmly"), QStringLiteral(" coldly"), 0});
        QVERIFY(e->split(0.5, 7));
        QVERIFY(w.isDirty());
        w.layerDiagram()->select({DiagramSide::Source, 3, LayerComponent::Mlp});
        w.layerDiagram()->select({DiagramSide::Target, 4, LayerComponent::Residual});
        request = {QStringLiteral("Once upon a time"), -3.5, 42, 17, true};
        w.steeringView()->setRequest(request);
        w.tabs()->setCurrentIndex(MainWindow::SteeringTab);
        QVERIFY(w.saveExperiment(path));
        QVERIFY(!w.isDirty());
        QVERIFY(w.windowTitle().startsWith(QStringLiteral("exp.h5")));
        pairs = e->pairs();
        heldOut = e->heldOutIndices();
    }
    QVERIFY(QFileInfo(path).size() > 0);

    MainWindow w({true, false});
    QSignalSpy loaded(&w, &MainWindow::modelLoaded);
    QVERIFY2(w.openExperiment(path), qPrintable(w.lastError()));
    QVERIFY(waitLoaded(w, loaded, 2));
    QCOMPARE(w.model(0).name, QStringLiteral("stories260k"));
    QCOMPARE(w.model(1).name, QStringLiteral("stories-gpt2"));
    QCOMPARE(w.pairEditor()->pairs(), pairs);
    QCOMPARE(w.pairEditor()->pairs().at(1).positive, QStringLiteral(" bright, with ünïcödé"));
    QCOMPARE(w.pairEditor()->heldOutIndices(), heldOut);
    QCOMPARE(heldOut, (QVector<int>{1}));
    QVERIFY(w.pairEditor()->splitIsCurrent());
    QCOMPARE(w.layerDiagram()->selection(DiagramSide::Source), (DiagramPoint{DiagramSide::Source, 3, LayerComponent::Mlp}));
    QCOMPARE(w.layerDiagram()->selection(DiagramSide::Target), (DiagramPoint{DiagramSide::Target, 4, LayerComponent::Residual}));
    const SteeringRequest r = w.steeringView()->request();
    QCOMPARE(r.prompt, request.prompt);
    QCOMPARE(r.alpha, request.alpha);
    QCOMPARE(r.seed, request.seed);
    QCOMPARE(r.maxNewTokens, request.maxNewTokens);
    QCOMPARE(r.includeSourceSteered, request.includeSourceSteered);
    QCOMPARE(w.tabs()->currentIndex(), int(MainWindow::SteeringTab));
    QVERIFY(!w.isDirty());
    QCOMPARE(w.experimentPath(), path);
}

void TestMainWindow::unsavedChangesPromptAndAutosave()
{
    QTemporaryDir dir;
    QFile::remove(MainWindow::autosavePath());
    MainWindow w({true, false});
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(!w.isDirty());
    QVERIFY(!w.autosaveNow()); // nothing to keep
    w.pairEditor()->addPair({QStringLiteral("a"), QStringLiteral(" b"), QStringLiteral(" c"), 0});
    QVERIFY(w.isDirty());
    QVERIFY(w.windowTitle().contains(QStringLiteral("Untitled experiment")));

    // Cancel keeps the window open.
    int asked = 0;
    w.setUnsavedChangesHandler([&asked] {
        ++asked;
        return QMessageBox::Cancel;
    });
    QVERIFY(!w.close());
    QCOMPARE(asked, 1);
    QVERIFY(w.isVisible());

    // The recovery file holds the unsaved pair.
    QVERIFY(w.autosaveNow());
    QVERIFY(QFileInfo::exists(MainWindow::autosavePath()));
    {
        MainWindow probe({true, false});
        QVERIFY(probe.openExperiment(MainWindow::autosavePath()));
        QCOMPARE(probe.pairEditor()->pairs().size(), 1);
        QCOMPARE(probe.pairEditor()->pairs().at(0).negative, QStringLiteral(" c"));
    }

    // New Experiment asks too; Discard clears the work.
    w.setUnsavedChangesHandler([&asked] {
        ++asked;
        return QMessageBox::Discard;
    });
    w.findChild<QAction*>(QStringLiteral("actionNewExperiment"))->trigger();
    QCOMPARE(asked, 2);
    QVERIFY(w.pairEditor()->pairs().isEmpty());
    QVERIFY(!w.isDirty());

    // A clean close removes the recovery file.
    w.pairEditor()->addPair({QStringLiteral("x"), QStringLiteral(" y"), QStringLiteral(" z"), 0});
    QVERIFY(w.close());
    QVERIFY(!QFileInfo::exists(MainWindow::autosavePath()));
}

void TestMainWindow::openingABrokenFileNamesIt()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("broken.h5"));
    sbtest::writeBytes(path, QByteArray("\x89HDF\r\n\x1a\nthis is not really HDF5"));
    MainWindow w({true, false});
    QVERIFY(!w.openExperiment(path));
    QVERIFY2(w.lastError().contains(QDir::toNativeSeparators(path)), qPrintable(w.lastError()));
    QVERIFY(w.experimentPath().isEmpty());
    // Saving into a folder that does not exist names the file and keeps the window usable.
    const QString bad = dir.filePath(QStringLiteral("no/such/dir/exp.h5"));
    QVERIFY(!w.saveExperiment(bad));
    QVERIFY2(w.lastError().contains(QDir::toNativeSeparators(bad)), qPrintable(w.lastError()));
}

void TestMainWindow::germanTranslationIsCompleteAndUsed()
{
    // Every message in the German file has a translation.
    QFile ts(QStringLiteral(SB_SOURCE_DIR "/translations/steerbridge_de.ts"));
    QVERIFY(ts.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&ts);
    int messages = 0;
    QStringList untranslated;
    QString source;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == QLatin1String("source"))
            source = xml.readElementText();
        else if (xml.name() == QLatin1String("translation")) {
            ++messages;
            const bool unfinished = xml.attributes().value(QLatin1String("type")) == QLatin1String("unfinished");
            const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            if (unfinished || text.trimmed().isEmpty())
                untranslated << source;
        }
    }
    QVERIFY(messages > 300);
    QVERIFY2(untranslated.isEmpty(), qPrintable(untranslated.join(QLatin1Char('\n'))));

    // Choosing German shows German menus and views; English restores them.
    QCOMPARE(installTranslators(QCoreApplication::instance(), QStringLiteral("de")), QStringLiteral("de"));
    {
        MainWindow w({true, false});
        QStringList menus;
        for (QAction* a : w.menuBar()->actions())
            menus << a->text();
        QVERIFY2(menus.contains(QStringLiteral("&Datei")), qPrintable(menus.join(QLatin1Char(' '))));
        QVERIFY(menus.contains(QStringLiteral("&Bearbeiten")));
        QCOMPARE(w.tabs()->tabText(MainWindow::LayersTab), QStringLiteral("&Schichten"));
        QCOMPARE(w.architectureTable()->table()->horizontalHeaderItem(0)->text(), QStringLiteral("Eigenschaft"));
        QCOMPARE(w.modelPane(0)->title(), QStringLiteral("Quelle: kein Modell geladen"));
    }
    QCOMPARE(installTranslators(QCoreApplication::instance(), QStringLiteral("en")), QStringLiteral("en"));
    MainWindow w({true, false});
    QCOMPARE(w.tabs()->tabText(MainWindow::LayersTab), QStringLiteral("&Layers"));
}

void TestMainWindow::exportsReportWithTablesAndFigures()
{
    MainWindow w({true, false});
    QVERIFY(showWithDemoPair(w, {1300, 850}));
    QTemporaryDir dir;
    const QString html = dir.filePath(QStringLiteral("report.html"));
    QVERIFY2(w.exportReport(html), qPrintable(w.lastError()));
    const QString text = QString::fromUtf8(sbtest::readBytes(html));
    QVERIFY(text.contains(QStringLiteral("stories260k → stories-gpt2")));
    // The architecture table, its values and the highlighted differences.
    QVERIFY(text.contains(QStringLiteral("Hidden size")));
    QVERIFY(text.contains(QStringLiteral("<tr class=\"differs\"><td title=")));
    // The layer diagram, embedded.
    QVERIFY(text.count(QStringLiteral("src=\"data:image/png;base64,")) >= 1);
    const QString pdf = dir.filePath(QStringLiteral("report.pdf"));
    QVERIFY2(w.exportReport(pdf), qPrintable(w.lastError()));
    QVERIFY(sbtest::readBytes(pdf).startsWith("%PDF-"));
    QVERIFY(QFileInfo(pdf).size() > 5000);
    QVERIFY(!w.exportReport(dir.filePath(QStringLiteral("report.docx"))));
    QVERIFY(w.lastError().contains(QStringLiteral("report.docx")));
}

void TestMainWindow::writesScreenshots()
{
    MainWindow w({true, false});
    QVERIFY(showWithDemoPair(w, {1400, 900}));
    const char* names[] = {"architecture", "layers", "dataset", "extraction", "training", "steering", "protocol"};
    static_assert(sizeof(names) / sizeof(names[0]) == MainWindow::TabCount);
    for (int i = 0; i < MainWindow::TabCount; ++i) {
        // Written after real runs: extraction and steering by test_gui_workflow,
        // training and protocol by test_training_view.
        if (i == MainWindow::ExtractionTab || i == MainWindow::SteeringTab || i == MainWindow::TrainingTab ||
            i == MainWindow::ProtocolTab)
            continue;
        w.tabs()->setCurrentIndex(i);
        QVERIFY2(!sbtest::writeScreenshot(w, names[i]).isEmpty(), names[i]);
    }
}

namespace {
/// The labels of `root` whose text has a keyboard mnemonic ("S&eed:") but no
/// buddy: QLabel then shows the "&" itself and Alt+key does nothing.
/// QKeySequence::mnemonic() is what QLabel itself reads the text with.
QStringList labelsWithoutBuddy(const QWidget& root)
{
    QStringList bad;
    for (const QLabel* l : root.findChildren<QLabel*>()) {
        const QString t = l->text();
        if (!Qt::mightBeRichText(t) && !l->buddy() && !QKeySequence::mnemonic(t).isEmpty())
            bad << t;
    }
    return bad;
}
} // namespace

void TestMainWindow::everyMnemonicLabelHasABuddy()
{
    MainWindow w({true, false});
    QVERIFY(showWithDemoPair(w));
    // Every tab built and shown once (some views fill in on first show).
    for (int i = 0; i < MainWindow::TabCount; ++i)
        w.tabs()->setCurrentIndex(i);
    QTest::qWait(20);
    QStringList bad = labelsWithoutBuddy(w);
    QVERIFY2(bad.isEmpty(), qPrintable(bad.join(QStringLiteral(" | "))));
    PreferencesDialog prefs(Preferences{}, &w);
    bad = labelsWithoutBuddy(prefs);
    QVERIFY2(bad.isEmpty(), qPrintable(QStringLiteral("preferences: ") + bad.join(QStringLiteral(" | "))));
    // The check itself sees a label without a buddy.
    QLabel probe(QStringLiteral("S&trength:"), &prefs);
    QCOMPARE(labelsWithoutBuddy(prefs), QStringList{QStringLiteral("S&trength:")});
}

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
