#include "widgets/loss_plot.h"

#include "widgets/plot_view.h"

#include "session/adapter_jobs.h"
#include "session/tsan_qt_sync.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace sb {

std::vector<LossSample> lossSamples(int run, const AdapterTrainingStep& s)
{
    const QString split = s.validation ? QStringLiteral("validation") : QStringLiteral("train");
    const double step = s.step;
    return {LossSample{run, split, QStringLiteral("total"), step, s.total},
            LossSample{run, split, QStringLiteral("mapping"), step, s.mapping},
            LossSample{run, split, QStringLiteral("effect"), step, s.effect},
            LossSample{run, split, QStringLiteral("consistency"), step, s.consistency}};
}

// ---------------------------------------------------------------- LossBuffer

void LossBuffer::append(const LossSample& sample)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    const bool wasEmpty = m_samples.empty();
    m_samples.push_back(sample);
    if (wasEmpty && m_notify)
        m_notify();
}

void LossBuffer::append(const std::vector<LossSample>& samples)
{
    if (samples.empty())
        return;
    std::lock_guard<std::mutex> lock(m_mutex);
    const bool wasEmpty = m_samples.empty();
    m_samples.insert(m_samples.end(), samples.begin(), samples.end());
    if (wasEmpty && m_notify)
        m_notify();
}

std::vector<LossSample> LossBuffer::takeAll()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<LossSample> out;
    out.swap(m_samples);
    return out;
}

std::size_t LossBuffer::pending() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_samples.size();
}

void LossBuffer::setNotifier(std::function<void()> notify)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_notify = std::move(notify);
}

// ---------------------------------------------------------------- LossPlot

namespace {
QColor runColour(int run)
{
    static const QColor colours[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xd6, 0x27, 0x28), QColor(0x2c, 0xa0, 0x2c),
                                     QColor(0xff, 0x7f, 0x0e), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                                     QColor(0xe3, 0x77, 0xc2), QColor(0x17, 0xbe, 0xcf)};
    return colours[run % 8];
}
Qt::PenStyle termStyle(int termIndex)
{
    static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DotLine, Qt::DashDotLine, Qt::DashDotDotLine};
    return styles[termIndex % 4];
}
} // namespace

LossPlot::LossPlot(QWidget* parent) : QWidget(parent), m_buffer(std::make_shared<LossBuffer>())
{
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    auto* termLabel = new QLabel(tr("Loss &term:"), this);
    m_termBox = new QComboBox(this);
    m_termBox->setObjectName(QStringLiteral("lossTermBox"));
    m_termBox->addItem(tr("All terms"), QString());
    m_termBox->setToolTip(tr("Which loss term to draw. Train curves are solid, validation curves dashed."));
    termLabel->setBuddy(m_termBox);
    m_logBox = new QCheckBox(tr("&Logarithmic scale"), this);
    m_logBox->setObjectName(QStringLiteral("lossLogBox"));
    bar->addWidget(termLabel);
    bar->addWidget(m_termBox);
    bar->addWidget(m_logBox);
    bar->addStretch(1);
    lay->addLayout(bar);

    m_plot = new PlotView(this);
    m_plot->setObjectName(QStringLiteral("lossPlotView"));
    m_plot->setExportName(QStringLiteral("loss"));
    m_plot->setTitle(tr("Training loss"));
    m_plot->xAxis->setLabel(tr("Step"));
    m_plot->yAxis->setLabel(tr("Loss"));
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setPlaceholder(tr("No training run yet: the losses appear here as the adapter trains."), true);
    m_plot->legend->setVisible(false);
    lay->addWidget(m_plot, 1);

    m_timer.setSingleShot(true);
    m_timer.setInterval(40);
    connect(&m_timer, &QTimer::timeout, this, &LossPlot::flush);
    connect(m_termBox, &QComboBox::currentIndexChanged, this, [this] {
        updateVisibility();
        m_plot->rescaleAxes(true);
        m_plot->replot();
    });
    connect(m_logBox, &QCheckBox::toggled, this, &LossPlot::setLogScale);
    connect(m_plot, &PlotView::presentationModeChanged, this, &LossPlot::restyle);

    // The worker thread calls this under the buffer lock; it only posts.
    // ~LossPlot clears it under the same lock, and deleting the plot drops
    // any event still queued for it.
    m_buffer->setNotifier([this] {
        const TsanPostScope post; // ThreadSanitizer builds: ordered like a signal
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (!m_timer.isActive())
                    m_timer.start();
            },
            Qt::QueuedConnection);
    });
}

LossPlot::~LossPlot()
{
    // Workers may still hold the buffer; stop them from posting to us.
    m_buffer->setNotifier({});
}

int LossPlot::addRun(const QString& label)
{
    m_runLabels << label;
    return static_cast<int>(m_runLabels.size()) - 1;
}

void LossPlot::setRunLabel(int run, const QString& label)
{
    if (run < 0 || run >= m_runLabels.size())
        return;
    m_runLabels[run] = label;
    for (auto& c : m_curves)
        if (c.run == run)
            c.graph->setName(tr("%1, %2 (%3)").arg(label, c.split == QLatin1String("validation") ? tr("validation") : tr("train"), c.term));
    m_plot->replot();
}

QStringList LossPlot::runLabels() const { return m_runLabels; }

