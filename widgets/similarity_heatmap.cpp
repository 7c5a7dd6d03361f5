#include "widgets/similarity_heatmap.h"

#include "widgets/colour_scale.h"
#include "widgets/plot_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolTip>
#include <QVBoxLayout>

#include <cmath>

namespace sb {

namespace {
double tickStepFor(int layers)
{
    return layers <= 16 ? 1 : layers <= 32 ? 2 : layers <= 80 ? 5 : 10;
}
} // namespace

SimilarityHeatmap::SimilarityHeatmap(QWidget* parent) : QWidget(parent)
{
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    auto* label = new QLabel(tr("&Similarity:"), this);
    m_matrixBox = new QComboBox(this);
    m_matrixBox->setObjectName(QStringLiteral("matrixBox"));
    m_matrixBox->setToolTip(tr("Which layer-similarity measure to show. CKA compares the geometry of two layers' "
                               "activations on the same texts; mutual kNN counts shared nearest neighbours."));
    label->setBuddy(m_matrixBox);
    bar->addWidget(label);
    bar->addWidget(m_matrixBox);
    bar->addStretch(1);
    lay->addLayout(bar);

    m_plot = new PlotView(this);
    m_plot->setObjectName(QStringLiteral("heatmapPlot"));
    m_plot->setExportName(QStringLiteral("similarity"));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setupFullAxesBox(true);
    m_plot->setTitle(tr("Layer similarity")); // title row first: the scale goes beside the axis rect
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(true);
    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(1, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_map->setColorScale(m_scale);
    QCPColorGradient gradient;
    gradient.clearColorStops();
    for (const auto& s : colourScaleStops())
        gradient.setColorStopAt(s.first, s.second);
    gradient.setNanHandling(QCPColorGradient::nhNanColor);
    gradient.setNanColor(QColor(0xdd, 0xdd, 0xdd));
    m_map->setGradient(gradient);
    auto* margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);

    m_path = new QCPCurve(m_plot->xAxis, m_plot->yAxis);
    m_path->setPen(QPen(QColor(255, 255, 255), 2.0));
    m_path->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 1.0), Qt::white, 6));
    m_marker = new QCPItemRect(m_plot);
    m_marker->setPen(QPen(QColor(0xe6, 0x7e, 0x22), 3.0));
    m_marker->setBrush(Qt::NoBrush);
    m_marker->setVisible(false);
    for (auto* pos : m_marker->positions())
        pos->setAxes(m_plot->xAxis, m_plot->yAxis);
    m_plot->legend->setVisible(false);
    lay->addWidget(m_plot, 1);

    m_info = new QLabel(this);
    m_info->setObjectName(QStringLiteral("heatmapInfo"));
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    lay->addWidget(m_info);

    connect(m_matrixBox, &QComboBox::currentIndexChanged, this, &SimilarityHeatmap::redraw);
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) { m_pressPos = e->pos(); });
    connect(m_plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* e) {
        if (e->button() != Qt::LeftButton || (e->pos() - m_pressPos).manhattanLength() > 4)
            return;
        int r = 0, c = 0;
        if (cellAt(e->pos(), &r, &c))
            selectCell(r, c);
    });
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
        int r = -1, c = -1;
        const QPoint h = cellAt(e->pos(), &r, &c) ? QPoint(c, r) : QPoint(-1, -1);
        if (h != m_hover) {
            m_hover = h;
            updateInformation();
            if (h.x() >= 0)
                QToolTip::showText(e->globalPosition().toPoint(), describeCell(h.y(), h.x()), m_plot);
            else
                QToolTip::hideText();
        }
    });
    connect(m_plot, &PlotView::presentationModeChanged, this, &SimilarityHeatmap::redraw);
    redraw();
}

void SimilarityHeatmap::setModelNames(const QString& source, const QString& target)
{
    m_sourceName = source;
    m_targetName = target;
    redraw();
}

