#pragma once
// Live loss curves of adapter training runs.
//
// Threads: the training worker appends samples to the plot's LossBuffer (a
// small mutex-protected vector; any thread). The first sample of a batch
// posts one notification to the GUI thread; the plot then waits a short
// coalescing interval (40 ms), takes everything that arrived and replots
// once. A fast worker therefore costs the event loop one replot per
// interval, however many steps it reports.
//
// Several runs are overlaid (one colour each); train samples are drawn solid,
// validation dashed; the loss term shown (total, effect, consistency...) is
// chosen in the plot's toolbar, or "All terms".

#include "widgets/plot_export.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QWidget>

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

class QCheckBox;
class QComboBox;
class QCPGraph;

namespace sb {

class PlotView;
struct AdapterTrainingStep;

/// One loss value at one optimisation step.
struct LossSample {
    int run = 0;
    QString split = QStringLiteral("train"); ///< "train" or "validation"
    QString term = QStringLiteral("total");  ///< "total" or a loss term's name
    double step = 0.0;
    double value = 0.0;
};

/// A training step as plot samples of run `run`: the total and each loss
/// term, train or validation.
std::vector<LossSample> lossSamples(int run, const AdapterTrainingStep& step);

/// Where workers put samples. Thread-safe; shared so a worker may outlive the plot.
class LossBuffer {
public:
    void append(const LossSample& sample);
    void append(const std::vector<LossSample>& samples);
    /// Everything appended since the last call (GUI thread).
    std::vector<LossSample> takeAll();
    std::size_t pending() const;

private:
    friend class LossPlot;
    /// Called (under the lock) when the buffer goes from empty to non-empty.
    void setNotifier(std::function<void()> notify);
    mutable std::mutex m_mutex;
    std::vector<LossSample> m_samples;
    std::function<void()> m_notify;
};

class LossPlot : public QWidget, public Exportable {
    Q_OBJECT
public:
    explicit LossPlot(QWidget* parent = nullptr);
    ~LossPlot() override;

    /// Adds a run (overlaid on the others); returns its id for LossSample::run.
    int addRun(const QString& label);
    void setRunLabel(int run, const QString& label);
    QStringList runLabels() const;
    /// Removes every run and curve.
    void clear();

    /// The buffer workers append to.
    std::shared_ptr<LossBuffer> buffer() const { return m_buffer; }
    /// Appends directly (GUI thread), e.g. when replaying a saved run.
    void addSamples(const std::vector<LossSample>& samples);

    /// Loss terms seen so far, in order of first appearance.
    QStringList terms() const;
    /// The term shown, or an empty string for all terms.
    QString shownTerm() const;
    void showTerm(const QString& term);
    void setLogScale(bool on);
    void setCoalesceInterval(int ms) { m_timer.setInterval(ms); }

    /// Number of samples drawn for (run, split, term).
    int sampleCount(int run, const QString& split, const QString& term) const;
    /// Samples drawn in all curves.
    int totalSamples() const { return m_total; }
    /// How many times the plot redrew for new samples (coalescing measure).
    int replotCount() const { return m_replots; }
    /// Last value of (run, split, term), NaN if none.
    double lastValue(int run, const QString& split, const QString& term) const;

    void setPresentationMode(bool on);
    PlotView* plot() const { return m_plot; }

    QString exportTo(const QString& path) const override;
    QString exportName() const override { return QStringLiteral("loss"); }

Q_SIGNALS:
    /// After a coalesced batch was drawn.
    void samplesDrawn(int count);

private:
    void flush();
    void apply(const std::vector<LossSample>& samples);
    QCPGraph* graphFor(int run, const QString& split, const QString& term);
    void restyle();
    void updateVisibility();
    QString key(int run, const QString& split, const QString& term) const;

    PlotView* m_plot;
    QComboBox* m_termBox;
    QCheckBox* m_logBox;
    std::shared_ptr<LossBuffer> m_buffer;
    QTimer m_timer;
    QStringList m_runLabels;
    QStringList m_terms;
    struct Curve {
        QCPGraph* graph = nullptr;
        int run = 0;
        QString split;
        QString term;
        int count = 0;
        double last = 0.0;
    };
    QHash<QString, Curve> m_curves;
    int m_total = 0;
    int m_replots = 0;
};

} // namespace sb
