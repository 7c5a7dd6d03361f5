#pragma once
// The SteerBridge main window: the composition root that connects session
// jobs to the reusable views. Models on the left (dock), the views in tabs
// (architecture, layers, dataset, extraction, training, steering), a log
// dock at the bottom, and the status bar saying what runs.

#include "preferences.h"
#include "session/session_types.h"

#include <QMainWindow>
#include <QMessageBox>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QComboBox;
class QPushButton;
class QTabWidget;
class QUndoGroup;


namespace sb {

class AdapterTrainingJob;
class AdapterTrainingPanel;
struct AdapterTrainingSummary;
class ArchitectureTable;
struct ArchitectureReport;
class CompareJob;
struct ComparisonResult;
struct DiagramOverlay;
class ExperimentFile;
struct GuiState;
class CompatibilityPanel;
class Exportable;
class JobStatus;
class LayerDiagram;
class LayerProfilePlot;
class LoadModelJob;
class LossPlot;
class ModelPane;
class PairTableEditor;
class ProtocolJob;
class ProtocolResultsView;
class SimilarityHeatmap;
class SteeredComparisonJob;
class SteeredComparisonView;
struct PairDataset;
struct SteeringRequest;
class TransferExtractionJob;
struct TransferResult;

struct MainWindowOptions {
    /// Errors go to lastError() and the log instead of modal dialogs (tests).
    bool quietDialogs = false;
    /// Restore geometry, dock layout and the current tab from QSettings.
    bool restoreState = true;
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum Tab { ArchitectureTab, LayersTab, DatasetTab, ExtractionTab, TrainingTab, SteeringTab, ProtocolTab, TabCount };

