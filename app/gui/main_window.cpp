#include "main_window.h"

#include "architecture_rows.h"
#include "experiment_io.h"

#include "engine/architecture_report.h"
#include "engine/comparison.h"
#include "engine/compatibility.h"
#include "engine/experiment_store.h"
#include "engine/layer_mapping.h"
#include "engine/model.h"
#include "engine/paths.h"
#include "session/adapter_jobs.h"
#include "session/compare_job.h"
#include "session/job.h"
#include "session/model_session.h"
#include "session/protocol_job.h"
#include "session/transfer_jobs.h"
#include "session/vector_jobs.h"
#include "widgets/adapter_training_panel.h"
#include "widgets/architecture_table.h"
#include "widgets/compatibility_panel.h"
#include "widgets/job_status.h"
#include "widgets/layer_diagram.h"
#include "widgets/layer_profile_plot.h"
#include "widgets/loss_plot.h"
#include "widgets/model_pane.h"
#include "widgets/pair_table_editor.h"
#include "widgets/plot_export.h"
#include "widgets/protocol_results_view.h"
#include "widgets/report_writer.h"
#include "widgets/similarity_heatmap.h"
#include "widgets/steered_comparison_view.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QLocale>
#include <QSettings>
#include <QStandardPaths>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QUndoGroup>
#include <QUndoStack>
#include <QUrl>
#include <QVBoxLayout>

#include <limits>

namespace sb {

namespace {
constexpr int kMaxRecent = 8;
const char* const kRecentKey = "recentModels";

QString sideName(int side) { return side == 0 ? MainWindow::tr("source") : MainWindow::tr("target"); }

QString stageTitle(FunctionalStage s)
{
    switch (s) {
    case FunctionalStage::FeatureExtraction: return MainWindow::tr("feature extraction");
    case FunctionalStage::Representation: return MainWindow::tr("representation");
    case FunctionalStage::DecisionMaking: return MainWindow::tr("decision making");
    }
    return {};
}
} // namespace

namespace {
PairImport importPairs(const QString& path)
{
    const ImportedPairs in = importPairFile(path); // the engine's JSONL / CAA / CSV reader
    PairImport out;
    out.file = path;
    out.error = in.error;
    for (int i = 0; i < in.prompts.size(); ++i)
        out.pairs << PairRecord{in.prompts[i], in.positives.value(i), in.negatives.value(i), in.lines.value(i)};
    for (int i = 0; i < in.problemLines.size(); ++i)
        out.problems << PairProblem{in.problemLines[i], in.problemReasons.value(i)};
    return out;
}
} // namespace

MainWindow::MainWindow(const MainWindowOptions& options, QWidget* parent)
    : QMainWindow(parent), m_options(options), m_prefs(Preferences::load())
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("SteerBridge"));
    setAcceptDrops(true);
    setDockOptions(AnimatedDocks | AllowTabbedDocks);
    m_normalFont = font();
    buildViews();
    buildMenus();
    m_jobs = new JobStatus(this);
    statusBar()->addPermanentWidget(m_jobs);
    statusBar()->showMessage(tr("Ready"));
    connect(m_jobs, &JobStatus::jobEnded, this, [this](const QString& what, const QString& outcome) {
        log(tr("%1: %2").arg(what, outcome));
    });
    connect(m_jobs, &JobStatus::idle, this, [this] { statusBar()->showMessage(tr("Ready")); });
    resize(1280, 820);
    if (m_options.restoreState)
        readSettings();
    rebuildRecentMenus();
    modelsChanged();

    m_compareTimer.setSingleShot(true);
    m_compareTimer.setInterval(50);
    connect(&m_compareTimer, &QTimer::timeout, this, &MainWindow::startComparison);

    connect(m_pairs, &PairTableEditor::changed, this, &MainWindow::markDirty);
    connect(m_diagram, &LayerDiagram::pointSelected, this, &MainWindow::markDirty);
    m_autosaveTimer.setInterval(std::max(1, m_prefs.autosaveMinutes) * 60 * 1000);
    connect(&m_autosaveTimer, &QTimer::timeout, this, &MainWindow::autosaveNow);
    if (m_prefs.autosaveMinutes > 0)
        m_autosaveTimer.start();
    setClean();
}

MainWindow::~MainWindow()
{
    // Jobs are children of the window, and Job's own destructor waits only
    // after the derived job's members (its parameters) are gone: stop and
    // join every running job while it is still whole.
    const QList<Job*> jobs = findChildren<Job*>();
    for (Job* j : jobs)
        j->cancel();
    for (Job* j : jobs)
        j->wait();
    // Children are destroyed after this body, when the window is no longer a
    // MainWindow; some emit on their way out (the pair editor's QUndoStack
    // emits cleanChanged from its destructor), and a connected lambda would
    // call into the half-destroyed window (found by UBSan's vptr check).
    const QList<QObject*> children = findChildren<QObject*>();
    for (QObject* c : children)
        disconnect(c, nullptr, this, nullptr);
}

// ------------------------------------------------------------------ views

