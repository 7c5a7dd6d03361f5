#pragma once
// The Protocol tab: settings of the graduated transfer protocol (stages,
// components, strategies, probe size, training steps), Run and Cancel, the
// results as a sortable table (one row per point x component x strategy)
// and a bar plot of the mean transfer efficiency and cosine to the target's
// own vector per strategy, and the live fine-tuning losses of the rows
// trained with effect preservation. Like the training panel it runs nothing itself:
// the owner starts a ProtocolJob with settings() on runRequested().

#include "session/protocol_job.h"
#include "widgets/plot_export.h"

#include <QHash>
#include <QVector>
#include <QWidget>

class QCheckBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTabWidget;

namespace sb {

class LossPlot;
class PlotView;

/// The fine-tuning losses of one "+effect" row of a protocol run, as shown.
struct ProtocolTrainingCurve {
    QString row;                        ///< "representation/resid_post architecture_aware+effect"
    QVector<AdapterTrainingStep> steps; ///< every reported step, in order
};

class ProtocolResultsView : public QWidget, public Exportable {
    Q_OBJECT
public:
    enum Column {
        PointColumn,
        ComponentColumn,
        StrategyColumn,
        CosineColumn,
        ShiftColumn,
        EfficiencyColumn,
        RandomShiftColumn,
        KlColumn,
        ParametersColumn,
        TrainTimeColumn,
        MappingErrorColumn,
        ColumnCount
    };

    explicit ProtocolResultsView(QWidget* parent = nullptr);

    /// The chosen stages, components, strategies and sizes (models and dataset unset).
    ProtocolParams settings() const;
    void setSettings(const ProtocolParams& p);

    void setAvailable(bool available, const QString& reason = {});
    void setRunning(bool running);
    bool isRunning() const { return m_running; }

    /// Shows a result (replaces the previous one).
    void setResult(const ProtocolSummary& result);
    const ProtocolSummary& result() const { return m_result; }
    void clear();
    /// A status line under the buttons ("Running...", "Cancelled.", an error).
    void setStatus(const QString& text);

    /// The value a cell sorts by (NaN where not measured): the number for
    /// numeric columns, for tests and reports.
    double sortValue(int row, int column) const;
    /// The row of the result shown at table row `row` (after sorting).
    int resultRow(int row) const;
    /// The table as HTML (reports).
    QString tableHtml() const;
    /// A one-paragraph description of the result (reports, the view's header).
    QString resultText() const;

    /// The fine-tuning losses of the protocol's "+effect" rows (one curve set
    /// per row), fed live by addTrainingStep().
    void addTrainingStep(const QString& row, const AdapterTrainingStep& step);
    /// Empties the fine-tuning plot (a new run starts).
    void clearTraining();
    /// The fine-tuning curves shown, one per row in order of arrival.
    const QVector<ProtocolTrainingCurve>& trainingCurves() const { return m_curves; }
    /// Replaces the fine-tuning plot with `curves` (an opened experiment).
    void restoreTraining(const QVector<ProtocolTrainingCurve>& curves);

    QTableWidget* table() const { return m_table; }
    PlotView* plot() const { return m_plot; }
    LossPlot* trainingPlot() const { return m_trainingPlot; }
    /// The per-strategy bars as a figure (reports), whichever plot is shown.
    const Exportable& strategyFigure() const;
    /// The tabs holding plot() and trainingPlot(); export takes the one shown.
    QTabWidget* plotTabs() const { return m_plotTabs; }
    QPushButton* runButton() const { return m_run; }
    QPushButton* cancelButton() const { return m_cancel; }
    void setPresentationMode(bool on);

    QString exportTo(const QString& path) const override;
    QString exportName() const override;

Q_SIGNALS:
    void runRequested();
    void cancelRequested();

private:
    void updateButtons();
    void fillTable();
    void fillPlot();
    void restyle();

    QVector<QCheckBox*> m_stages;
    QVector<QCheckBox*> m_components;
    QListWidget* m_strategies;
    QSpinBox* m_steps;
    QSpinBox* m_probe;
    QCheckBox* m_sideEffects;
    QCheckBox* m_measured;
    QPushButton* m_run;
    QPushButton* m_cancel;
    QLabel* m_status;
    QLabel* m_info;
    QTableWidget* m_table;
    QTabWidget* m_plotTabs;
    PlotView* m_plot;
    LossPlot* m_trainingPlot;
    QHash<QString, int> m_trainingRuns; ///< row name -> run in m_trainingPlot and index in m_curves
    QVector<ProtocolTrainingCurve> m_curves;
    ProtocolSummary m_result;
    bool m_available = false;
    bool m_running = false;
};

} // namespace sb
