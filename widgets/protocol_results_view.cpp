#include "widgets/protocol_results_view.h"

#include "widgets/form_rows.h"
#include "widgets/loss_plot.h"
#include "widgets/plot_view.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace sb {

namespace {
constexpr int kSortRole = Qt::UserRole;
constexpr int kRowRole = Qt::UserRole + 1;
const double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Sorts by the number in kSortRole; cells without one (NaN) sort below every number.
class NumericItem : public QTableWidgetItem {
public:
    NumericItem(const QString& text, double value) : QTableWidgetItem(text) { setData(kSortRole, value); }
    bool operator<(const QTableWidgetItem& other) const override
    {
        const double a = data(kSortRole).toDouble();
        const double b = other.data(kSortRole).toDouble();
        if (std::isnan(a) || std::isnan(b))
            return std::isnan(a) && !std::isnan(b);
        return a < b;
    }
};

QString num(double v, int decimals)
{
    return std::isfinite(v) ? QLocale().toString(v, 'f', decimals) : QStringLiteral("–");
}

QString stageTitle(const QString& s)
{
    if (s == QLatin1String("feature_extraction")) return ProtocolResultsView::tr("Feature extraction");
    if (s == QLatin1String("representation")) return ProtocolResultsView::tr("Representation");
    if (s == QLatin1String("decision_making")) return ProtocolResultsView::tr("Decision making");
    return s;
}

void addCheckItems(QListWidget* list, const QVector<QPair<QString, QString>>& items)
{
    for (const auto& [text, data] : items) {
        auto* it = new QListWidgetItem(text, list);
        it->setData(Qt::UserRole, data);
        it->setFlags(it->flags() | Qt::ItemIsUserCheckable);
        it->setCheckState(Qt::Checked);
    }
}

QVector<QCheckBox*> addCheckBoxes(QWidget* parent, QFormLayout* form, const QString& label, const QString& name,
                                  const QVector<QPair<QString, QString>>& items, const QString& tip)
{
    auto* host = new QWidget(parent);
    host->setObjectName(name);
    host->setToolTip(tip);
    auto* lay = new QVBoxLayout(host);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->setSpacing(2);
    QVector<QCheckBox*> out;
    for (const auto& [text, data] : items) {
        auto* box = new QCheckBox(text, host);
        box->setProperty("value", data);
        box->setChecked(true);
        box->setToolTip(tip);
        lay->addWidget(box);
        out << box;
    }
    form->addRow(label, host);
    return out;
}

QStringList checked(const QVector<QCheckBox*>& boxes)
{
    QStringList out;
    for (const QCheckBox* b : boxes)
        if (b->isChecked())
            out << b->property("value").toString();
    return out;
}

void setChecked(const QVector<QCheckBox*>& boxes, const QStringList& values)
{
    for (QCheckBox* b : boxes)
        b->setChecked(values.isEmpty() || values.contains(b->property("value").toString()));
}

QStringList checked(const QListWidget* list)
{
    QStringList out;
    for (int i = 0; i < list->count(); ++i)
        if (list->item(i)->checkState() == Qt::Checked)
            out << list->item(i)->data(Qt::UserRole).toString();
    return out;
}

/// Checks the items in `values`; an empty list checks every item.
void setChecked(QListWidget* list, const QStringList& values)
{
    for (int i = 0; i < list->count(); ++i) {
        QListWidgetItem* it = list->item(i);
        it->setCheckState(values.isEmpty() || values.contains(it->data(Qt::UserRole).toString()) ? Qt::Checked
                                                                                                : Qt::Unchecked);
    }
}
} // namespace