void MainWindow::buildViews()
{
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_tabs->setDocumentMode(true);
    setCentralWidget(m_tabs);

    // Architecture: the two reports side by side, compatibility below.
    auto* archSplit = new QSplitter(Qt::Vertical, m_tabs);
    m_archTable = new ArchitectureTable(archSplit);
    auto* compatBox = new QGroupBox(tr("Compatibility for vector transfer"), archSplit);
    auto* compatLay = new QVBoxLayout(compatBox);
    m_compat = new CompatibilityPanel(compatBox);
    compatLay->addWidget(m_compat);
    archSplit->addWidget(m_archTable);
    archSplit->addWidget(compatBox);
    archSplit->setStretchFactor(0, 3);
    archSplit->setStretchFactor(1, 2);
    archSplit->setSizes({600, 400});
    m_tabs->addTab(archSplit, tr("&Architecture"));

    // Layers: diagram and similarity heatmap.
    auto* layerSplit = new QSplitter(Qt::Horizontal, m_tabs);
    m_diagram = new LayerDiagram(layerSplit);
    m_heatmap = new SimilarityHeatmap(layerSplit);
    layerSplit->addWidget(m_diagram);
    layerSplit->addWidget(m_heatmap);
    layerSplit->setStretchFactor(0, 3);
    layerSplit->setStretchFactor(1, 2);
    layerSplit->setSizes({600, 420}); // the heatmap needs room to be square-ish
    m_tabs->addTab(layerSplit, tr("&Layers"));
    connect(m_diagram, &LayerDiagram::pointSelected, this, [this](const DiagramPoint& p) {
        statusBar()->showMessage(p.side == DiagramSide::Source ? tr("Extraction point: %1").arg(p.hookName())
                                                               : tr("Injection point: %1").arg(p.hookName()),
                                 4000);
    });
    connect(m_heatmap, &SimilarityHeatmap::cellSelected, this, [this](int s, int t) {
        m_diagram->select({DiagramSide::Source, s, LayerComponent::Residual});
        m_diagram->select({DiagramSide::Target, t, LayerComponent::Residual});
    });

    // Dataset.
    m_pairs = new PairTableEditor(m_tabs);
    m_tabs->addTab(m_pairs, tr("&Dataset"));

    // Extraction: method, positions and strategy; the vector's norm per layer.
    auto* extraction = new QWidget(m_tabs);
    auto* exLay = new QVBoxLayout(extraction);
    auto* exForm = new QHBoxLayout;
    auto combo = [extraction, exForm](const QString& label, const QString& name,
                                      const QVector<QPair<QString, QString>>& items, const QString& tip) {
        auto* box = new QComboBox(extraction);
        box->setObjectName(name);
        for (const auto& [text, data] : items)
            box->addItem(text, data);
        box->setToolTip(tip);
        auto* l = new QLabel(label, extraction);
        l->setBuddy(box);
        exForm->addWidget(l);
        exForm->addWidget(box);
        return box;
    };
    m_methodBox = combo(tr("&Method:"), QStringLiteral("extractionMethod"),
                        {{tr("Mean difference"), QStringLiteral("mean")},
                         {tr("PCA of paired differences"), QStringLiteral("pca")},
                         {tr("Logistic probe"), QStringLiteral("probe")}},
                        tr("How the vector is made from the activations of the positive and negative texts."));
    m_policyBox = combo(tr("&Positions:"), QStringLiteral("extractionPositions"),
                        {{tr("Mean over the continuation"), QStringLiteral("mean")},
                         {tr("Last token"), QStringLiteral("last")},
                         {tr("Every continuation token"), QStringLiteral("all")}},
                        tr("Which token positions of the continuations are read (prompt tokens never are)."));
    m_strategyBox = combo(tr("&Injection:"), QStringLiteral("injectionStrategy"),
                          {{tr("By the compatibility scores"), QString()},
                           {tr("Direct"), QStringLiteral("direct")},
                           {tr("Scaled"), QStringLiteral("scaled")},
                           {tr("Adapted"), QStringLiteral("adapted")}},
                          tr("How the source's vector is brought into the target (Architecture tab: implied strategy)."));
    m_extractButton = new QPushButton(tr("E&xtract"), extraction);
    m_extractButton->setObjectName(QStringLiteral("extractButton"));
    m_extractButton->setEnabled(false);
    m_extractButton->setToolTip(tr("Extract at every layer of both models from the dataset's train part; the points "
                                   "chosen in the Layers tab are the extraction and injection points."));
    connect(m_extractButton, &QPushButton::clicked, this, &MainWindow::startExtraction);
    exForm->addWidget(m_extractButton);
    exForm->addStretch(1);
    exLay->addLayout(exForm);
    m_extractInfo = new QLabel(extraction);
    m_extractInfo->setObjectName(QStringLiteral("extractionInfo"));
    m_extractInfo->setWordWrap(true);
    m_extractInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    exLay->addWidget(m_extractInfo);
    m_normPlot = new LayerProfilePlot(extraction);
    m_normPlot->setTitle(tr("Vector norm per layer"));
    m_normPlot->setValueLabel(tr("Norm of the vector"));
    m_normPlot->setExportName(QStringLiteral("vector-norms"));
    exLay->addWidget(m_normPlot, 1);
    m_tabs->addTab(extraction, tr("E&xtraction"));

    // Training: adapter kind and hyper-parameters, the live loss plot.
    m_training = new AdapterTrainingPanel(m_tabs);
    m_training->setObjectName(QStringLiteral("trainingPanel"));
    m_tabs->addTab(m_training, tr("&Training"));
    connect(m_training, &AdapterTrainingPanel::trainRequested, this, &MainWindow::startTraining);
    connect(m_training, &AdapterTrainingPanel::cancelRequested, this, [this] {
        if (m_trainJob)
            m_trainJob->cancel();
    });
    connect(m_diagram, &LayerDiagram::pointSelected, this, &MainWindow::updateTrainingPoints);

    // Steering.
    m_steering = new SteeredComparisonView(m_tabs);
    m_tabs->addTab(m_steering, tr("&Steering"));
    connect(m_steering, &SteeredComparisonView::generateRequested, this, &MainWindow::startSteering);
    connect(m_steering, &SteeredComparisonView::cancelRequested, this, [this] {
        if (m_steerJob)
            m_steerJob->cancel();
    });

    // Protocol: the graduated protocol's table and plot.
    m_protocol = new ProtocolResultsView(m_tabs);
    m_protocol->setObjectName(QStringLiteral("protocolView"));
    m_tabs->addTab(m_protocol, tr("&Protocol"));
    connect(m_protocol, &ProtocolResultsView::runRequested, this, &MainWindow::startProtocol);
    connect(m_protocol, &ProtocolResultsView::cancelRequested, this, [this] {
        if (m_protocolJob)
            m_protocolJob->cancel();
    });
    m_pairs->setImporter(importPairs);
    m_pairs->setSplitter(heldOutIndices); // the engine's seeded split, as extraction uses it

    // Models dock.
    auto* modelsDock = new QDockWidget(tr("Models"), this);
    modelsDock->setObjectName(QStringLiteral("modelsDock"));
    auto* modelsHost = new QWidget(modelsDock);
    auto* mLay = new QVBoxLayout(modelsHost);
    for (int side = 0; side < 2; ++side) {
        m_panes[side] = new ModelPane(side == 0 ? tr("Source") : tr("Target"), modelsHost);
        m_panes[side]->setObjectName(side == 0 ? QStringLiteral("sourcePane") : QStringLiteral("targetPane"));
        connect(m_panes[side], &ModelPane::openRequested, this, [this, side] { openModelDialog(side); });
        connect(m_panes[side], &ModelPane::folderChosen, this, [this, side](const QString& d) { loadModel(side, d); });
        mLay->addWidget(m_panes[side], 1);
    }
    modelsDock->setWidget(modelsHost);
    modelsDock->setMinimumWidth(240);
    addDockWidget(Qt::LeftDockWidgetArea, modelsDock);

    // Log dock.
    auto* logDock = new QDockWidget(tr("Log"), this);
    logDock->setObjectName(QStringLiteral("logDock"));
    m_log = new QPlainTextEdit(logDock);
    m_log->setObjectName(QStringLiteral("logView"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    logDock->setWidget(m_log);
    addDockWidget(Qt::BottomDockWidgetArea, logDock);
    resizeDocks({logDock}, {120}, Qt::Vertical);

    m_undo = new QUndoGroup(this);
    m_undo->addStack(m_pairs->undoStack());
    m_undo->setActiveStack(m_pairs->undoStack());
    connect(m_pairs->undoStack(), &QUndoStack::cleanChanged, this, [this] { setWindowModified(isDirty()); });
}

void MainWindow::buildMenus()
{
    auto action = [this](QMenu* menu, const QString& text, const QString& name, const QKeySequence& key = {}) {
        QAction* a = menu->addAction(text);
        a->setObjectName(name);
        if (!key.isEmpty())
            a->setShortcut(key);
        return a;
    };

    QMenu* file = menuBar()->addMenu(tr("&File"));
    connect(action(file, tr("&New Experiment"), QStringLiteral("actionNewExperiment"), QKeySequence::New), &QAction::triggered,
            this, &MainWindow::newExperiment);
    connect(action(file, tr("Open E&xperiment..."), QStringLiteral("actionOpenExperiment"),
                   QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_O)),
            &QAction::triggered, this, &MainWindow::openExperimentDialog);
    connect(action(file, tr("&Save Experiment"), QStringLiteral("actionSaveExperiment"), QKeySequence::Save),
            &QAction::triggered, this, [this] {
                if (m_filePath.isEmpty())
                    saveAs();
                else
                    saveExperiment(m_filePath);
            });
    connect(action(file, tr("Save Experiment &As..."), QStringLiteral("actionSaveExperimentAs"),
                   QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S)),
            &QAction::triggered, this, &MainWindow::saveAs);
    file->addSeparator();
    connect(action(file, tr("Open &Source Model..."), QStringLiteral("actionOpenSource"), QKeySequence(Qt::CTRL | Qt::Key_O)),
            &QAction::triggered, this, [this] { openModelDialog(0); });
    connect(action(file, tr("Open &Target Model..."), QStringLiteral("actionOpenTarget"),
                   QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O)),
            &QAction::triggered, this, [this] { openModelDialog(1); });
    m_recentMenus[0] = file->addMenu(tr("Recent Source Models"));
    m_recentMenus[1] = file->addMenu(tr("Recent Target Models"));
    connect(action(file, tr("Load &Demo Pair"), QStringLiteral("actionLoadDemo"), QKeySequence(Qt::CTRL | Qt::Key_D)),
            &QAction::triggered, this, &MainWindow::loadDemoPair);
    file->addSeparator();
    connect(action(file, tr("&Export Figure..."), QStringLiteral("actionExportFigure"), QKeySequence(Qt::CTRL | Qt::Key_E)),
            &QAction::triggered, this, &MainWindow::exportCurrent);
    connect(action(file, tr("Export &Report..."), QStringLiteral("actionExportReport"),
                   QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E)),
            &QAction::triggered, this, &MainWindow::exportReportDialog);
    file->addSeparator();
    QAction* quit = action(file, tr("&Quit"), QStringLiteral("actionQuit"), QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = m_undo->createUndoAction(this, tr("&Undo"));
    undo->setObjectName(QStringLiteral("actionUndo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = m_undo->createRedoAction(this, tr("&Redo"));
    redo->setObjectName(QStringLiteral("actionRedo"));
    redo->setShortcuts({QKeySequence::Redo, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)});
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    connect(action(edit, tr("&Preferences..."), QStringLiteral("actionPreferences"), QKeySequence(Qt::CTRL | Qt::Key_Comma)),
            &QAction::triggered, this, &MainWindow::editPreferences);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_tabs->count(); ++i) {
        QAction* a = action(view, m_tabs->tabText(i).remove(QLatin1Char('&')), QStringLiteral("actionTab%1").arg(i),
                            QKeySequence(Qt::CTRL | (Qt::Key_1 + i)));
        connect(a, &QAction::triggered, this, [this, i] { m_tabs->setCurrentIndex(i); });
    }
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());
    view->addSeparator();
    m_presentationAction = action(view, tr("&Presentation Mode"), QStringLiteral("actionPresentation"),
                                  QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    m_presentationAction->setCheckable(true);
    m_presentationAction->setToolTip(tr("Large fonts and clean plots for lab meetings"));
    connect(m_presentationAction, &QAction::toggled, this, &MainWindow::setPresentationMode);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    QAction* cancel = action(run, tr("&Cancel Running Tasks"), QStringLiteral("actionCancel"), QKeySequence(Qt::Key_Escape));
    connect(cancel, &QAction::triggered, this, [this] {
        if (m_jobs->runningCount() > 0) {
            m_jobs->cancelAll();
            log(tr("Cancel requested."));
        }
    });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    connect(action(help, tr("&About SteerBridge"), QStringLiteral("actionAbout")), &QAction::triggered, this, &MainWindow::about);
}

// ------------------------------------------------------------------ models

void MainWindow::openModelDialog(int side)
{
    QSettings settings;
    const QString start = settings.value(QStringLiteral("models/lastDirectory"), QDir::homePath()).toString();
    const QString dir = QFileDialog::getExistingDirectory(this, side == 0 ? tr("Open Source Model") : tr("Open Target Model"), start);
    if (dir.isEmpty())
        return;
    settings.setValue(QStringLiteral("models/lastDirectory"), QFileInfo(dir).absolutePath());
    loadModel(side, dir);
}