void SimilarityHeatmap::setMatrices(const QVector<SimilarityMatrix>& matrices)
{
    const QString shown = shownMatrix();
    m_matrices = matrices;
    m_matrixBox->blockSignals(true);
    m_matrixBox->clear();
    for (const auto& m : matrices)
        m_matrixBox->addItem(m.name, m.name);
    const int i = m_matrixBox->findData(shown);
    m_matrixBox->setCurrentIndex(i >= 0 ? i : 0);
    m_matrixBox->blockSignals(false);
    const SimilarityMatrix* m = current();
    if (!m || m_selected.y() >= m->rows || m_selected.x() >= m->cols)
        m_selected = {-1, -1};
    redraw();
}

void SimilarityHeatmap::clear() { setMatrices({}); }

void SimilarityHeatmap::showMatrix(const QString& name)
{
    const int i = m_matrixBox->findData(name);
    if (i >= 0)
        m_matrixBox->setCurrentIndex(i);
}

QString SimilarityHeatmap::shownMatrix() const { return m_matrixBox->currentData().toString(); }

const SimilarityMatrix* SimilarityHeatmap::current() const
{
    const int i = m_matrixBox->currentIndex();
    return i >= 0 && i < m_matrices.size() ? &m_matrices[i] : nullptr;
}

void SimilarityHeatmap::redraw()
{
    const SimilarityMatrix* m = current();
    m_plot->xAxis->setLabel(m_targetName.isEmpty() ? tr("Target layer") : tr("Target layer (%1)").arg(m_targetName));
    m_plot->yAxis->setLabel(m_sourceName.isEmpty() ? tr("Source layer") : tr("Source layer (%1)").arg(m_sourceName));
    if (!m || m->rows <= 0 || m->cols <= 0) {
        m_map->data()->clear();
        m_path->data()->clear();
        m_marker->setVisible(false);
        m_plot->setTitle(tr("Layer similarity"));
        m_plot->setPlaceholder(tr("Run a measured comparison\nto see how similar the layers are."), true);
        m_scale->setVisible(false);
        m_scale->axis()->setLabel(QString());
        m_plot->xAxis->setRange(-0.5, 5.5);
        m_plot->yAxis->setRange(-0.5, 5.5);
        m_plot->applyStyle();
        m_plot->replot();
        updateInformation();
        return;
    }
    m_plot->setPlaceholder(QString(), false);
    m_scale->setVisible(true);
    m_plot->setTitle(m->path.isEmpty() ? m->name : tr("%1 with the %2").arg(m->name, m->pathName.isEmpty() ? tr("mapping path") : m->pathName));
    m_map->data()->setSize(m->cols, m->rows);
    m_map->data()->setRange(QCPRange(0, m->cols - 1), QCPRange(0, m->rows - 1));
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int r = 0; r < m->rows; ++r)
        for (int c = 0; c < m->cols; ++c) {
            const double v = m->at(r, c);
            m_map->data()->setCell(c, r, v);
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
    if (std::isfinite(m->low))
        lo = m->low;
    if (std::isfinite(m->high))
        hi = m->high;
    if (!(hi > lo))
        hi = lo + 1.0;
    m_map->setDataRange(QCPRange(lo, hi));
    m_scale->axis()->setLabel(m->name);

    QVector<double> t, x, y;
    for (int i = 0; i < m->path.size(); ++i) {
        t << i;
        x << m->path[i].y(); // target layer on x
        y << m->path[i].x(); // source layer on y
    }
    m_path->setData(t, x, y);
    const double w = m_plot->lineWidth();
    m_path->setPen(QPen(QColor(255, 255, 255), w + 0.6));
    m_path->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 1.0), Qt::white, m_plot->presentationMode() ? 9 : 6));

    auto fixed = [](int layers) {
        auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
        ticker->setTickStep(tickStepFor(layers));
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        return ticker;
    };
    m_plot->xAxis->setTicker(fixed(m->cols));
    m_plot->yAxis->setTicker(fixed(m->rows));
    m_plot->xAxis2->setTicker(fixed(m->cols));
    m_plot->yAxis2->setTicker(fixed(m->rows));
    m_plot->xAxis->setRange(-0.5, m->cols - 0.5);
    m_plot->yAxis->setRange(-0.5, m->rows - 0.5);
    m_plot->applyStyle();
    for (QCPAxis* a : {m_plot->xAxis, m_plot->yAxis, m_plot->xAxis2, m_plot->yAxis2})
        a->grid()->setVisible(false);
    m_scale->axis()->setLabelFont(m_plot->xAxis->labelFont());
    m_scale->axis()->setTickLabelFont(m_plot->xAxis->tickLabelFont());

    if (m_selected.x() >= 0) {
        m_marker->topLeft->setCoords(m_selected.x() - 0.5, m_selected.y() + 0.5);
        m_marker->bottomRight->setCoords(m_selected.x() + 0.5, m_selected.y() - 0.5);
        m_marker->setVisible(true);
    } else {
        m_marker->setVisible(false);
    }
    m_plot->replot();
    updateInformation();
}

