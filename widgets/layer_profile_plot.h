#pragma once
// Numbers per layer for several models on one plot (e.g. the norm of the
// extracted vector at every layer of the source and the target), against
// relative depth so models of different depth line up, or against the layer
// index.

#include "widgets/plot_export.h"

#include <QColor>
#include <QString>
#include <QVector>
#include <QWidget>

class QComboBox;

namespace sb {

class PlotView;

struct LayerProfile {
    QString name;            ///< legend entry, e.g. "stories260k (source)"
    QVector<double> values;  ///< one per layer (NaN: not measured)
    int markedLayer = -1;    ///< drawn larger (the chosen extraction / injection layer)
};

class LayerProfilePlot : public QWidget, public Exportable {
    Q_OBJECT
public:
    enum class XAxis { RelativeDepth, LayerIndex };
    explicit LayerProfilePlot(QWidget* parent = nullptr);

    void setTitle(const QString& title);
    void setValueLabel(const QString& label);
    void setProfiles(const QVector<LayerProfile>& profiles);
    const QVector<LayerProfile>& profiles() const { return m_profiles; }
    void setXAxis(XAxis x);
    XAxis xAxis() const { return m_x; }
    /// The x coordinate layer `layer` of a `layers`-deep model is drawn at.
    double xFor(int layer, int layers) const;
    PlotView* plot() const { return m_plot; }

    void setPresentationMode(bool on);
    QString exportTo(const QString& path) const override;
    QString exportName() const override { return m_exportName; }
    void setExportName(const QString& name) { m_exportName = name; }

private:
    void redraw();
    /// After each layout: raises the value axis's top when a point would be
    /// drawn under the legend (top right), unless the user zoomed or dragged.
    void makeRoomForLegend();
    PlotView* m_plot;
    QComboBox* m_xBox;
    QVector<LayerProfile> m_profiles;
    XAxis m_x = XAxis::RelativeDepth;
    double m_autoLower = 0.0; ///< the value range redraw() or makeRoomForLegend() set last
    double m_autoUpper = 1.0;
    QString m_exportName = QStringLiteral("layer-profile");
};

} // namespace sb