void MainWindow::loadModel(int side, const QString& directory)
{
    if (m_loadJobs[side])
        m_loadJobs[side]->cancel();
    auto* job = new LoadModelJob(directory, this);
    m_loadJobs[side] = job;
    m_panes[side]->setLoading(directory);
    const QString name = QFileInfo(directory).fileName();
    m_jobs->track(job, tr("Loading %1 model %2").arg(sideName(side), name));
    log(tr("Loading %1 as the %2 model from %3").arg(name, sideName(side), QDir::toNativeSeparators(directory)));
    connect(job, &LoadModelJob::finished, this, [this, side](const LoadedModel& m) {
        m_models[side] = m;
        m_reports[side] = std::make_unique<ArchitectureReport>(analyzeModel(*m.model, m.tokenizer.get()));
        m_transfer.reset(); // its vectors belong to the models they were extracted from
        m_panes[side]->setModel(m, modelSummary(m));
        for (const QString& w : m.warnings)
            log(tr("%1: %2").arg(m.name, w));
        log(tr("Loaded %1 (%2)").arg(m.name, modelSummary(m)));
        statusBar()->showMessage(tr("Loaded %1").arg(m.name), 5000);
        addRecent(m.directory);
        if (!m_pendingSelection && m_file && m_file->root().hasGroup("comparison"))
            m_file->root().removeGroup("comparison"); // measured for other models
        modelsChanged();
        // Loading a model is not an edit: the prompt on quit is for work.
        if (m_pendingSelection)
            applyPendingSelection();
        Q_EMIT modelLoaded(side);
    });
    connect(job, &Job::failed, this, [this, side, directory](const QString& msg) {
        m_panes[side]->setFailed(directory, msg);
        if (m_models[side].isValid())
            m_panes[side]->setModel(m_models[side], modelSummary(m_models[side]));
        if (m_pendingSelection) {
            m_pendingSelection.reset(); // the experiment's model is missing: keep what was restored
            m_recovered = false;
        }
        showError(tr("Cannot load model"),
                  tr("Could not load the %1 model from\n%2\n\n%3").arg(sideName(side), QDir::toNativeSeparators(directory), msg));
        Q_EMIT loadFailed(side, msg);
    });
    connect(job, &Job::cancelled, this, [this, side] {
        if (m_models[side].isValid())
            m_panes[side]->setModel(m_models[side], modelSummary(m_models[side]));
        else
            m_panes[side]->clear();
    });
    connect(job, &Job::done, job, &QObject::deleteLater);
    job->start();
}

void MainWindow::loadDemoPair()
{
    const QString a = QString::fromStdString(resourcePath("models/stories260k"));
    const QString b = QString::fromStdString(resourcePath("models/stories-gpt2"));
    if (a.isEmpty() || b.isEmpty()) {
        showError(tr("Demo models not found"),
                  tr("The bundled demo models were not found. Set SB_RESOURCE_DIR to the resources folder."));
        return;
    }
    loadModel(0, a);
    loadModel(1, b);
}

QStringList MainWindow::recentModels() const { return QSettings().value(QLatin1String(kRecentKey)).toStringList(); }

void MainWindow::addRecent(const QString& directory)
{
    QStringList list = recentModels();
    list.removeAll(directory);
    list.prepend(directory);
    while (list.size() > kMaxRecent)
        list.removeLast();
    QSettings().setValue(QLatin1String(kRecentKey), list);
    rebuildRecentMenus();
}

void MainWindow::rebuildRecentMenus()
{
    const QStringList list = recentModels();
    for (int side = 0; side < 2; ++side) {
        QMenu* menu = m_recentMenus[side];
        menu->clear();
        for (const QString& d : list) {
            QAction* a = menu->addAction(tr("%1 — %2").arg(QFileInfo(d).fileName(), QDir::toNativeSeparators(d)));
            connect(a, &QAction::triggered, this, [this, side, d] { loadModel(side, d); });
        }
        if (list.isEmpty())
            menu->addAction(tr("No recent models"))->setEnabled(false);
        m_panes[side]->setRecent(list);
    }
}

void MainWindow::modelsChanged()
{
    const LoadedModel& s = m_models[0];
    const LoadedModel& t = m_models[1];
    updateTitle();
    m_heatmap->setModelNames(s.name, t.name);
    if (s.isValid() && t.isValid()) {
        auto stack = [](const LoadedModel& m) {
            const auto& spec = m.model->spec();
            return DiagramStack{m.name, tr("%1 · hidden %2").arg(QString::fromUtf8(familyName(spec.family))).arg(spec.hiddenSize),
                                static_cast<int>(spec.numLayers)};
        };
        m_diagram->setStacks(stack(s), stack(t));
        // The depth heuristic and its functional stages are known from the
        // layer counts alone; the measured mapping comes with a comparison.
        const LayerMapping depth = depthMapping(s.model->spec().numLayers, t.model->spec().numLayers);
        QVector<DiagramLink> links;
        for (const auto& [from, to] : depth.pairs)
            links.push_back({static_cast<int>(from), static_cast<int>(to), std::numeric_limits<double>::quiet_NaN()});
        m_diagram->setMapping(MappingKind::Depth, links);
        m_diagram->setMapping(MappingKind::Measured, {});
        QVector<DiagramStage> stages;
        for (const auto& st : depth.stages)
            stages.push_back({stageTitle(st.stage), st.depth, static_cast<int>(st.sourceLayer), static_cast<int>(st.targetLayer)});
        m_diagram->setStages(stages);
    } else {
        m_diagram->clear();
    }
    m_extractButton->setEnabled(s.isValid() && t.isValid());
    const bool textModels = s.isValid() && t.isValid() && s.tokenizer && t.tokenizer;
    const QString missing = !s.isValid() || !t.isValid() ? tr("Load a source and a target model first.")
                                                         : tr("Both models need a tokenizer.");
    m_training->setAvailable(textModels, missing);
    m_protocol->setAvailable(textModels, missing);
    updateTrainingPoints();
    showTransfer(); // also shows the comparison
    if (s.isValid() && t.isValid() && !comparisonMatchesModels())
        scheduleComparison();
}

// ------------------------------------------------------------------ comparison

namespace {
QString canonical(const QString& dir)
{
    const QString c = QFileInfo(dir).canonicalFilePath();
    return c.isEmpty() ? QDir::cleanPath(dir) : c;
}

QString componentName(const std::string& engineName)
{
    if (engineName == "dimension") return MainWindow::tr("Hidden dimension");
    if (engineName == "depth") return MainWindow::tr("Depth");
    if (engineName == "attention") return MainWindow::tr("Attention");
    if (engineName == "normalization") return MainWindow::tr("Normalisation");
    if (engineName == "activation") return MainWindow::tr("Activation");
    if (engineName == "positional") return MainWindow::tr("Positions");
    if (engineName == "tokenizer") return MainWindow::tr("Tokenizer");
    if (engineName == "representational") return MainWindow::tr("Representations (measured)");
    return QString::fromStdString(engineName);
}

CompatibilitySummary panelScores(const Compatibility& c, const StrategyDecision& s)
{
    CompatibilitySummary out;
    const auto weights = c.weights();
    auto add = [&](const char* name, const ComponentScore& score) {
        double weight = 0.0;
        for (const auto& [n, w] : weights)
            if (n == name)
                weight = w;
        CompatibilityItem item;
        item.component = componentName(name);
        item.score = score.score;
        item.reason = MainWindow::tr("%1 (weight %2 %)").arg(QString::fromStdString(score.reason)).arg(qRound(100.0 * weight));
        out.items << item;
    };
    add("dimension", c.dimension);
    add("depth", c.depth);
    add("attention", c.attention);
    add("normalization", c.normalization);
    add("activation", c.activation);
    add("positional", c.positional);
    add("tokenizer", c.tokenizer);
    if (c.representational)
        add("representational", *c.representational);
    out.overall = c.overall.score;
    switch (s.strategy) {
    case StrategyKind::Direct: out.strategy = MainWindow::tr("Direct injection"); break;
    case StrategyKind::Scaled:
        out.strategy = MainWindow::tr("Scaled injection (× %1)").arg(QLocale().toString(s.scale, 'f', 2));
        break;
    case StrategyKind::Adapted: out.strategy = MainWindow::tr("Adapted injection (through a dimension adapter)"); break;
    }
    QStringList reasons;
    for (const auto& r : s.reasons)
        reasons << QString::fromStdString(r);
    out.strategyExplanation = reasons.join(QLatin1Char(' '));
    return out;
}

SimilarityMatrix heatmapMatrix(const LayerMatrix& m, const QString& name, double low, double high, const LayerMapping& path)
{
    SimilarityMatrix out;
    out.name = name;
    out.rows = static_cast<int>(m.rows);
    out.cols = static_cast<int>(m.cols);
    out.values = QVector<double>(m.values.begin(), m.values.end());
    out.low = low;
    out.high = high;
    for (const auto& [s, t] : path.pairs)
        out.path << QPoint(static_cast<int>(s), static_cast<int>(t));
    out.pathName = MainWindow::tr("measured mapping");
    return out;
}
} // namespace

bool MainWindow::comparisonMatchesModels() const
{
    return m_comparison && m_models[0].isValid() && m_models[1].isValid() &&
           canonical(QString::fromStdString(m_comparison->source.directory)) == canonical(m_models[0].directory) &&
           canonical(QString::fromStdString(m_comparison->target.directory)) == canonical(m_models[1].directory);
}

const ComparisonResult* MainWindow::comparison() const { return comparisonMatchesModels() ? m_comparison.get() : nullptr; }

bool MainWindow::isComparing() const { return m_compareJob && m_compareJob->isRunning(); }