void LossPlot::clear()
{
    m_buffer->takeAll();
    m_plot->clearGraphs();
    m_curves.clear();
    m_runLabels.clear();
    m_terms.clear();
    m_total = 0;
    m_plot->legend->setVisible(false);
    m_plot->setPlaceholder(tr("No training run yet: the losses appear here as the adapter trains."), true);
    m_termBox->blockSignals(true);
    while (m_termBox->count() > 1)
        m_termBox->removeItem(1);
    m_termBox->blockSignals(false);
    m_plot->replot();
}

void LossPlot::addSamples(const std::vector<LossSample>& samples)
{
    apply(samples);
}

QStringList LossPlot::terms() const { return m_terms; }

QString LossPlot::shownTerm() const { return m_termBox->currentData().toString(); }

void LossPlot::showTerm(const QString& term)
{
    const int i = m_termBox->findData(term);
    if (i >= 0)
        m_termBox->setCurrentIndex(i);
}

void LossPlot::setLogScale(bool on)
{
    if (m_logBox->isChecked() != on)
        m_logBox->setChecked(on);
    m_plot->yAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on)
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    else
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    m_plot->rescaleAxes(true);
    m_plot->replot();
}

int LossPlot::sampleCount(int run, const QString& split, const QString& term) const
{
    const auto it = m_curves.constFind(key(run, split, term));
    return it == m_curves.constEnd() ? 0 : it->count;
}

double LossPlot::lastValue(int run, const QString& split, const QString& term) const
{
    const auto it = m_curves.constFind(key(run, split, term));
    return it == m_curves.constEnd() ? std::numeric_limits<double>::quiet_NaN() : it->last;
}

void LossPlot::setPresentationMode(bool on) { m_plot->setPresentationMode(on); }

QString LossPlot::exportTo(const QString& path) const { return m_plot->exportTo(path); }

QString LossPlot::key(int run, const QString& split, const QString& term) const
{
    return QString::number(run) + QLatin1Char('\x1f') + split + QLatin1Char('\x1f') + term;
}

void LossPlot::flush()
{
    apply(m_buffer->takeAll());
}

void LossPlot::apply(const std::vector<LossSample>& samples)
{
    if (samples.empty())
        return;
    // Group by curve so each graph gets one addData call.
    QHash<QCPGraph*, QPair<QVector<double>, QVector<double>>> batches;
    const bool firstTerms = m_terms.isEmpty();
    for (const auto& s : samples) {
        if (!std::isfinite(s.value))
            continue; // a diverged step is reported by the job, not drawn
        if (!m_terms.contains(s.term)) {
            m_terms << s.term;
            m_termBox->addItem(s.term, s.term);
        }
        while (s.run >= m_runLabels.size())
            m_runLabels << tr("Run %1").arg(m_runLabels.size() + 1);
        QCPGraph* g = graphFor(s.run, s.split, s.term);
        auto& b = batches[g];
        b.first << s.step;
        b.second << s.value;
        auto& c = m_curves[key(s.run, s.split, s.term)];
        ++c.count;
        c.last = s.value;
        ++m_total;
    }
    for (auto it = batches.begin(); it != batches.end(); ++it)
        it.key()->addData(it.value().first, it.value().second, false);
    // The total is what to watch first (a training run reports every term
    // in its first batch); the box shows the others or all of them.
    if (firstTerms && m_terms.contains(QStringLiteral("total")) && m_termBox->currentIndex() == 0)
        showTerm(QStringLiteral("total"));
    updateVisibility();
    m_plot->rescaleAxes(true);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    ++m_replots;
    Q_EMIT samplesDrawn(static_cast<int>(samples.size()));
}

QCPGraph* LossPlot::graphFor(int run, const QString& split, const QString& term)
{
    const QString k = key(run, split, term);
    auto it = m_curves.find(k);
    if (it != m_curves.end())
        return it->graph;
    Curve c;
    c.graph = m_plot->addGraph();
    c.run = run;
    c.split = split;
    c.term = term;
    const bool validation = split == QLatin1String("validation");
    c.graph->setName(tr("%1, %2 (%3)").arg(m_runLabels.value(run), validation ? tr("validation") : tr("train"), term));
    m_curves.insert(k, c);
    restyle();
    return c.graph;
}

void LossPlot::restyle()
{
    for (const auto& c : std::as_const(m_curves)) {
        QPen pen(runColour(c.run), m_plot->lineWidth());
        if (c.split == QLatin1String("validation"))
            pen.setStyle(Qt::DashLine);
        else if (shownTerm().isEmpty())
            pen.setStyle(termStyle(static_cast<int>(m_terms.indexOf(c.term))));
        c.graph->setPen(pen);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LossPlot::updateVisibility()
{
    m_plot->setPlaceholder(tr("No training run yet: the losses appear here as the adapter trains."), m_curves.isEmpty());
    m_plot->legend->setVisible(!m_curves.isEmpty());
    const QString shown = shownTerm();
    for (const auto& c : std::as_const(m_curves)) {
        const bool visible = shown.isEmpty() || c.term == shown;
        c.graph->setVisible(visible);
        if (visible)
            c.graph->addToLegend();
        else
            c.graph->removeFromLegend();
    }
    restyle();
}

} // namespace sb