ProtocolResultsView::ProtocolResultsView(QWidget* parent) : QWidget(parent)
{
    auto* lay = new QHBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    auto* split = new QSplitter(Qt::Horizontal, this);
    lay->addWidget(split);

    // Settings on the left.
    auto* left = new QWidget(split);
    auto* leftLay = new QVBoxLayout(left);
    auto* box = new QGroupBox(tr("Protocol"), left);
    auto* form = new QFormLayout(box);
    m_stages = addCheckBoxes(box, form, tr("Stages:"), QStringLiteral("protocolStages"),
                             {{stageTitle(QStringLiteral("feature_extraction")), QStringLiteral("feature_extraction")},
                              {stageTitle(QStringLiteral("representation")), QStringLiteral("representation")},
                              {stageTitle(QStringLiteral("decision_making")), QStringLiteral("decision_making")}},
                             tr("Functional stages whose source layer is a transfer point (each mapped to a target layer)."));
    m_components = addCheckBoxes(box, form, tr("Components:"), QStringLiteral("protocolComponents"),
                                 {{tr("Residual stream (resid_post)"), QStringLiteral("resid_post")},
                                  {tr("Attention output (attn_out)"), QStringLiteral("attn_out")},
                                  {tr("MLP output (mlp_out)"), QStringLiteral("mlp_out")}},
                                 tr("Components read at every point."));
    m_strategies = new QListWidget(box);
    QVector<QPair<QString, QString>> strategies;
    for (const QString& s : ProtocolJob::strategies())
        strategies << qMakePair(s, s);
    addCheckItems(m_strategies, strategies);
    m_strategies->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_strategies->setMinimumWidth(m_strategies->sizeHintForColumn(0) + 24);
    addFormRow(form, tr("Strategies:"), m_strategies, QStringLiteral("protocolStrategies"),
               tr("Transfer strategies from the simplest (direct, scaled, padding) to learned adapters; "
                  "strategies that do not fit the widths are skipped."));
    m_steps = addSpinBoxRow(form, tr("Training &steps:"), QStringLiteral("protocolSteps"), 0, 100000,
                            tr("Fine-tuning steps of the rows trained with effect preservation (0 skips them)."));
    m_probe = addSpinBoxRow(form, tr("&Probe sentences:"), QStringLiteral("protocolProbeSentences"), 0, 100000,
                            tr("Sentences of the bundled probe corpus used for the paired activations (fewer: faster)."),
                            tr("all"));
    m_measured = addCheckBoxRow(form, tr("&Measured layer mapping"), QStringLiteral("protocolMeasured"),
                                tr("Target layers from the CKA path over the probe; off: the relative-depth heuristic."));
    m_sideEffects = addCheckBoxRow(form, tr("Measure side &effects (KL)"), QStringLiteral("protocolSideEffects"),
                                   tr("KL divergence of the steered target's next-token distribution on neutral text."));
    leftLay->addWidget(box, 1);
    const RunCancelRow run = addRunCancelRow(
        leftLay, left,
        {tr("&Run Protocol"), QStringLiteral("runProtocolButton"),
         tr("Run every chosen strategy at every point on the loaded models; scored on the dataset's "
            "held-out pairs."),
         tr("&Cancel"), QStringLiteral("cancelProtocolButton"), tr("Stop the protocol; the result shown before the run stays."),
         QStringLiteral("protocolStatus")});
    m_run = run.run;
    m_cancel = run.cancel;
    m_status = run.status;

    // Results on the right: the summary, the table and the plot.
    auto* right = new QSplitter(Qt::Vertical, split);
    auto* top = new QWidget(right);
    auto* topLay = new QVBoxLayout(top);
    topLay->setContentsMargins(0, 0, 0, 0);
    m_info = new QLabel(top);
    m_info->setObjectName(QStringLiteral("protocolInfo"));
    m_info->setWordWrap(true);
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    topLay->addWidget(m_info);
    m_table = new QTableWidget(0, ColumnCount, top);
    m_table->setObjectName(QStringLiteral("protocolTable"));
    m_table->setHorizontalHeaderLabels({tr("Point"), tr("Component"), tr("Strategy"), tr("Cosine to native"),
                                        tr("Shift [95 % CI]"), tr("Efficiency"), tr("Random shift"), tr("KL"),
                                        tr("Parameters"), tr("Train time (s)"), tr("Mapping error")});
    const QString tips[ColumnCount] = {
        tr("Functional stage, source point and the target point it maps to."),
        tr("Which activations: residual stream, attention output or MLP output."),
        tr("How the source's vector was brought into the target."),
        tr("Cosine between the transferred vector and the target's own vector at that point."),
        tr("Mean preference shift of the target steered with the transferred vector, on held-out pairs (nats), with "
           "its bootstrap interval."),
        tr("Shift divided by the shift of the target's own vector: 1 transfers the whole effect."),
        tr("Shift of random vectors of the same norm: the floor a transfer must beat."),
        tr("KL divergence on neutral text: the side effect of steering."),
        tr("Trainable parameters of the adapter (0 for the baselines)."),
        tr("Seconds spent fitting and training."),
        tr("Relative error of the mapped activations on held-out rows (adapters only).")};
    for (int c = 0; c < ColumnCount; ++c)
        m_table->horizontalHeaderItem(c)->setToolTip(tips[c]);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSortingEnabled(true);
    topLay->addWidget(m_table, 1);
    m_plotTabs = new QTabWidget(right);
    m_plotTabs->setObjectName(QStringLiteral("protocolPlotTabs"));
    m_plot = new PlotView(m_plotTabs);
    m_plot->setObjectName(QStringLiteral("protocolPlot"));
    m_plot->setExportName(QStringLiteral("protocol"));
    m_plot->setTitle(tr("Transfer per strategy"));
    m_plot->yAxis->setLabel(tr("Mean over points"));
    m_plot->setPlaceholder(tr("No protocol run yet."), true);
    m_trainingPlot = new LossPlot(m_plotTabs);
    m_trainingPlot->setObjectName(QStringLiteral("protocolTrainingPlot"));
    m_trainingPlot->plot()->setTitle(tr("Fine-tuning of the +effect rows"));
    m_trainingPlot->plot()->setExportName(QStringLiteral("protocol-training"));
    m_trainingPlot->plot()->setPlaceholder(
        tr("No fine-tuning yet: the losses of the rows trained with effect preservation appear here as they train."), true);
    m_plotTabs->addTab(m_plot, tr("Per strategy"));
    m_plotTabs->addTab(m_trainingPlot, tr("Fine-tuning"));
    right->addWidget(top);
    right->addWidget(m_plotTabs);
    right->setStretchFactor(0, 1);
    right->setStretchFactor(1, 1);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 4);
    split->setSizes({330, 850});

    connect(m_run, &QPushButton::clicked, this, &ProtocolResultsView::runRequested);
    connect(m_cancel, &QPushButton::clicked, this, &ProtocolResultsView::cancelRequested);
    connect(m_plot, &PlotView::presentationModeChanged, this, &ProtocolResultsView::restyle);
    setSettings(ProtocolParams{});
    clear();
    updateButtons();
}