void MainWindow::scheduleComparison()
{
    if (m_compareJob)
        m_compareJob->cancel();
    m_compareTimer.start();
}

void MainWindow::startComparison()
{
    const LoadedModel& s = m_models[0];
    const LoadedModel& t = m_models[1];
    if (!s.isValid() || !t.isValid() || comparisonMatchesModels())
        return;
    for (int side = 0; side < 2; ++side)
        if (m_loadJobs[side])
            return; // the pair is about to change; compare the models that arrive
    // An opened experiment carries its comparison: use it when it is of these models.
    if (m_file && m_file->root().hasGroup("comparison")) {
        try {
            auto stored = std::make_unique<ComparisonResult>(ComparisonResult::load(m_file->root()));
            std::swap(stored, m_comparison);
            if (comparisonMatchesModels()) {
                log(tr("Comparison of %1 and %2 restored from the experiment file").arg(s.name, t.name));
                showComparison();
                Q_EMIT comparisonReady();
                return;
            }
            m_comparison = std::move(stored);
        } catch (const std::exception& e) {
            log(tr("The experiment's comparison could not be read (%1); comparing again").arg(QString::fromUtf8(e.what())));
        }
    }
    CompareParams p;
    p.source = s;
    p.target = t;
    p.measure = s.tokenizer && t.tokenizer; // measuring runs text through both models
    auto* job = new CompareJob(p, this);
    m_compareJob = job;
    m_jobs->track(job, p.measure ? tr("Comparing %1 and %2 (measuring layer similarity)").arg(s.name, t.name)
                                 : tr("Comparing %1 and %2").arg(s.name, t.name));
    const QString sourceDir = canonical(s.directory), targetDir = canonical(t.directory);
    connect(job, &CompareJob::finished, this, [this, sourceDir, targetDir](const ComparisonResult& r) {
        if (canonical(m_models[0].directory) != sourceDir || canonical(m_models[1].directory) != targetDir)
            return; // the models changed meanwhile
        m_comparison = std::make_unique<ComparisonResult>(r);
        showComparison();
        log(r.measured ? tr("Compared %1 and %2: overall compatibility %3, measured mean CKA along the mapping %4")
                             .arg(m_models[0].name, m_models[1].name)
                             .arg(r.compatibility.overall.score, 0, 'f', 2)
                             .arg(r.compatibility.representational ? r.compatibility.representational->score : 0.0, 0, 'f', 2)
                       : tr("Compared %1 and %2: overall compatibility %3 (layer similarity not measured: a model has no tokenizer)")
                             .arg(m_models[0].name, m_models[1].name)
                             .arg(r.compatibility.overall.score, 0, 'f', 2));
        Q_EMIT comparisonReady();
    });
    connect(job, &Job::failed, this, [this](const QString& message) {
        log(tr("The comparison failed: %1").arg(message));
        statusBar()->showMessage(tr("The comparison failed; see the log"), 8000);
        Q_EMIT comparisonFailed(message);
    });
    connect(job, &Job::done, job, &QObject::deleteLater);
    job->start();
}

void MainWindow::showComparison()
{
    const LoadedModel& s = m_models[0];
    const LoadedModel& t = m_models[1];
    const ComparisonResult* c = comparison();
    const ArchitectureReport* reports[2] = {c ? &c->source : m_reports[0].get(), c ? &c->target : m_reports[1].get()};
    if (!s.isValid())
        reports[0] = nullptr;
    if (!t.isValid())
        reports[1] = nullptr;
    m_archTable->setModelNames(s.name, t.name);
    m_archTable->setRows(reports[0] || reports[1]
                             ? architectureRows(reports[0], reports[1], c && c->tokenizers ? &*c->tokenizers : nullptr)
                             : QVector<ComparisonRow>{});
    if (!reports[0] || !reports[1]) {
        m_compat->clear();
        m_heatmap->clear();
        return;
    }
    if (c) {
        m_compat->setScores(panelScores(c->compatibility, c->strategy));
    } else {
        // Before the comparison arrives: the structural scores, known from the reports.
        const Compatibility quick = computeCompatibility(*reports[0], *reports[1]);
        m_compat->setScores(panelScores(quick, chooseStrategy(quick, *reports[0], *reports[1])));
    }
    if (!c || !c->measured) {
        m_heatmap->clear();
        m_diagram->setMapping(MappingKind::Measured, {});
        m_diagram->setStages({}, MappingKind::Measured);
        m_diagram->setOverlays(m_normOverlays);
        return;
    }
    QVector<SimilarityMatrix> matrices;
    for (const SiteSimilarity& site : c->similarity) {
        const QString where = QString::fromStdString(site.site);
        matrices << heatmapMatrix(site.cka, tr("linear CKA, %1").arg(where), 0.0, 1.0, c->measuredMapping);
        matrices << heatmapMatrix(site.ckaDebiased, tr("debiased CKA, %1").arg(where), std::numeric_limits<double>::quiet_NaN(),
                                  std::numeric_limits<double>::quiet_NaN(), c->measuredMapping);
        matrices << heatmapMatrix(site.mutualKnn, tr("mutual kNN (k = %1), %2").arg(site.knnK).arg(where), 0.0, 1.0,
                                  c->measuredMapping);
    }
    m_heatmap->setMatrices(matrices);

    const LayerMatrix& cka = c->residual().cka;
    QVector<DiagramLink> links;
    for (const auto& [from, to] : c->measuredMapping.pairs)
        links.push_back({static_cast<int>(from), static_cast<int>(to), cka.at(from, to)});
    m_diagram->setMapping(MappingKind::Measured, links);
    QVector<DiagramStage> stages;
    for (const auto& st : c->measuredMapping.stages)
        stages.push_back({stageTitle(st.stage), st.depth, static_cast<int>(st.sourceLayer), static_cast<int>(st.targetLayer)});
    m_diagram->setStages(stages, MappingKind::Measured);
    // Similarity overlay: each source layer's CKA with its mapped layer, each
    // target layer's best CKA with any source layer.
    DiagramOverlay sim;
    sim.name = tr("Similarity (linear CKA)");
    sim.format = tr("CKA %1");
    for (const auto& [from, to] : c->measuredMapping.pairs)
        sim.source << cka.at(from, to);
    for (int64_t j = 0; j < cka.cols; ++j) {
        double best = 0.0;
        for (int64_t i = 0; i < cka.rows; ++i)
            best = std::max(best, cka.at(i, j));
        sim.target << best;
    }
    QVector<DiagramOverlay> overlays = m_normOverlays;
    overlays << sim;
    m_diagram->setOverlays(overlays);
}

// ------------------------------------------------------------------ vectors


PairDataset MainWindow::currentDataset() const
{
    PairDataset d;
    d.name = m_pairs->datasetName().isEmpty() ? tr("pairs") : m_pairs->datasetName();
    for (const PairRecord& p : m_pairs->pairs())
        d.pairs << PairText{p.prompt, p.positive, p.negative, p.line};
    d.heldOutFraction = m_pairs->heldOutFraction();
    d.splitSeed = m_pairs->seed();
    return d;
}

MainWindow::ChosenPoints MainWindow::chosenPoints() const
{
    ChosenPoints p;
    const DiagramPoint from = m_diagram->selection(DiagramSide::Source);
    const DiagramPoint to = m_diagram->selection(DiagramSide::Target);
    if (from.isValid()) {
        p.sourceLayer = from.layer;
        p.sourceComponent = componentHookName(from.component);
    }
    if (to.isValid()) {
        p.targetLayer = to.layer;
        p.targetComponent = componentHookName(to.component);
    } else if (from.isValid()) {
        // No injection point chosen: the mapped layer of the shown mapping.
        const QVector<DiagramLink>& links = m_diagram->mapping(m_diagram->shownMapping()).isEmpty()
                                                ? m_diagram->mapping(MappingKind::Depth)
                                                : m_diagram->mapping(m_diagram->shownMapping());
        for (const DiagramLink& l : links)
            if (l.source == from.layer)
                p.targetLayer = l.target;
        p.targetComponent = p.sourceComponent;
    }
    return p;
}

