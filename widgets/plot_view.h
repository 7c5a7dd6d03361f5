#pragma once
// The plot every SteerBridge chart is drawn on: a QCustomPlot with one look
// (fonts, pens, grid), a presentation mode (large fonts, thick lines, no
// grid, for lab meetings), an optional title and a context menu to export
// the plot as PNG, PDF or SVG.
//
// This header includes qcustomplot.h (which uses the `signals` keyword);
// public headers of other widgets forward-declare PlotView instead.

#include "widgets/plot_export.h"

#include <qcustomplot.h>

namespace sb {

class PlotView : public QCustomPlot, public Exportable {
    Q_OBJECT
public:
    explicit PlotView(QWidget* parent = nullptr);

    void setTitle(const QString& title);
    QString title() const;
    /// Text shown in the middle of the axis rect while `show` is true
    /// (e.g. "No training run yet").
    void setPlaceholder(const QString& text, bool show);
    QString placeholder() const;

    void setPresentationMode(bool on);
    bool presentationMode() const { return m_presentation; }
    /// Pen width for data lines in the current mode.
    double lineWidth() const { return m_presentation ? 3.0 : 1.6; }
    /// Applies the current mode's fonts and pens to axes, legend and title
    /// (called again whenever axes are added).
    void applyStyle();

    QString exportTo(const QString& path) const override;
    QString exportName() const override { return m_exportName; }
    void setExportName(const QString& name) { m_exportName = name; }
    /// Size used when exporting: the widget's size if shown, else 900 x 560.
    QSize exportSize() const;

Q_SIGNALS:
    /// Emitted after the mode changed and the base style was applied;
    /// owners restyle their graphs (lineWidth()) and replot.
    void presentationModeChanged(bool on);

protected:
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    QCPTextElement* m_title = nullptr;
    QCPItemText* m_placeholder = nullptr;
    QString m_exportName = QStringLiteral("plot");
    bool m_presentation = false;
};

} // namespace sb