ProtocolParams ProtocolResultsView::settings() const
{
    ProtocolParams p;
    p.stages = checked(m_stages);
    p.components = checked(m_components);
    p.strategies = checked(m_strategies);
    p.trainingSteps = m_steps->value();
    p.maxProbeSentences = m_probe->value();
    p.measuredMapping = m_measured->isChecked();
    p.sideEffects = m_sideEffects->isChecked();
    return p;
}

void ProtocolResultsView::setSettings(const ProtocolParams& p)
{
    setChecked(m_stages, p.stages);
    setChecked(m_components, p.components);
    setChecked(m_strategies, p.strategies);
    m_steps->setValue(p.trainingSteps < 0 ? 200 : p.trainingSteps); // the engine's default
    m_probe->setValue(p.maxProbeSentences);
    m_measured->setChecked(p.measuredMapping);
    m_sideEffects->setChecked(p.sideEffects);
}

void ProtocolResultsView::setAvailable(bool available, const QString& reason)
{
    m_available = available;
    if (!m_running)
        m_status->setText(available ? QString() : reason);
    updateButtons();
}

void ProtocolResultsView::setRunning(bool running)
{
    m_running = running;
    updateButtons();
}

void ProtocolResultsView::setStatus(const QString& text) { m_status->setText(text); }

void ProtocolResultsView::updateButtons()
{
    m_run->setEnabled(m_available && !m_running);
    m_cancel->setEnabled(m_running);
}

void ProtocolResultsView::clear()
{
    m_result = ProtocolSummary{};
    m_table->setRowCount(0);
    m_info->setText(tr("The protocol runs every chosen strategy at every mapped point and scores it on the dataset's "
                       "held-out pairs against the target's own vector and random vectors of the same norm."));
    fillPlot();
}

void ProtocolResultsView::setResult(const ProtocolSummary& result)
{
    m_result = result;
    m_info->setText(resultText());
    fillTable();
    fillPlot();
}

QString ProtocolResultsView::resultText() const
{
    const ProtocolSummary& r = m_result;
    if (!r.isValid())
        return {};
    QString text = tr("%1 → %2 on %3: %4 pairs train, %5 held out; %6 layer mapping; %7 activation rows per point; "
                      "%n row(s) in %8 s.",
                      nullptr, static_cast<int>(r.rows.size()))
                       .arg(r.source, r.target, r.dataset)
                       .arg(r.trainPairs)
                       .arg(r.evaluationPairs)
                       .arg(r.mappingMethod == QLatin1String("measured") ? tr("measured") : tr("depth-heuristic"))
                       .arg(r.fitRows)
                       .arg(QLocale().toString(r.seconds, 'f', 1));
    if (r.bestRow >= 0 && r.bestRow < r.rows.size())
        text += QLatin1Char(' ') + tr("Best: %1 at %2 (efficiency %3; bold).")
                                       .arg(r.rows[r.bestRow].strategy, r.bestPoint,
                                            num(r.rows[r.bestRow].efficiency, 2));
    for (const QString& n : r.notes)
        text += QLatin1Char(' ') + n;
    return text;
}