void MainWindow::startExtraction()
{
    const LoadedModel& s = m_models[0];
    const LoadedModel& t = m_models[1];
    if (!s.isValid() || !t.isValid()) {
        showError(tr("Cannot extract"), tr("Load a source and a target model first."));
        return;
    }
    if (m_pairs->pairs().size() < 2) {
        showError(tr("Cannot extract"), tr("The dataset needs at least two pairs (Dataset tab): one to extract from, one held out."));
        return;
    }
    if (m_extractJob)
        m_extractJob->cancel();
    TransferParams p;
    p.source = s;
    p.target = t;
    p.dataset = currentDataset();
    p.method = m_methodBox->currentData().toString();
    p.policy = m_policyBox->currentData().toString();
    const ChosenPoints points = chosenPoints();
    p.sourceLayer = points.sourceLayer;
    p.sourceComponent = points.sourceComponent;
    p.targetLayer = points.targetLayer;
    p.targetComponent = points.targetComponent;
    if (const ComparisonResult* c = comparison()) {
        p.overall = c->compatibility.overall.score;
        p.dimension = c->compatibility.dimension.score;
        for (const auto& r : c->strategy.reasons)
            p.reasons << QString::fromStdString(r);
    }
    p.strategy = m_strategyBox->currentData().toString();
    auto* job = new TransferExtractionJob(p, this);
    m_extractJob = job;
    m_jobs->track(job, tr("Extracting vectors from %1 pairs").arg(p.dataset.pairs.size()));
    m_extractInfo->setText(tr("Extracting..."));
    connect(job, &TransferExtractionJob::finished, this, [this](const TransferResult& r) {
        m_transfer = std::make_unique<TransferResult>(r);
        log(tr("Extracted %1 → %2 (%3), cosine to the target's own vector %4")
                .arg(r.source.summaries.value(0).point, r.transferred.summaries.value(0).point, r.strategy)
                .arg(r.cosineToNative, 0, 'f', 3));
        // The adapter in use (trained now or opened with the experiment)
        // transfers a vector extracted at its points.
        if (m_trained && m_trained->adapter && m_training->useForTransfer()) {
            TransferResult adapted = *m_transfer;
            if (applyTrainedAdapter(*m_trained, adapted)) {
                m_transfer = std::make_unique<TransferResult>(adapted);
                log(tr("Transferred by the trained %1 adapter: cosine to the target's own vector %2")
                        .arg(m_trained->kind)
                        .arg(adapted.cosineToNative, 0, 'f', 3));
            }
        }
        showTransfer();
        Q_EMIT extractionReady();
    });
    connect(job, &Job::failed, this, [this](const QString& message) {
        m_extractInfo->setText(tr("Extraction failed: %1").arg(message));
        showError(tr("Extraction failed"), message);
        Q_EMIT extractionFailed(message);
    });
    connect(job, &Job::cancelled, this, [this] { m_extractInfo->setText(tr("Extraction cancelled.")); });
    connect(job, &Job::done, job, &QObject::deleteLater);
    job->start();
}

void MainWindow::showTransfer()
{
    m_normOverlays.clear();
    if (!m_transfer) {
        m_normPlot->setProfiles({});
        m_extractInfo->setText(tr("Choose the points in the Layers tab (or leave them to the representation stage) and extract."));
        m_steering->setAvailable(false, tr("Steered generation needs an extracted vector (Extraction tab)."));
        showComparison();
        return;
    }
    const TransferResult& r = *m_transfer;
    auto norms = [](const VectorSet& set) {
        QVector<double> v;
        for (const VectorSummary& s : set.summaries)
            v << s.norm;
        return v;
    };
    const VectorSummary& src = r.source.summaries.first();
    const VectorSummary& nat = r.native.summaries.first();
    const VectorSummary& tra = r.transferred.summaries.first();
    LayerProfile sp{tr("%1 (source, %2)").arg(m_models[0].name, src.component), norms(r.sourceLayers), src.layer};
    LayerProfile tp{tr("%1 (target, %2)").arg(m_models[1].name, nat.component), norms(r.targetLayers), nat.layer};
    m_normPlot->setProfiles({sp, tp});
    DiagramOverlay overlay;
    overlay.name = tr("Vector norm");
    overlay.format = tr("norm %1");
    overlay.sharedScale = false; // different widths: norms are not comparable across the models
    overlay.component = src.component == QLatin1String("attn_out") ? LayerComponent::Attention
                        : src.component == QLatin1String("mlp_out") ? LayerComponent::Mlp
                                                                     : LayerComponent::Residual;
    overlay.source = sp.values;
    overlay.target = tp.values;
    m_normOverlays << overlay;
    // One line per reason the engine gave (point, strategy, compatibility).
    QStringList reasons;
    for (const QString& reason : r.reasons)
        reasons << reason.toHtmlEscaped();
    m_extractInfo->setText(
        tr("<b>%1</b> → <b>%2</b> by %3: transferred norm %4 (the target's own vector: %5), cosine %6. "
           "%7 pairs to extract from, %8 held out.<br>%9")
            .arg(src.point.toHtmlEscaped(), tra.point.toHtmlEscaped(), r.strategy.toHtmlEscaped())
            .arg(tra.norm, 0, 'f', 3)
            .arg(nat.norm, 0, 'f', 3)
            .arg(r.cosineToNative, 0, 'f', 3)
            .arg(r.trainPairs)
            .arg(r.heldOutPairs)
            .arg(reasons.join(QStringLiteral("<br>"))));
    m_steering->setAvailable(true);
    showComparison(); // the overlays
}

// ------------------------------------------------------------------ training

LossPlot* MainWindow::lossPlot() const { return m_training->lossPlot(); }

AdapterTrainingJob* MainWindow::trainingJob() const { return m_trainJob; }

ProtocolJob* MainWindow::protocolJob() const { return m_protocolJob; }

void MainWindow::updateTrainingPoints()
{
    if (!m_models[0].isValid() || !m_models[1].isValid()) {
        m_training->setPointsText(tr("Points: load a source and a target model first."));
        return;
    }
    const ChosenPoints p = chosenPoints();
    const QString from = p.sourceLayer >= 0 ? tr("source layer %1 (%2)").arg(p.sourceLayer).arg(p.sourceComponent)
                                            : tr("the source's representation-stage layer (%1)").arg(p.sourceComponent);
    const QString to = p.targetLayer >= 0 ? tr("target layer %1").arg(p.targetLayer) : tr("the layer of equal relative depth");
    QString text = tr("Points: %1 → %2. Choose others in the Layers tab.").arg(from, to);
    if (p.targetComponent != p.sourceComponent)
        text += QLatin1Char(' ') + tr("The adapter maps one component on both sides: %1.").arg(p.sourceComponent);
    m_training->setPointsText(text);
}

void MainWindow::startTraining()
{
    const LoadedModel& s = m_models[0];
    const LoadedModel& t = m_models[1];
    if (!s.isValid() || !t.isValid()) {
        showError(tr("Cannot train"), tr("Load a source and a target model first."));
        return;
    }
    if (m_pairs->pairs().size() < 2) {
        showError(tr("Cannot train"), tr("The dataset needs at least two pairs (Dataset tab): the adapter's effect is "
                                         "trained on the train part and checked on the held-out part."));
        return;
    }
    if (m_trainJob)
        return; // one run at a time; Cancel stops it
    AdapterTrainingParams p = m_training->settings();
    p.source = s;
    p.target = t;
    p.dataset = currentDataset();
    const ChosenPoints points = chosenPoints();
    p.sourceLayer = points.sourceLayer;
    p.targetLayer = points.targetLayer;
    p.component = points.sourceComponent;
    const int run = m_training->beginRun(p);
    auto* job = new AdapterTrainingJob(p, this);
    m_trainJob = job;
    m_training->setRunning(true);
    m_jobs->track(job, tr("Training a %1 adapter (%2 steps)").arg(p.kind).arg(p.steps));
    log(tr("Training a %1 adapter: %2 steps, learning rate %3, %4 pairs").arg(p.kind).arg(p.steps).arg(p.learningRate).arg(
        p.dataset.pairs.size()));
    // Steps go from the worker straight into the plot's buffer; the plot
    // coalesces them into one replot per interval on the GUI thread.
    const std::shared_ptr<LossBuffer> buffer = lossPlot()->buffer();
    connect(
        job, &AdapterTrainingJob::stepReported, job,
        [buffer, run](const AdapterTrainingStep& step) { buffer->append(AdapterTrainingPanel::samplesFor(run, step)); },
        Qt::DirectConnection);
    // And queued to the panel, which keeps every step of the run for saving.
    connect(job, &AdapterTrainingJob::stepReported, m_training,
            [this, run](const AdapterTrainingStep& step) { m_training->recordStep(run, step); });
    connect(job, &AdapterTrainingJob::finished, this, [this, run, p](const AdapterTrainingSummary& summary) {
        m_training->finishRun(run, p, summary);
        if (summary.adapter) {
            // Kept for the transfer: the last trained adapter (saved with
            // the job's adapterFile / experimentFile when asked for).
            m_trained = std::make_unique<AdapterTrainingSummary>(summary);
            m_trained->history.clear();
            m_trainedRun = run;
            if (m_training->useForTransfer() && m_transfer) {
                TransferResult adapted = *m_transfer;
                QString why;
                if (applyTrainedAdapter(*m_trained, adapted, &why)) {
                    m_transfer = std::make_unique<TransferResult>(adapted);
                    showTransfer();
                    m_training->addNote(tr("The extracted vector is now transferred by this adapter: cosine to the "
                                           "target's own vector %1.")
                                            .arg(QLocale().toString(adapted.cosineToNative, 'f', 3)));
                    markDirty();
                } else {
                    m_training->addNote(tr("Not used for the transfer: %1").arg(why));
                }
            }
        }
        log(tr("Adapter %1 %2 → %3: %4 steps, best step %5, cosine to the target's own vector %6 (fitted %7)%8")
                .arg(summary.kind, summary.sourcePoint, summary.targetPoint)
                .arg(summary.steps)
                .arg(summary.bestStep)
                .arg(summary.cosineToNativeTrained, 0, 'f', 3)
                .arg(summary.cosineToNativeFitted, 0, 'f', 3)
                .arg(summary.cancelled ? tr(", cancelled") : summary.stoppedEarly ? tr(", stopped early") : QString()));
        markDirty(); // a run (and maybe an adapter) to save
    });
    connect(job, &Job::cancelled, this, [this, run] {
        m_training->cancelRun(run); // only when it stopped before training (no summary)
        markDirty();
    });
    connect(job, &Job::failed, this, [this, run](const QString& message) {
        m_training->failRun(run, message);
        markDirty();
        showError(tr("Training failed"), message);
    });
    connect(job, &Job::done, this, [this] {
        m_training->setRunning(false);
        Q_EMIT trainingEnded();
    });
    connect(job, &Job::done, job, &QObject::deleteLater);
    job->start();
}