    explicit MainWindow(const MainWindowOptions& options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Loads a model folder into the source (0) or target (1) side.
    void loadModel(int side, const QString& directory);
    /// Loads the bundled demo pair (stories260k -> stories-gpt2).
    void loadDemoPair();
    /// The comparison of the loaded pair (CompareJob, or restored from the
    /// experiment file), or null while it runs or when it is of other models.
    const ComparisonResult* comparison() const;
    bool isComparing() const;
    /// The vectors of the last extraction (source, native, transferred), or null.
    const TransferResult* transfer() const { return m_transfer.get(); }
    /// The steered comparison being generated, or null.
    SteeredComparisonJob* steeringJob() const;
    const LoadedModel& model(int side) const { return m_models[side]; }

    QTabWidget* tabs() const { return m_tabs; }
    ModelPane* modelPane(int side) const { return m_panes[side]; }
    ArchitectureTable* architectureTable() const { return m_archTable; }
    CompatibilityPanel* compatibilityPanel() const { return m_compat; }
    LayerDiagram* layerDiagram() const { return m_diagram; }
    SimilarityHeatmap* heatmap() const { return m_heatmap; }
    PairTableEditor* pairEditor() const { return m_pairs; }
    LayerProfilePlot* normPlot() const { return m_normPlot; }
    LossPlot* lossPlot() const;
    AdapterTrainingPanel* trainingPanel() const { return m_training; }
    ProtocolResultsView* protocolView() const { return m_protocol; }
    /// The adapter training or protocol run going on, or null.
    AdapterTrainingJob* trainingJob() const;
    ProtocolJob* protocolJob() const;
    /// The adapter of the last finished training run (kept for the transfer), or null.
    const AdapterTrainingSummary* trainedAdapter() const { return m_trained.get(); }
    SteeredComparisonView* steeringView() const { return m_steering; }
    JobStatus* jobStatus() const { return m_jobs; }

    /// The last error shown (or, with quietDialogs, that would have been shown).
    QString lastError() const { return m_lastError; }
    /// The log dock's text.
    QString logText() const;
    QStringList recentModels() const;
    void setPresentationMode(bool on);
    bool presentationMode() const { return m_presentation; }
    /// True when there is work that is not saved.
    bool isDirty() const;
    /// The view in the current tab that can be exported, if any.
    const Exportable* currentExportable() const;

    // Experiments (HDF5 files, docs/experiment-file.md).
    /// Writes the experiment to `path` atomically; false (and an error
    /// dialog naming the file) on failure.
    bool saveExperiment(const QString& path);
    /// Opens an experiment: loads its models and restores the dataset,
    /// chosen points, steering request, training runs, the adapter in use and
    /// the protocol result. False (error dialog) on failure, and while a
    /// training or protocol job runs.
    bool openExperiment(const QString& path);
    /// Starts an empty experiment (after asking about unsaved changes).
    bool newExperiment();
    QString experimentPath() const { return m_filePath; }
    /// Writes the report (HTML or PDF by suffix) with the tables and figures;
    /// false (error dialog naming the file) on failure.
    bool exportReport(const QString& path);
    /// Writes the recovery file now if there are unsaved changes.
    bool autosaveNow();
    /// Where unsaved work is kept between autosaves.
    static QString autosavePath();
    /// Asks what to do with unsaved changes: Save, Discard or Cancel. Tests
    /// replace the dialog with a function that answers.
    void setUnsavedChangesHandler(std::function<QMessageBox::StandardButton()> handler);
    /// Saves, discards or cancels as the user answers; true to go on.
    bool maybeSave();
    /// After a crash: offers to restore the recovery file (main() calls it).
    void offerRecovery();

Q_SIGNALS:
    void modelLoaded(int side);
    void loadFailed(int side, const QString& message);
    /// The comparison of the loaded pair is shown (measured or restored).
    void comparisonReady();
    void comparisonFailed(const QString& message);
    void extractionReady();
    void extractionFailed(const QString& message);
    /// A steered comparison finished (every column generated and scored).
    void steeringDone();
    /// An adapter training run ended (finished, cancelled or failed).
    void trainingEnded();
    /// A protocol run ended (finished, cancelled or failed).
    void protocolEnded();

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildViews();
    void buildMenus();
    void openModelDialog(int side);
    void addRecent(const QString& directory);
    void rebuildRecentMenus();
    void modelsChanged();
    void scheduleComparison();
    void startComparison();
    void showComparison();
    bool comparisonMatchesModels() const;
    PairDataset currentDataset() const;
    struct ChosenPoints {
        int sourceLayer = -1; ///< -1: the representation stage
        QString sourceComponent = QStringLiteral("resid_post");
        int targetLayer = -1; ///< -1: mapped from the source layer
        QString targetComponent = QStringLiteral("resid_post");
    };
    /// The extraction and injection points chosen in the layer diagram.
    ChosenPoints chosenPoints() const;
    void startExtraction();
    void updateTrainingPoints();
    void startTraining();
    void startProtocol();
    void showTransfer();
    void startSteering(const SteeringRequest& request);
    void showError(const QString& title, const QString& message);
    void log(const QString& message);
    void exportCurrent();
    void exportReportDialog();
    void editPreferences();
    void about();
    void readSettings();
    void writeSettings();
    void markDirty();
    void setClean();
    GuiState captureState() const;
    void applyState(const GuiState& state);
    void applyPendingSelection();
    void updateTitle();
    bool saveAs();
    void openExperimentDialog();
    /// True (and an error) while a training or protocol job runs: switching
    /// experiments then would mix their results into the other one.
    bool refuseWhileResultsPending(const QString& title);

    MainWindowOptions m_options;
    Preferences m_prefs;
    QTabWidget* m_tabs = nullptr;
    ModelPane* m_panes[2] = {nullptr, nullptr};
    ArchitectureTable* m_archTable = nullptr;
    CompatibilityPanel* m_compat = nullptr;
    LayerDiagram* m_diagram = nullptr;
    SimilarityHeatmap* m_heatmap = nullptr;
    PairTableEditor* m_pairs = nullptr;
    LayerProfilePlot* m_normPlot = nullptr;
    AdapterTrainingPanel* m_training = nullptr;
    ProtocolResultsView* m_protocol = nullptr;
    SteeredComparisonView* m_steering = nullptr;
    JobStatus* m_jobs = nullptr;
    QPlainTextEdit* m_log = nullptr;
    QUndoGroup* m_undo = nullptr;
    QMenu* m_recentMenus[2] = {nullptr, nullptr};
    QAction* m_presentationAction = nullptr;
    QList<QDockWidget*> m_docksHiddenForPresentation;
    LoadedModel m_models[2];
    QPointer<LoadModelJob> m_loadJobs[2];
    QString m_lastError;
    bool m_presentation = false;
    QFont m_normalFont;
    std::unique_ptr<ExperimentFile> m_file; ///< the open experiment's other groups (comparison...)
    QString m_filePath;
    bool m_dirty = false;
    bool m_restoring = false;
    bool m_recovered = false;
    QTimer m_autosaveTimer;
    std::unique_ptr<GuiState> m_pendingSelection; ///< applied once the models of an opened experiment are loaded
    std::function<QMessageBox::StandardButton()> m_unsavedHandler;
    std::unique_ptr<ArchitectureReport> m_reports[2]; ///< of the loaded models, made on loading
    std::unique_ptr<ComparisonResult> m_comparison;
    QPointer<CompareJob> m_compareJob;
    QTimer m_compareTimer; ///< coalesces the two loads of a pair into one comparison
    QComboBox* m_methodBox = nullptr;
    QComboBox* m_policyBox = nullptr;
    QComboBox* m_strategyBox = nullptr;
    QPushButton* m_extractButton = nullptr;
    QLabel* m_extractInfo = nullptr;
    std::unique_ptr<TransferResult> m_transfer;
    QPointer<TransferExtractionJob> m_extractJob;
    QPointer<SteeredComparisonJob> m_steerJob;
    QPointer<AdapterTrainingJob> m_trainJob;
    QPointer<ProtocolJob> m_protocolJob;
    std::unique_ptr<AdapterTrainingSummary> m_trained;
    int m_trainedRun = -1; ///< the Training tab's run m_trained came from
    QVector<DiagramOverlay> m_normOverlays; ///< overlays from the extraction (kept when the similarity one changes)
};

} // namespace sb