bool SimilarityHeatmap::cellAt(const QPoint& pos, int* row, int* col) const
{
    const SimilarityMatrix* m = current();
    if (!m || !m_plot->axisRect()->rect().contains(pos))
        return false;
    const double x = m_plot->xAxis->pixelToCoord(pos.x());
    const double y = m_plot->yAxis->pixelToCoord(pos.y());
    const int c = static_cast<int>(std::floor(x + 0.5));
    const int r = static_cast<int>(std::floor(y + 0.5));
    if (c < 0 || c >= m->cols || r < 0 || r >= m->rows)
        return false;
    *row = r;
    *col = c;
    return true;
}

QPoint SimilarityHeatmap::cellPosition(int sourceLayer, int targetLayer) const
{
    return QPoint(qRound(m_plot->xAxis->coordToPixel(targetLayer)), qRound(m_plot->yAxis->coordToPixel(sourceLayer)));
}

void SimilarityHeatmap::selectCell(int sourceLayer, int targetLayer)
{
    const SimilarityMatrix* m = current();
    if (!m || sourceLayer < 0 || targetLayer < 0 || sourceLayer >= m->rows || targetLayer >= m->cols)
        return;
    m_selected = QPoint(targetLayer, sourceLayer);
    redraw();
    Q_EMIT cellSelected(sourceLayer, targetLayer);
}

QString SimilarityHeatmap::describeCell(int sourceLayer, int targetLayer) const
{
    const SimilarityMatrix* m = current();
    if (!m || sourceLayer < 0 || targetLayer < 0 || sourceLayer >= m->rows || targetLayer >= m->cols)
        return {};
    QString s = tr("Source layer %1 × target layer %2: %3 %4")
                    .arg(sourceLayer)
                    .arg(targetLayer)
                    .arg(m->name)
                    .arg(m->at(sourceLayer, targetLayer), 0, 'f', 3);
    if (m->path.contains(QPoint(sourceLayer, targetLayer)))
        s += tr(" (on the mapping path)");
    return s;
}

QString SimilarityHeatmap::informationText() const { return m_info->text(); }

void SimilarityHeatmap::updateInformation()
{
    if (!current()) {
        m_info->setText(tr("No similarity measured yet."));
    } else if (m_hover.x() >= 0) {
        m_info->setText(describeCell(m_hover.y(), m_hover.x()));
    } else if (m_selected.x() >= 0) {
        m_info->setText(tr("Selected: %1").arg(describeCell(m_selected.y(), m_selected.x())));
    } else {
        m_info->setText(tr("Click a cell to choose that pair of layers; hover for the value; wheel to zoom."));
    }
}

void SimilarityHeatmap::setPresentationMode(bool on) { m_plot->setPresentationMode(on); }

QString SimilarityHeatmap::exportTo(const QString& path) const { return m_plot->exportTo(path); }

} // namespace sb