void MainWindow::startProtocol()
{
    const LoadedModel& s = m_models[0];
    const LoadedModel& t = m_models[1];
    if (!s.isValid() || !t.isValid()) {
        showError(tr("Cannot run the protocol"), tr("Load a source and a target model first."));
        return;
    }
    if (m_pairs->pairs().size() < 2) {
        showError(tr("Cannot run the protocol"),
                  tr("The dataset needs at least two pairs (Dataset tab): one to extract from, one held out."));
        return;
    }
    if (m_protocolJob)
        return;
    ProtocolParams p = m_protocol->settings();
    if (p.stages.isEmpty() || p.components.isEmpty() || p.strategies.isEmpty()) {
        showError(tr("Cannot run the protocol"), tr("Choose at least one stage, one component and one strategy."));
        return;
    }
    p.source = s;
    p.target = t;
    p.dataset = currentDataset();
    auto* job = new ProtocolJob(p, this);
    m_protocolJob = job;
    m_protocol->setRunning(true);
    m_protocol->setStatus(tr("Running the protocol..."));
    // The fine-tuned rows' steps, queued to the view (it coalesces the replots).
    // The plot shows this run live; a run that does not finish gives the
    // plot back to the result still shown.
    const QVector<ProtocolTrainingCurve> shownCurves = m_protocol->trainingCurves();
    m_protocol->clearTraining();
    connect(job, &ProtocolJob::trainingStep, m_protocol, &ProtocolResultsView::addTrainingStep);
    m_jobs->track(job, tr("Transfer protocol on %1 → %2").arg(s.name, t.name));
    log(tr("Running the transfer protocol: %1 stage(s), %2 component(s), %3 strategies")
            .arg(p.stages.size())
            .arg(p.components.size())
            .arg(p.strategies.size()));
    connect(job, &ProtocolJob::finished, this, [this](const ProtocolSummary& r) {
        m_protocol->setResult(r);
        m_protocol->setStatus(tr("Done: %n row(s).", nullptr, static_cast<int>(r.rows.size())));
        log(tr("Protocol done: %1 rows, best point %2").arg(r.rows.size()).arg(r.bestPoint));
        markDirty();
    });
    connect(job, &Job::failed, this, [this, shownCurves](const QString& message) {
        m_protocol->restoreTraining(shownCurves);
        m_protocol->setStatus(tr("The protocol failed: %1").arg(message));
        showError(tr("Protocol failed"), message);
    });
    connect(job, &Job::cancelled, this, [this, shownCurves] {
        m_protocol->restoreTraining(shownCurves);
        m_protocol->setStatus(tr("Protocol cancelled."));
    });
    connect(job, &Job::done, this, [this] {
        m_protocol->setRunning(false);
        Q_EMIT protocolEnded();
    });
    connect(job, &Job::done, job, &QObject::deleteLater);
    job->start();
}

SteeredComparisonJob* MainWindow::steeringJob() const { return m_steerJob; }

void MainWindow::startSteering(const SteeringRequest& request)
{
    if (!m_transfer || !m_transfer->isValid()) {
        showError(tr("Cannot generate"), tr("Extract a vector first (Extraction tab)."));
        return;
    }
    if (m_steerJob)
        m_steerJob->cancel();
    const QString s = m_models[0].name, t = m_models[1].name;
    SteeredComparisonParams p;
    p.source = m_models[0];
    p.target = m_models[1];
    p.prompt = request.prompt;
    p.alpha = request.alpha;
    p.seed = request.seed;
    p.maxNewTokens = request.maxNewTokens;
    p.dataset = currentDataset();
    QStringList titles;
    p.columns << SteeredColumn{1, {}};
    titles << tr("%1 unsteered").arg(t);
    p.columns << SteeredColumn{1, m_transfer->native};
    titles << tr("%1 with its own vector").arg(t);
    p.columns << SteeredColumn{1, m_transfer->transferred};
    titles << tr("%1 with the transferred vector").arg(t);
    if (request.includeSourceSteered) {
        p.columns << SteeredColumn{0, m_transfer->source};
        titles << tr("%1 (source) with its vector").arg(s);
    }
    m_steering->setColumns(titles);
    for (int c = 0; c < titles.size(); ++c)
        m_steering->startColumn(c, request.prompt);
    m_steering->setRunning(true);
    auto* job = new SteeredComparisonJob(p, this);
    m_steerJob = job;
    m_jobs->track(job, tr("Generating %1 columns").arg(titles.size()));
    connect(job, &SteeredComparisonJob::textUpdated, m_steering, &SteeredComparisonView::setColumnText);
    connect(job, &SteeredComparisonJob::columnScored, this, [this](int column, const ColumnScore& sc) {
        const auto n = [](double v) { return QLocale().toString(v, 'f', 2); };
        m_steering->setColumnScores(column, tr("preference gap %1 [%2, %3] on %4 held-out pairs · shift %5 · %6 tokens")
                                                .arg(n(sc.gap), n(sc.low), n(sc.high))
                                                .arg(sc.pairs)
                                                .arg((sc.shift >= 0 ? QStringLiteral("+") : QString()) + n(sc.shift))
                                                .arg(sc.generatedTokens));
    });
    connect(job, &SteeredComparisonJob::finished, this, [this] {
        log(tr("Steered comparison done"));
        markDirty();
        m_steering->setRunning(false); // before steeringDone: done() itself arrives a moment later
        Q_EMIT steeringDone();
    });
    connect(job, &Job::failed, this, [this](const QString& message) { showError(tr("Generation failed"), message); });
    connect(job, &Job::done, this, [this] { m_steering->setRunning(false); });
    connect(job, &Job::done, job, &QObject::deleteLater);
    job->start();
}

// ------------------------------------------------------------------ chrome

void MainWindow::showError(const QString& title, const QString& message)
{
    m_lastError = message;
    log(tr("Error: %1").arg(QString(message).replace(QLatin1Char('\n'), QLatin1Char(' '))));
    statusBar()->showMessage(title, 8000);
    if (!m_options.quietDialogs)
        QMessageBox::critical(this, title, message);
}

void MainWindow::log(const QString& message)
{
    m_log->appendPlainText(QStringLiteral("%1  %2").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), message));
}

QString MainWindow::logText() const { return m_log->toPlainText(); }

bool MainWindow::isDirty() const { return m_dirty; }

void MainWindow::markDirty()
{
    if (m_restoring || m_dirty)
        return;
    m_dirty = true;
    setWindowModified(true);
}

void MainWindow::setClean()
{
    m_dirty = false;
    m_pairs->undoStack()->setClean();
    setWindowModified(false);
}

void MainWindow::updateTitle()
{
    const LoadedModel& s = m_models[0];
    const LoadedModel& t = m_models[1];
    QString title = s.isValid() || t.isValid()
                        ? tr("%1 → %2").arg(s.isValid() ? s.name : tr("?"), t.isValid() ? t.name : tr("?"))
                        : QString();
    const QString file = m_filePath.isEmpty() ? tr("Untitled experiment") : QFileInfo(m_filePath).fileName();
    setWindowTitle(title.isEmpty() ? tr("%1[*] — SteerBridge").arg(file) : tr("%1[*] — %2 — SteerBridge").arg(file, title));
}

const Exportable* MainWindow::currentExportable() const
{
    switch (m_tabs->currentIndex()) {
    case LayersTab: {
        QWidget* f = QApplication::focusWidget();
        if (f && m_heatmap->isAncestorOf(f))
            return m_heatmap;
        return m_diagram;
    }
    case ExtractionTab: return m_normPlot;
    case TrainingTab: return m_training;
    case ProtocolTab: return m_protocol;
    default: return nullptr;
    }
}

void MainWindow::exportCurrent()
{
    const Exportable* e = currentExportable();
    if (!e) {
        statusBar()->showMessage(tr("This tab has no figure to export; the Layers, Extraction, Training and Protocol tabs do."), 6000);
        return;
    }
    const QString path = exportWithDialog(this, *e);
    if (!path.isEmpty())
        log(tr("Exported %1").arg(QDir::toNativeSeparators(path)));
}

void MainWindow::exportReportDialog()
{
    QSettings settings;
    const QString dir = settings.value(QStringLiteral("export/lastDirectory"), QDir::homePath()).toString();
    const QString html = tr("HTML report (*.html)");
    const QString pdf = tr("PDF report (*.pdf)");
    QString selected = html;
    QString path = QFileDialog::getSaveFileName(this, tr("Export Report"), dir + QStringLiteral("/report.html"),
                                                html + QStringLiteral(";;") + pdf, &selected);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += selected == pdf ? QStringLiteral(".pdf") : QStringLiteral(".html");
    settings.setValue(QStringLiteral("export/lastDirectory"), QFileInfo(path).absolutePath());
    exportReport(path);
}

