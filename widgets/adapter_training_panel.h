#pragma once
// The Training tab: the adapter kind and its hyper-parameters, Train and
// Cancel, the live loss plot (every run overlaid, train and validation, each
// loss term) and a summary of every finished run.
//
// The panel does not run anything: it emits trainRequested() and the owner
// starts an AdapterTrainingJob with settings() plus models, dataset and
// points. The job's steps go straight from the worker into the plot's
// LossBuffer (samplesFor() turns one step into plot samples), so the GUI
// thread only replots once per coalescing interval.

#include "session/adapter_jobs.h"
#include "widgets/plot_export.h"

#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTextBrowser;

namespace sb {

class LossPlot;
struct LossSample;

/// Everything the panel shows of one run, as a value (saved in the
/// experiment file and restored by restoreRuns()).
struct TrainingRunRecord {
    /// Finished: ended with a summary (completed, stopped early, or cancelled
    /// while training); Cancelled: stopped before training began (no summary).
    enum class Status { Running, Finished, Failed, Cancelled };
    QString label;                  ///< the legend label it began with ("Run 1: linear, lr 0.002")
    AdapterTrainingParams params;   ///< kind and hyper-parameters (no models, dataset or points)
    QVector<AdapterTrainingStep> steps; ///< every reported step, train and validation, in order
    Status status = Status::Running;
    AdapterTrainingSummary summary; ///< Finished (also when cancelled): without history and adapter
    QString error;                  ///< Failed: the message
    QStringList notes;              ///< lines added after the summary (addNote)
};

class AdapterTrainingPanel : public QWidget, public Exportable {
    Q_OBJECT
public:
    explicit AdapterTrainingPanel(QWidget* parent = nullptr);

    /// The kind and hyper-parameters chosen (models, dataset and points unset).
    AdapterTrainingParams settings() const;
    /// Shows the kind and hyper-parameters of `p`.
    void setSettings(const AdapterTrainingParams& p);
    /// The adapter kinds offered, in order (engine names).
    static QStringList kinds();

    /// Whether a finished run's adapter should replace the transfer strategy
    /// of the extracted vector (when it was trained at the same points).
    bool useForTransfer() const;
    void setUseForTransfer(bool on);
    /// Adds a line to the last run's summary (e.g. what happened to the transfer).
    void addNote(const QString& text);

    /// Whether Train may be pressed; `reason` says what is missing.
    void setAvailable(bool available, const QString& reason = {});
    /// The points training will use, as the user reads them.
    void setPointsText(const QString& text);
    QString pointsText() const;
    /// Train disabled and Cancel enabled while a run is going.
    void setRunning(bool running);
    bool isRunning() const { return m_running; }

    /// Adds a run to the plot for `p` and returns its id (for samplesFor).
    int beginRun(const AdapterTrainingParams& p);
    /// Keeps a step of run `run` for runs() (GUI thread; the plot gets it
    /// through its buffer).
    void recordStep(int run, const AdapterTrainingStep& step);
    /// A step as plot samples: the total and each loss term, train or validation.
    static std::vector<LossSample> samplesFor(int run, const AdapterTrainingStep& step);
    /// Shows the finished (or cancelled) run's summary.
    void finishRun(int run, const AdapterTrainingParams& p, const AdapterTrainingSummary& summary);
    void failRun(int run, const QString& message);
    /// Marks a run cancelled before it produced a summary; no-op once it has one.
    void cancelRun(int run);
    /// The summaries shown, one a finished run (plain text), latest last.
    QStringList runSummaries() const { return m_summaries; }
    /// The same as HTML (reports).
    QString summariesHtml() const;
    void clearRuns();
    /// The runs as shown, first first.
    const QVector<TrainingRunRecord>& runs() const { return m_runs; }
    /// Replaces the runs with `runs`: the same curves, legend and summaries
    /// as when they ran (a run saved while running is shown as interrupted).
    void restoreRuns(const QVector<TrainingRunRecord>& runs);

    LossPlot* lossPlot() const { return m_plot; }
    QPushButton* trainButton() const { return m_train; }
    QPushButton* cancelButton() const { return m_cancel; }
    void setPresentationMode(bool on);

    QString exportTo(const QString& path) const override;
    QString exportName() const override;

Q_SIGNALS:
    void trainRequested();
    void cancelRequested();

private:
    void updateButtons();

    QComboBox* m_kind;
    QSpinBox* m_steps;
    QDoubleSpinBox* m_lr;
    QDoubleSpinBox* m_wMapping;
    QDoubleSpinBox* m_wEffect;
    QDoubleSpinBox* m_wConsistency;
    QSpinBox* m_validateEvery;
    QSpinBox* m_patience;
    QSpinBox* m_seed;
    QSpinBox* m_probe;
    QCheckBox* m_useForTransfer;
    QLabel* m_points;
    QLabel* m_availability;
    QPushButton* m_train;
    QPushButton* m_cancel;
    QTextBrowser* m_summaryView;
    LossPlot* m_plot;
    QVector<TrainingRunRecord> m_runs;
    QStringList m_summaries;
    QStringList m_summariesHtml;
    bool m_available = false;
    bool m_running = false;
};

} // namespace sb
