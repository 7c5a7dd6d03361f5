#pragma once
// Layer-by-layer similarity (CKA, debiased CKA, mutual k-nearest neighbours)
// as a colour map: x = target layer, y = source layer (layer 0 at the
// bottom, as in the layer diagram), with the layer mapping's path drawn over
// it. Clicking a cell selects that pair of layers (cellSelected); hovering
// shows the value.

#include "widgets/plot_export.h"

#include <QPoint>
#include <QString>
#include <QVector>
#include <QWidget>

#include <limits>

class QComboBox;
class QLabel;
class QCPColorMap;
class QCPColorScale;
class QCPCurve;
class QCPItemRect;

namespace sb {

class PlotView;

/// One similarity matrix [rows = source layers, cols = target layers].
struct SimilarityMatrix {
    QString name;               ///< "CKA", "debiased CKA", "mutual kNN (k = 10)"
    int rows = 0;
    int cols = 0;
    QVector<double> values;     ///< row-major, rows x cols
    /// The mapping path drawn over the matrix: (source layer, target layer) pairs.
    QVector<QPoint> path;
    QString pathName;           ///< e.g. "monotone mapping"
    /// Colour range; NaN takes the data's range.
    double low = std::numeric_limits<double>::quiet_NaN();
    double high = std::numeric_limits<double>::quiet_NaN();
    double at(int row, int col) const { return values.value(row * cols + col, std::numeric_limits<double>::quiet_NaN()); }
};

class SimilarityHeatmap : public QWidget, public Exportable {
    Q_OBJECT
public:
    explicit SimilarityHeatmap(QWidget* parent = nullptr);

    /// Names of the two models, used in the axis titles.
    void setModelNames(const QString& source, const QString& target);
    /// Replaces the matrices; the chooser keeps the shown one if its name remains.
    void setMatrices(const QVector<SimilarityMatrix>& matrices);
    void clear();
    void showMatrix(const QString& name);
    QString shownMatrix() const;
    const SimilarityMatrix* current() const;

    /// Selects (and outlines) a cell as if clicked; emits cellSelected.
    void selectCell(int sourceLayer, int targetLayer);
    /// (target layer, source layer) of the selected cell as (x, y); (-1, -1) if none.
    QPoint selectedCell() const { return m_selected; }
    /// The information line: hovered cell, else the selection.
    QString informationText() const;
    QString describeCell(int sourceLayer, int targetLayer) const;
    /// Centre of a cell in the plot widget's coordinates (tests click there).
    QPoint cellPosition(int sourceLayer, int targetLayer) const;
    PlotView* plot() const { return m_plot; }

    void setPresentationMode(bool on);
    QString exportTo(const QString& path) const override;
    QString exportName() const override { return QStringLiteral("similarity"); }

Q_SIGNALS:
    void cellSelected(int sourceLayer, int targetLayer);

private:
    void redraw();
    bool cellAt(const QPoint& pos, int* row, int* col) const;
    void updateInformation();

    PlotView* m_plot;
    QComboBox* m_matrixBox;
    QLabel* m_info;
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPCurve* m_path = nullptr;
    QCPItemRect* m_marker = nullptr;
    QVector<SimilarityMatrix> m_matrices;
    QString m_sourceName;
    QString m_targetName;
    QPoint m_selected{-1, -1};
    QPoint m_hover{-1, -1};
    QPoint m_pressPos;
};

} // namespace sb