bool MainWindow::exportReport(const QString& path)
{
    const LoadedModel& s = m_models[0];
    const LoadedModel& t = m_models[1];
    ReportWriter report(s.isValid() && t.isValid() ? tr("SteerBridge experiment: %1 → %2").arg(s.name, t.name)
                                                   : tr("SteerBridge experiment"));
    QVector<QPair<QString, QString>> facts;
    facts << qMakePair(tr("Experiment file"), m_filePath.isEmpty() ? tr("(unsaved)") : QDir::toNativeSeparators(m_filePath));
    for (int side = 0; side < 2; ++side)
        if (m_models[side].isValid())
            facts << qMakePair(side == 0 ? tr("Source model") : tr("Target model"),
                               tr("%1 (%2): %3")
                                   .arg(m_models[side].name, QDir::toNativeSeparators(m_models[side].directory),
                                        modelSummary(m_models[side])));
    report.addFacts(facts);

    if (!m_archTable->rows().isEmpty()) {
        report.addHeading(tr("Architecture comparison"));
        report.addParagraph(tr("%n of %1 properties differ (highlighted).", nullptr, m_archTable->differenceCount())
                                .arg(m_archTable->rows().size()));
        report.addHtml(m_archTable->toHtml());
    }
    const CompatibilitySummary& scores = m_compat->scores();
    if (!scores.items.isEmpty()) {
        report.addHeading(tr("Compatibility"));
        QString h = QStringLiteral("<table><tr><th>%1</th><th>%2</th><th>%3</th></tr>")
                        .arg(tr("Component").toHtmlEscaped(), tr("Score").toHtmlEscaped(), tr("Reason").toHtmlEscaped());
        for (const auto& item : scores.items)
            h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td></tr>")
                     .arg(item.component.toHtmlEscaped(), QString::number(item.score, 'f', 2), item.reason.toHtmlEscaped());
        h += QStringLiteral("<tr><th>%1</th><th>%2</th><td></td></tr></table>")
                 .arg(tr("Overall").toHtmlEscaped(), QString::number(scores.overall, 'f', 2));
        report.addHtml(h);
        report.addParagraph(tr("Implied strategy: %1. %2").arg(scores.strategy, scores.strategyExplanation));
    }
    if (s.isValid() && t.isValid()) {
        report.addHeading(tr("Layer mapping"));
        report.addFigure(renderImage(*m_diagram),
                         m_diagram->shownMapping() == MappingKind::Measured
                             ? tr("The two models to relative depth, with the measured layer mapping and the functional stages.")
                             : tr("The two models to relative depth, with the depth-heuristic layer mapping and the functional stages."));
        if (m_heatmap->current())
            report.addFigure(renderImage(*m_heatmap), m_heatmap->current()->name);
    }
    const QVector<PairRecord> pairs = m_pairs->pairs();
    if (!pairs.isEmpty()) {
        report.addHeading(tr("Dataset"));
        QVector<QPair<QString, QString>> d;
        d << qMakePair(tr("Name"), m_pairs->datasetName()) << qMakePair(tr("Pairs"), QString::number(pairs.size()));
        if (m_pairs->splitIsCurrent())
            d << qMakePair(tr("Split"), tr("%1 train, %2 held out (seed %3)")
                                            .arg(m_pairs->trainIndices().size())
                                            .arg(m_pairs->heldOutIndices().size())
                                            .arg(m_pairs->seed()));
        if (!m_pairs->problems().isEmpty())
            d << qMakePair(tr("Lines not imported"), QString::number(m_pairs->problems().size()));
        report.addFacts(d);
    }
    if (!m_normPlot->profiles().isEmpty()) {
        report.addHeading(tr("Extraction"));
        report.addFigure(renderImage(*m_normPlot), tr("Norm of the extracted vector per layer."));
    }
    if (lossPlot()->totalSamples() > 0) {
        report.addHeading(tr("Adapter training"));
        report.addFigure(renderImage(*lossPlot()), tr("Training and validation loss of every run (validation dashed)."));
        if (!m_training->runSummaries().isEmpty())
            report.addHtml(m_training->summariesHtml());
    }
    if (m_protocol->result().isValid()) {
        report.addHeading(tr("Transfer protocol"));
        report.addParagraph(m_protocol->resultText());
        report.addHtml(m_protocol->tableHtml());
        report.addFigure(renderImage(m_protocol->strategyFigure()), tr("Mean transfer efficiency and cosine to the target's own "
                                                              "vector per strategy."));
        if (m_protocol->trainingPlot()->totalSamples() > 0)
            report.addFigure(renderImage(*m_protocol->trainingPlot()),
                             tr("Fine-tuning loss of the protocol's rows trained with effect preservation."));
    }
    bool anyText = false;
    for (int c = 0; c < m_steering->columnCount(); ++c)
        anyText = anyText || !m_steering->columnText(c).isEmpty();
    if (anyText) {
        report.addHeading(tr("Steered outputs"));
        const SteeringRequest r = m_steering->request();
        report.addParagraph(tr("Prompt: %1 (α = %2, seed %3)").arg(r.prompt).arg(r.alpha).arg(r.seed));
        QVector<QPair<QString, QString>> cols;
        for (int c = 0; c < m_steering->columnCount(); ++c)
            cols << qMakePair(m_steering->columnTitle(c), m_steering->columnText(c) + QStringLiteral("\n") + m_steering->columnScores(c));
        report.addFacts(cols);
    }
    const QString error = report.save(path);
    if (!error.isEmpty()) {
        showError(tr("Cannot export the report"), error);
        return false;
    }
    log(tr("Exported the report to %1").arg(QDir::toNativeSeparators(path)));
    statusBar()->showMessage(tr("Report written: %1").arg(QFileInfo(path).fileName()), 5000);
    return true;
}

void MainWindow::setPresentationMode(bool on)
{
    if (on == m_presentation)
        return;
    m_presentation = on;
    {
        const QSignalBlocker block(m_presentationAction);
        m_presentationAction->setChecked(on);
    }
    QFont f = m_normalFont;
    if (on)
        f.setPointSizeF(m_normalFont.pointSizeF() * m_prefs.presentationScale);
    setFont(f);
    // Clean screen: the docks go while presenting and come back after.
    if (on) {
        for (QDockWidget* dock : findChildren<QDockWidget*>())
            if (dock->isVisible()) {
                m_docksHiddenForPresentation << dock;
                dock->hide();
            }
    } else {
        for (QDockWidget* dock : std::as_const(m_docksHiddenForPresentation))
            dock->show();
        m_docksHiddenForPresentation.clear();
    }
    m_diagram->setPresentationMode(on);
    m_heatmap->setPresentationMode(on);
    m_normPlot->setPresentationMode(on);
    m_training->setPresentationMode(on);
    m_protocol->setPresentationMode(on);
    m_steering->setPresentationMode(on);
    statusBar()->showMessage(on ? tr("Presentation mode: Ctrl+Shift+P to leave") : tr("Presentation mode off"), 4000);
}

void MainWindow::editPreferences()
{
    PreferencesDialog dialog(m_prefs, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const Preferences p = dialog.preferences();
    const bool languageChanged = p.language != m_prefs.language;
    m_prefs = p;
    m_prefs.save();
    if (m_presentation) { // apply the new scale
        setPresentationMode(false);
        setPresentationMode(true);
    }
    if (languageChanged)
        QMessageBox::information(this, tr("Language"), tr("SteerBridge will use the new language when it starts again."));
}

void MainWindow::about()
{
    QMessageBox::about(this, tr("About SteerBridge"),
                       tr("<h3>SteerBridge %1</h3><p>Moves steering and preference vectors between transformer "
                          "language models of different architectures: compare two models, map their layers, "
                          "extract a vector in one, adapt it, inject it into the other and measure what it does.</p>"
                          "<p>Built with Qt %2, libtorch and QCustomPlot.</p>")
                           .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion())));
}

void MainWindow::readSettings()
{
    QSettings s;
    restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    m_tabs->setCurrentIndex(s.value(QStringLiteral("window/tab"), 0).toInt());
}

void MainWindow::writeSettings()
{
    // Presenting is for the meeting, not the next start: save the normal layout.
    if (m_presentation)
        setPresentationMode(false);
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("window/tab"), m_tabs->currentIndex());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    writeSettings();
    m_jobs->cancelAll();
    QFile::remove(autosavePath()); // nothing left to recover
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const QMimeData* mime = event->mimeData();
    if (mime->hasUrls() && !mime->urls().isEmpty() && mime->urls().first().isLocalFile() &&
        QFileInfo(mime->urls().first().toLocalFile()).isDir())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QString dir = event->mimeData()->urls().first().toLocalFile();
    // Dropped outside the model panes: fill the empty side, else ask.
    int side = !m_models[0].isValid() ? 0 : !m_models[1].isValid() ? 1 : -1;
    if (side < 0) {
        QMenu menu(this);
        QAction* src = menu.addAction(tr("Open as Source Model"));
        QAction* tgt = menu.addAction(tr("Open as Target Model"));
        QAction* chosen = menu.exec(mapToGlobal(event->position().toPoint()));
        side = chosen == src ? 0 : chosen == tgt ? 1 : -1;
    }
    if (side >= 0) {
        event->acceptProposedAction();
        loadModel(side, dir);
    }
}

// ------------------------------------------------------------------ experiments

void MainWindow::setUnsavedChangesHandler(std::function<QMessageBox::StandardButton()> handler)
{
    m_unsavedHandler = std::move(handler);
}