void ProtocolResultsView::fillTable()
{
    m_table->setSortingEnabled(false);
    m_table->setRowCount(0);
    m_table->setRowCount(static_cast<int>(m_result.rows.size()));
    QFont bold = m_table->font();
    bold.setBold(true);
    for (int i = 0; i < m_result.rows.size(); ++i) {
        const ProtocolRowSummary& r = m_result.rows[i];
        auto* point = new QTableWidgetItem(tr("%1: %2 → %3").arg(stageTitle(r.stage), r.sourcePoint, r.targetPoint));
        point->setData(kRowRole, i);
        point->setToolTip(r.description);
        auto* shift = new NumericItem(tr("%1 [%2, %3]").arg(num(r.shift, 3), num(r.shiftLow, 3), num(r.shiftHigh, 3)),
                                      r.shift);
        shift->setToolTip(tr("The target's own vector: %1").arg(num(r.nativeShift, 3)));
        QTableWidgetItem* items[ColumnCount] = {
            point,
            new QTableWidgetItem(r.component),
            new QTableWidgetItem(r.strategy),
            new NumericItem(num(r.cosineToNative, 3), r.cosineToNative),
            shift,
            new NumericItem(num(r.efficiency, 2), r.efficiency),
            new NumericItem(num(r.randomShift, 3), r.randomShift),
            new NumericItem(num(r.kl, 4), r.kl),
            new NumericItem(QLocale().toString(r.parameters), static_cast<double>(r.parameters)),
            new NumericItem(num(r.trainSeconds, 2), r.trainSeconds),
            new NumericItem(num(r.mappingError, 3), r.mappingError)};
        for (int c = 0; c < ColumnCount; ++c) {
            if (c >= CosineColumn)
                items[c]->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (i == m_result.bestRow)
                items[c]->setFont(bold);
            items[c]->setData(kRowRole, i);
            m_table->setItem(i, c, items[c]);
        }
    }
    m_table->setSortingEnabled(true);
}

void ProtocolResultsView::fillPlot()
{
    m_plot->clearPlottables();
    qDeleteAll(m_plot->findChildren<QCPBarsGroup*>()); // empty once their bars are gone
    m_plot->legend->setVisible(false);
    if (!m_result.isValid()) {
        m_plot->setPlaceholder(tr("No protocol run yet."), true);
        m_plot->replot();
        return;
    }
    // Mean efficiency and mean cosine per strategy, in the protocol's order.
    QStringList names;
    QVector<double> effSum, effN, cosSum, cosN;
    for (const ProtocolRowSummary& r : m_result.rows) {
        int i = static_cast<int>(names.indexOf(r.strategy));
        if (i < 0) {
            names << r.strategy;
            effSum << 0.0;
            effN << 0.0;
            cosSum << 0.0;
            cosN << 0.0;
            i = static_cast<int>(names.size()) - 1;
        }
        if (std::isfinite(r.efficiency)) {
            effSum[i] += r.efficiency;
            effN[i] += 1.0;
        }
        if (std::isfinite(r.cosineToNative)) {
            cosSum[i] += r.cosineToNative;
            cosN[i] += 1.0;
        }
    }
    QVector<double> keys, eff, cos;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < names.size(); ++i) {
        keys << i + 1.0;
        eff << (effN[i] > 0 ? effSum[i] / effN[i] : kNaN);
        cos << (cosN[i] > 0 ? cosSum[i] / cosN[i] : kNaN);
        ticker->addTick(i + 1.0, names[i]);
    }
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setTickLabelRotation(names.size() > 5 ? 30 : 0);
    m_plot->xAxis->setSubTicks(false);
    m_plot->xAxis->setLabel(tr("Strategy"));
    auto* group = new QCPBarsGroup(m_plot);
    auto* effBars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    effBars->setName(tr("Transfer efficiency"));
    effBars->setData(keys, eff, true);
    effBars->setWidth(0.35);
    effBars->setBarsGroup(group);
    auto* cosBars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    cosBars->setName(tr("Cosine to native"));
    cosBars->setData(keys, cos, true);
    cosBars->setWidth(0.35);
    cosBars->setBarsGroup(group);
    m_plot->setPlaceholder(QString(), false);
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    restyle();
    m_plot->rescaleAxes();
    m_plot->xAxis->setRange(0.3, names.size() + 0.7);
    double low = 0.0, high = 1.0;
    for (const double v : eff + cos)
        if (std::isfinite(v)) {
            low = std::min(low, v);
            high = std::max(high, v);
        }
    m_plot->yAxis->setRange(low - 0.05 * (high - low), high + 0.45 * (high - low)); // room for the legend
    m_plot->replot();
}

