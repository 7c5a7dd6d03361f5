#include "widgets/layer_profile_plot.h"

#include "widgets/plot_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace sb {

namespace {
const QColor kProfileColours[] = {QColor(0xe6, 0x7e, 0x22), QColor(0x8e, 0x44, 0xad), QColor(0x1f, 0x77, 0xb4),
                                  QColor(0x2c, 0xa0, 0x2c)};
}

LayerProfilePlot::LayerProfilePlot(QWidget* parent) : QWidget(parent)
{
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    auto* label = new QLabel(tr("&Horizontal axis:"), this);
    m_xBox = new QComboBox(this);
    m_xBox->setObjectName(QStringLiteral("profileXAxisBox"));
    m_xBox->addItem(tr("Relative depth"));
    m_xBox->addItem(tr("Layer index"));
    m_xBox->setToolTip(tr("Relative depth lines up models of different depth: layer i of L is drawn at (i + ½) / L."));
    label->setBuddy(m_xBox);
    bar->addWidget(label);
    bar->addWidget(m_xBox);
    bar->addStretch(1);
    lay->addLayout(bar);
    m_plot = new PlotView(this);
    m_plot->setObjectName(QStringLiteral("profilePlot"));
    m_plot->legend->setVisible(true);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    lay->addWidget(m_plot, 1);
    connect(m_xBox, &QComboBox::currentIndexChanged, this,
            [this](int i) { setXAxis(i == 0 ? XAxis::RelativeDepth : XAxis::LayerIndex); });
    connect(m_plot, &PlotView::presentationModeChanged, this, &LayerProfilePlot::redraw);
    connect(m_plot, &QCustomPlot::afterLayout, this, &LayerProfilePlot::makeRoomForLegend);
    redraw();
}

void LayerProfilePlot::setTitle(const QString& title)
{
    m_plot->setTitle(title);
    m_plot->replot();
}

void LayerProfilePlot::setValueLabel(const QString& label)
{
    m_plot->yAxis->setLabel(label);
    m_plot->replot();
}

void LayerProfilePlot::setProfiles(const QVector<LayerProfile>& profiles)
{
    m_profiles = profiles;
    redraw();
}

void LayerProfilePlot::setXAxis(XAxis x)
{
    m_x = x;
    if (m_xBox->currentIndex() != (x == XAxis::RelativeDepth ? 0 : 1))
        m_xBox->setCurrentIndex(x == XAxis::RelativeDepth ? 0 : 1);
    redraw();
}

double LayerProfilePlot::xFor(int layer, int layers) const
{
    return m_x == XAxis::RelativeDepth ? (layer + 0.5) / layers : double(layer);
}

void LayerProfilePlot::redraw()
{
    m_plot->clearGraphs();
    m_plot->xAxis->setLabel(m_x == XAxis::RelativeDepth ? tr("Relative depth") : tr("Layer"));
    for (int i = 0; i < m_profiles.size(); ++i) {
        const auto& p = m_profiles[i];
        const int n = static_cast<int>(p.values.size());
        QVector<double> x, y;
        for (int l = 0; l < n; ++l) {
            x << xFor(l, n);
            y << p.values[l]; // NaN breaks the line, which is what "not measured" should look like
        }
        const QColor colour = kProfileColours[i % 4];
        QCPGraph* g = m_plot->addGraph();
        g->setName(p.name);
        g->setPen(QPen(colour, m_plot->lineWidth()));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, Qt::white, m_plot->presentationMode() ? 9 : 6));
        g->setData(x, y, true);
        if (p.markedLayer >= 0 && p.markedLayer < n && std::isfinite(p.values[p.markedLayer])) {
            QCPGraph* mark = m_plot->addGraph();
            mark->removeFromLegend();
            mark->setLineStyle(QCPGraph::lsNone);
            mark->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, colour, m_plot->presentationMode() ? 16 : 12));
            mark->setData({xFor(p.markedLayer, n)}, {p.values[p.markedLayer]});
        }
    }
    if (m_x == XAxis::RelativeDepth) {
        m_plot->xAxis->setRange(0.0, 1.0);
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    } else {
        auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
        ticker->setTickStep(1.0);
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        m_plot->xAxis->setTicker(ticker);
        int maxLayers = 1;
        for (const auto& p : m_profiles)
            maxLayers = std::max(maxLayers, static_cast<int>(p.values.size()));
        m_plot->xAxis->setRange(-0.5, maxLayers - 0.5);
    }
    m_plot->yAxis->setRange(0, 1);
    m_plot->setPlaceholder(tr("Extract a vector to see its norm at every layer of both models."), m_profiles.isEmpty());
    if (m_plot->graphCount() > 0) {
        m_plot->yAxis->rescale(true);
        const QCPRange r = m_plot->yAxis->range();
        const double lower = std::min(0.0, r.lower); // norms and scores read best from zero
        m_plot->yAxis->setRange(lower, r.upper + 0.08 * (r.upper - lower) + 1e-9);
    }
    m_autoLower = m_plot->yAxis->range().lower;
    m_autoUpper = m_plot->yAxis->range().upper;
    m_plot->applyStyle();
    m_plot->replot();
}

void LayerProfilePlot::makeRoomForLegend()
{
    if (!m_plot->legend->visible() || m_plot->graphCount() == 0)
        return;
    const QCPRange r = m_plot->yAxis->range();
    const double tolerance = 1e-9 * std::max(1.0, std::abs(m_autoUpper - m_autoLower));
    if (std::abs(r.lower - m_autoLower) > tolerance || std::abs(r.upper - m_autoUpper) > tolerance)
        return; // the user's zoom or drag stays as it is
    const QRect legendRect = m_plot->legend->outerRect();
    const QRect area = m_plot->axisRect()->rect();
    if (legendRect.isEmpty() || area.height() < 40)
        return;
    // The highest point drawn in the legend's columns, a marker's radius around it.
    const double pad = m_plot->presentationMode() ? 10.0 : 8.0;
    double highest = -std::numeric_limits<double>::infinity();
    for (int i = 0; i < m_plot->graphCount(); ++i) {
        const auto data = m_plot->graph(i)->data();
        for (auto it = data->constBegin(); it != data->constEnd(); ++it) {
            if (!std::isfinite(it->value))
                continue;
            const double px = m_plot->xAxis->coordToPixel(it->key);
            if (px >= legendRect.left() - pad && px <= legendRect.right() + pad)
                highest = std::max(highest, it->value);
        }
    }
    if (!std::isfinite(highest))
        return;
    // Fraction of the axis rect, from the top, that the legend takes.
    const double f = (legendRect.bottom() + pad - area.top()) / double(area.height());
    if (f <= 0.0 || f >= 0.7)
        return; // a legend that tall leaves no sensible room: keep the data's range
    if (highest < r.upper - f * (r.upper - r.lower))
        return;
    // The top for which `highest` sits just below the legend.
    const double upper = (highest - f * r.lower) / (1.0 - f);
    m_plot->yAxis->setRange(r.lower, upper + 0.02 * (upper - r.lower));
    m_autoLower = m_plot->yAxis->range().lower;
    m_autoUpper = m_plot->yAxis->range().upper;
    // Lay out again for the new tick labels; the points now clear the legend,
    // so that layout changes nothing more.
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void LayerProfilePlot::setPresentationMode(bool on) { m_plot->setPresentationMode(on); }

QString LayerProfilePlot::exportTo(const QString& path) const { return m_plot->exportTo(path); }

} // namespace sb