bool MainWindow::maybeSave()
{
    if (!isDirty())
        return true;
    QMessageBox::StandardButton answer = QMessageBox::Cancel;
    if (m_unsavedHandler)
        answer = m_unsavedHandler();
    else if (m_options.quietDialogs)
        answer = QMessageBox::Discard;
    else
        answer = QMessageBox::warning(
            this, tr("Unsaved changes"),
            tr("The experiment %1 has changes that are not saved. Save them?")
                .arg(m_filePath.isEmpty() ? tr("(untitled)") : QFileInfo(m_filePath).fileName()),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return m_filePath.isEmpty() ? saveAs() : saveExperiment(m_filePath);
    return answer == QMessageBox::Discard;
}

GuiState MainWindow::captureState() const
{
    GuiState st;
    st.sourceDir = m_models[0].directory;
    st.targetDir = m_models[1].directory;
    st.datasetName = m_pairs->datasetName();
    st.pairs = m_pairs->pairs();
    st.problems = m_pairs->problems();
    st.splitCurrent = m_pairs->splitIsCurrent();
    st.heldOut = m_pairs->heldOutIndices();
    st.heldOutFraction = m_pairs->heldOutFraction();
    st.seed = m_pairs->seed();
    st.extraction = m_diagram->selection(DiagramSide::Source);
    st.injection = m_diagram->selection(DiagramSide::Target);
    st.steering = m_steering->request();
    st.tab = m_tabs->currentIndex();
    st.trainingSettings = m_training->settings();
    st.useAdapterForTransfer = m_training->useForTransfer();
    st.trainingRuns = m_training->runs();
    if (m_trained && m_trained->adapter) {
        st.trainedRun = m_trainedRun;
        st.trainedAdapter = m_trained->adapter;
    }
    st.protocol = m_protocol->result();
    st.protocolSettings = m_protocol->settings();
    st.protocolTraining = m_protocol->trainingCurves();
    return st;
}

void MainWindow::applyState(const GuiState& st)
{
    m_restoring = true;
    m_pairs->setDataset(st.datasetName, st.pairs, st.problems);
    if (st.splitCurrent)
        m_pairs->setSplitAssignment(st.heldOut, st.heldOutFraction, st.seed);
    m_steering->setRequest(st.steering);
    m_tabs->setCurrentIndex(std::clamp(st.tab, 0, m_tabs->count() - 1));
    m_training->setSettings(st.trainingSettings);
    m_training->setUseForTransfer(st.useAdapterForTransfer);
    m_training->restoreRuns(st.trainingRuns);
    m_trained.reset();
    m_trainedRun = -1;
    if (st.trainedAdapter && st.trainedRun >= 0 && st.trainedRun < st.trainingRuns.size()) {
        m_trained = std::make_unique<AdapterTrainingSummary>(st.trainingRuns[st.trainedRun].summary);
        m_trained->adapter = st.trainedAdapter;
        m_trainedRun = st.trainedRun;
    }
    m_protocol->setSettings(st.protocolSettings);
    m_protocol->restoreTraining(st.protocolTraining);
    if (st.protocol.isValid())
        m_protocol->setResult(st.protocol);
    else
        m_protocol->clear();
    m_pendingSelection = std::make_unique<GuiState>(st);
    m_restoring = false;
    const QString dirs[2] = {st.sourceDir, st.targetDir};
    bool loading = false;
    for (int side = 0; side < 2; ++side) {
        if (dirs[side].isEmpty())
            continue;
        if (m_models[side].isValid() && m_models[side].directory == QDir::cleanPath(dirs[side]))
            continue;
        loadModel(side, dirs[side]);
        loading = true;
    }
    if (!loading)
        applyPendingSelection();
}

void MainWindow::applyPendingSelection()
{
    if (!m_pendingSelection)
        return;
    const QString dirs[2] = {m_pendingSelection->sourceDir, m_pendingSelection->targetDir};
    for (int side = 0; side < 2; ++side)
        if (!dirs[side].isEmpty() && m_models[side].directory != QDir::cleanPath(dirs[side]))
            return; // wait for the other model
    m_restoring = true;
    if (m_pendingSelection->extraction.isValid())
        m_diagram->select(m_pendingSelection->extraction);
    if (m_pendingSelection->injection.isValid())
        m_diagram->select(m_pendingSelection->injection);
    m_restoring = false;
    m_pendingSelection.reset();
    if (!m_recovered)
        setClean();
    m_recovered = false;
}

bool MainWindow::saveExperiment(const QString& path)
{
    try {
        if (!m_file)
            m_file = std::make_unique<ExperimentFile>();
        writeGuiState(m_file->root(), captureState());
        if (const ComparisonResult* cmp = comparison())
            cmp->save(m_file->root());
        m_file->save(QDir::toNativeSeparators(path).toStdString());
    } catch (const std::exception& e) {
        showError(tr("Cannot save experiment"),
                  tr("Could not save the experiment to\n%1\n\n%2").arg(QDir::toNativeSeparators(path), QString::fromUtf8(e.what())));
        return false;
    }
    m_filePath = path;
    setClean();
    updateTitle();
    log(tr("Saved the experiment to %1").arg(QDir::toNativeSeparators(path)));
    statusBar()->showMessage(tr("Saved %1").arg(QFileInfo(path).fileName()), 4000);
    QFile::remove(autosavePath());
    return true;
}

bool MainWindow::saveAs()
{
    QSettings settings;
    const QString dir = settings.value(QStringLiteral("experiments/lastDirectory"), QDir::homePath()).toString();
    const QString suggested = m_filePath.isEmpty() ? dir + QStringLiteral("/experiment.h5") : m_filePath;
    QString path = QFileDialog::getSaveFileName(this, tr("Save Experiment"), suggested, tr("Experiments (*.h5)"));
    if (path.isEmpty())
        return false;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".h5");
    settings.setValue(QStringLiteral("experiments/lastDirectory"), QFileInfo(path).absolutePath());
    return saveExperiment(path);
}

bool MainWindow::refuseWhileResultsPending(const QString& title)
{
    if (!m_extractJob && !m_steerJob && !m_trainJob && !m_protocolJob)
        return false;
    // Their results would land in the other experiment.
    showError(title, tr("An extraction, a steered generation, an adapter training or the protocol is running. "
                        "Cancel it or let it finish first."));
    return true;
}

bool MainWindow::openExperiment(const QString& path)
{
    if (refuseWhileResultsPending(tr("Cannot open experiment")))
        return false;
    std::unique_ptr<ExperimentFile> file;
    GuiState st;
    try {
        file = std::make_unique<ExperimentFile>(ExperimentFile::load(QDir::toNativeSeparators(path).toStdString()));
        st = readGuiState(file->root());
    } catch (const std::exception& e) {
        showError(tr("Cannot open experiment"),
                  tr("Could not open the experiment\n%1\n\n%2").arg(QDir::toNativeSeparators(path), QString::fromUtf8(e.what())));
        return false;
    }
    m_file = std::move(file);
    m_filePath = path;
    applyState(st);
    updateTitle();
    log(tr("Opened the experiment %1").arg(QDir::toNativeSeparators(path)));
    return true;
}

void MainWindow::openExperimentDialog()
{
    if (!maybeSave())
        return;
    QSettings settings;
    const QString dir = settings.value(QStringLiteral("experiments/lastDirectory"), QDir::homePath()).toString();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Experiment"), dir, tr("Experiments (*.h5);;All files (*)"));
    if (path.isEmpty())
        return;
    settings.setValue(QStringLiteral("experiments/lastDirectory"), QFileInfo(path).absolutePath());
    openExperiment(path);
}

bool MainWindow::newExperiment()
{
    if (refuseWhileResultsPending(tr("Cannot start a new experiment")))
        return false;
    if (!maybeSave())
        return false;
    m_file.reset();
    m_filePath.clear();
    m_restoring = true;
    m_pairs->setDataset(QString(), {});
    m_diagram->select({DiagramSide::Source, -1, LayerComponent::Residual});
    m_diagram->select({DiagramSide::Target, -1, LayerComponent::Residual});
    m_training->clearRuns();
    m_trained.reset();
    m_trainedRun = -1;
    m_protocol->clear();
    m_protocol->clearTraining();
    m_steering->clearOutputs();
    m_transfer.reset();
    showTransfer();
    m_restoring = false;
    setClean();
    updateTitle();
    log(tr("New experiment."));
    return true;
}

QString MainWindow::autosavePath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    QDir().mkpath(dir);
    return dir + QStringLiteral("/autosave.h5");
}

bool MainWindow::autosaveNow()
{
    if (!isDirty())
        return false;
    try {
        if (!m_file)
            m_file = std::make_unique<ExperimentFile>();
        GuiState st = captureState();
        writeGuiState(m_file->root(), st);
        if (const ComparisonResult* cmp = comparison())
            cmp->save(m_file->root());
        m_file->root().child("gui").setString("saved_as", m_filePath.toStdString());
        m_file->save(autosavePath().toStdString());
    } catch (const std::exception& e) {
        log(tr("Autosave failed: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    statusBar()->showMessage(tr("Unsaved work kept in a recovery file"), 3000);
    return true;
}

void MainWindow::offerRecovery()
{
    const QString path = autosavePath();
    if (!QFileInfo::exists(path))
        return;
    const QString when = QLocale().toString(QFileInfo(path).lastModified(), QLocale::ShortFormat);
    const auto answer = QMessageBox::question(
        this, tr("Recover unsaved work"),
        tr("SteerBridge did not close normally last time. Restore the unsaved work from %1?").arg(when),
        QMessageBox::Yes | QMessageBox::Discard, QMessageBox::Yes);
    if (answer != QMessageBox::Yes) {
        QFile::remove(path);
        return;
    }
    m_recovered = true;
    if (openExperiment(path)) {
        m_filePath.clear(); // recovered work is untitled until saved
        m_dirty = true;
        setWindowModified(true);
        updateTitle();
    }
}

} // namespace sb