void ProtocolResultsView::restyle()
{
    const QColor colours[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e)};
    for (int i = 0; i < m_plot->plottableCount(); ++i) {
        auto* bars = qobject_cast<QCPBars*>(m_plot->plottable(i));
        if (!bars)
            continue;
        bars->setPen(QPen(colours[i % 2].darker(130), m_plot->lineWidth() / 2));
        bars->setBrush(colours[i % 2]);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

double ProtocolResultsView::sortValue(int row, int column) const
{
    const QTableWidgetItem* it = m_table->item(row, column);
    if (!it)
        return kNaN;
    const QVariant v = it->data(kSortRole);
    return v.isValid() ? v.toDouble() : kNaN;
}

int ProtocolResultsView::resultRow(int row) const
{
    const QTableWidgetItem* it = m_table->item(row, PointColumn);
    return it ? it->data(kRowRole).toInt() : -1;
}

QString ProtocolResultsView::tableHtml() const
{
    QString h = QStringLiteral("<table><tr>");
    for (int c = 0; c < ColumnCount; ++c)
        h += QStringLiteral("<th>%1</th>").arg(m_table->horizontalHeaderItem(c)->text().toHtmlEscaped());
    h += QStringLiteral("</tr>");
    for (int r = 0; r < m_table->rowCount(); ++r) {
        const bool best = resultRow(r) == m_result.bestRow;
        h += best ? QStringLiteral("<tr class=\"best\">") : QStringLiteral("<tr>");
        for (int c = 0; c < ColumnCount; ++c) {
            const QTableWidgetItem* it = m_table->item(r, c);
            const QString text = it ? it->text().toHtmlEscaped() : QString();
            h += best ? QStringLiteral("<td><b>%1</b></td>").arg(text) : QStringLiteral("<td>%1</td>").arg(text);
        }
        h += QStringLiteral("</tr>");
    }
    return h + QStringLiteral("</table>");
}

void ProtocolResultsView::setPresentationMode(bool on)
{
    m_plot->setPresentationMode(on);
    m_trainingPlot->setPresentationMode(on);
}

QString ProtocolResultsView::exportTo(const QString& path) const
{
    if (m_plotTabs->currentWidget() == m_trainingPlot)
        return m_trainingPlot->exportTo(path);
    return m_plot->exportTo(path);
}

QString ProtocolResultsView::exportName() const
{
    return m_plotTabs->currentWidget() == m_trainingPlot ? m_trainingPlot->plot()->exportName() : m_plot->exportName();
}

const Exportable& ProtocolResultsView::strategyFigure() const { return *m_plot; }

void ProtocolResultsView::clearTraining()
{
    m_trainingRuns.clear();
    m_curves.clear();
    m_trainingPlot->clear();
    m_trainingPlot->plot()->setPlaceholder(
        tr("No fine-tuning yet: the losses of the rows trained with effect preservation appear here as they train."), true);
}

void ProtocolResultsView::addTrainingStep(const QString& row, const AdapterTrainingStep& step)
{
    auto it = m_trainingRuns.constFind(row);
    if (it == m_trainingRuns.constEnd()) {
        it = m_trainingRuns.insert(row, m_trainingPlot->addRun(row));
        m_curves << ProtocolTrainingCurve{row, {}};
    }
    m_curves[it.value()].steps << step;
    // Through the buffer: the plot coalesces a burst of steps into one replot.
    m_trainingPlot->buffer()->append(lossSamples(it.value(), step));
}

void ProtocolResultsView::restoreTraining(const QVector<ProtocolTrainingCurve>& curves)
{
    clearTraining();
    for (const ProtocolTrainingCurve& c : curves) {
        const int run = m_trainingPlot->addRun(c.row);
        m_trainingRuns.insert(c.row, run);
        m_curves << c;
        std::vector<LossSample> samples;
        for (const AdapterTrainingStep& s : c.steps) {
            const auto v = lossSamples(run, s);
            samples.insert(samples.end(), v.begin(), v.end());
        }
        m_trainingPlot->addSamples(samples);
    }
}

} // namespace sb
