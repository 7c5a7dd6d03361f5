#include "widgets/plot_view.h"

#include <QContextMenuEvent>
#include <QMenu>

namespace sb {

PlotView::PlotView(QWidget* parent) : QCustomPlot(parent)
{
    setMinimumSize(200, 150);
    setNoAntialiasingOnDrag(true);
    applyStyle();
}

void PlotView::setTitle(const QString& title)
{
    if (!m_title) {
        plotLayout()->insertRow(0);
        m_title = new QCPTextElement(this, title);
        plotLayout()->addElement(0, 0, m_title);
    }
    m_title->setText(title);
    applyStyle();
}

QString PlotView::title() const { return m_title ? m_title->text() : QString(); }

void PlotView::setPlaceholder(const QString& text, bool show)
{
    if (!m_placeholder) {
        m_placeholder = new QCPItemText(this);
        m_placeholder->position->setType(QCPItemPosition::ptAxisRectRatio);
        m_placeholder->position->setCoords(0.5, 0.5);
        m_placeholder->setPositionAlignment(Qt::AlignCenter);
        m_placeholder->setColor(QColor(110, 110, 110));
        m_placeholder->setClipToAxisRect(true);
    }
    m_placeholder->setText(text);
    m_placeholder->setVisible(show && !text.isEmpty());
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * (m_presentation ? 1.6 : 1.1));
    m_placeholder->setFont(f);
}

QString PlotView::placeholder() const
{
    return m_placeholder && m_placeholder->visible() ? m_placeholder->text() : QString();
}

void PlotView::setPresentationMode(bool on)
{
    if (on == m_presentation)
        return;
    m_presentation = on;
    applyStyle();
    Q_EMIT presentationModeChanged(on);
    replot();
}

void PlotView::applyStyle()
{
    QFont base = font();
    const double scale = m_presentation ? 1.6 : 1.0;
    QFont tickFont = base;
    tickFont.setPointSizeF(base.pointSizeF() * 0.9 * scale);
    QFont labelFont = base;
    labelFont.setPointSizeF(base.pointSizeF() * scale);
    QFont titleFont = base;
    titleFont.setPointSizeF(base.pointSizeF() * 1.15 * scale);
    titleFont.setBold(true);
    const QPen axisPen(QColor(60, 60, 60), m_presentation ? 2.0 : 1.0);
    const QPen gridPen(QColor(0, 0, 0, m_presentation ? 0 : 30), 1.0, Qt::DotLine);
    for (QCPAxisRect* rect : axisRects()) {
        for (QCPAxis* axis : rect->axes()) {
            axis->setTickLabelFont(tickFont);
            axis->setLabelFont(labelFont);
            axis->setBasePen(axisPen);
            axis->setTickPen(axisPen);
            axis->setSubTickPen(m_presentation ? Qt::NoPen : axisPen);
            axis->grid()->setPen(gridPen);
            axis->grid()->setZeroLinePen(Qt::NoPen);
            axis->grid()->setVisible(!m_presentation);
        }
    }
    legend->setFont(labelFont);
    legend->setBorderPen(m_presentation ? Qt::NoPen : QPen(QColor(0, 0, 0, 60)));
    legend->setBrush(QColor(255, 255, 255, 220));
    if (m_title)
        m_title->setFont(titleFont);
}

QSize PlotView::exportSize() const
{
    const QSize s = size();
    if (isVisible() && s.width() >= 200 && s.height() >= 150)
        return s;
    return {900, 560};
}

QString PlotView::exportTo(const QString& path) const
{
    // Drawing lays out the axes, which QCustomPlot does not declare const.
    auto* self = const_cast<PlotView*>(this);
    return exportPainting(
        path, exportSize(),
        [self](QPaintDevice* device, QSize s, bool vectorized) {
            QCPPainter painter;
            if (!painter.begin(device))
                return false;
            painter.setRenderHint(QPainter::Antialiasing);
            painter.setRenderHint(QPainter::TextAntialiasing);
            if (vectorized)
                painter.setMode(QCPPainter::pmVectorized);
            self->toPainter(&painter, s.width(), s.height());
            return painter.end();
        },
        title().isEmpty() ? m_exportName : title());
}

void PlotView::contextMenuEvent(QContextMenuEvent* event)
{
    QMenu menu(this);
    QAction* exportAction = menu.addAction(tr("Export Plot..."));
    QAction* chosen = menu.exec(event->globalPos());
    if (chosen == exportAction)
        exportWithDialog(this, *this);
}

} // namespace sb
