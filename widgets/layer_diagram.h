#pragma once
// The layer diagram: two models as stacks of decoder layers drawn to relative
// depth (input at the bottom, output at the top; both stacks have the same
// height, so layer i of L sits at depth i/L in either model), each layer with
// its components (attention, MLP, residual stream). Lines join mapped layers
// (depth heuristic or measured mapping, switchable); functional-stage bands
// join a stage's layer in one model to its layer in the other; a colour
// overlay shows per-layer numbers (vector norms, similarity).
//
// Clicking a component on the source side chooses the extraction point,
// on the target side the injection point (pointSelected). Hovering shows the
// numbers in the information line and the tooltip. Ctrl+wheel or the toolbar
// zooms, dragging the background pans; layer numbers thin out when zoomed out
// so 80-layer models stay readable.
//
// Data in: plain values (DiagramStack, DiagramLink, DiagramStage,
// DiagramOverlay); the diagram computes nothing about the models.

#include "widgets/plot_export.h"

#include <QMetaType>
#include <QString>
#include <QVector>
#include <QWidget>

#include <cmath>
#include <limits>

class QButtonGroup;
class QComboBox;
class QGraphicsScene;
class QGraphicsView;
class QLabel;
class QRadioButton;

namespace sb {

/// The parts of a decoder layer one can extract from or inject into.
enum class LayerComponent { Residual, Attention, Mlp };
/// "resid_post", "attn_out", "mlp_out" (the hook component names).
QString componentHookName(LayerComponent c);
/// Translated, for people: "residual stream", "attention output", "MLP output".
QString componentTitle(LayerComponent c);

enum class DiagramSide { Source = 0, Target = 1 };

/// A place in the diagram: a component of one layer of one model.
struct DiagramPoint {
    DiagramSide side = DiagramSide::Source;
    int layer = -1;
    LayerComponent component = LayerComponent::Residual;
    bool isValid() const { return layer >= 0; }
    /// "blocks.{layer}.hook_resid_post" etc.
    QString hookName() const;
    bool operator==(const DiagramPoint& o) const
    {
        return side == o.side && layer == o.layer && component == o.component;
    }
    bool operator!=(const DiagramPoint& o) const { return !(*this == o); }
};

/// One model's stack.
struct DiagramStack {
    QString name;    ///< "stories260k"
    QString details; ///< one line, e.g. "llama · hidden 64 · 8 heads"
    int layers = 0;
};

/// A mapped pair of layers; score is the similarity behind it (NaN if none).
struct DiagramLink {
    int source = 0;
    int target = 0;
    double score = std::numeric_limits<double>::quiet_NaN();
};

enum class MappingKind { Depth, Measured };

/// A functional stage (feature extraction, representation, decision making)
/// and its layer in each model.
struct DiagramStage {
    QString name;
    double depth = 0.0; ///< relative depth of the stage, 0..1
    int sourceLayer = 0;
    int targetLayer = 0;
};

/// Numbers per layer to colour one component of each stack by.
struct DiagramOverlay {
    QString name;   ///< shown in the overlay chooser, e.g. "Vector norm"
    QString format = QStringLiteral("%1"); ///< how a value reads, "%1" replaced by the number
    LayerComponent component = LayerComponent::Residual;
    QVector<double> source; ///< one value per source layer (NaN: none)
    QVector<double> target; ///< one value per target layer
    /// One colour scale across both models (similarity), or one per model
    /// (norms of different-width models are not comparable).
    bool sharedScale = true;
};

class LayerDiagram : public QWidget, public Exportable {
    Q_OBJECT
public:
    explicit LayerDiagram(QWidget* parent = nullptr);
    ~LayerDiagram() override;

    void setStacks(const DiagramStack& source, const DiagramStack& target);
    const DiagramStack& stack(DiagramSide side) const { return m_stacks[int(side)]; }
    /// Sets one mapping's links (at most one link per source layer is drawn).
    void setMapping(MappingKind kind, const QVector<DiagramLink>& links);
    const QVector<DiagramLink>& mapping(MappingKind kind) const { return m_links[int(kind)]; }
    void showMapping(MappingKind kind);
    MappingKind shownMapping() const { return m_shownMapping; }
    /// The functional stages as one mapping places them; the bands drawn are
    /// those of the shown mapping (the depth heuristic's when it has none).
    void setStages(const QVector<DiagramStage>& stages, MappingKind kind = MappingKind::Depth);
    /// The stages drawn now.
    const QVector<DiagramStage>& shownStages() const;
    /// Replaces the overlays; the chooser keeps the shown one if its name remains.
    void setOverlays(const QVector<DiagramOverlay>& overlays);
    /// Shows the overlay of that name; an empty name shows none.
    void showOverlay(const QString& name);
    QString shownOverlay() const;
    /// Removes everything (no models loaded).
    void clear();

    /// Selects a point as if clicked (emits pointSelected when it changes).
    void select(const DiagramPoint& point);
    /// The extraction (Source) or injection (Target) point; invalid if none.
    DiagramPoint selection(DiagramSide side) const { return m_selection[int(side)]; }
    /// The text shown when hovering a point.
    QString describe(const DiagramPoint& point) const;
    /// The information line under the diagram.
    QString informationText() const;

    void zoomIn();
    void zoomOut();
    void fitToView();
    /// On-screen height of one layer of the deeper model, in pixels.
    double pixelsPerLayer() const;
    /// Every how many layers a number is written at the current zoom.
    int layerLabelStep() const;

    /// Where a point's component is drawn, in the view's viewport coordinates
    /// (tests click there); a null point if it is not drawn.
    QPoint viewportPosition(const DiagramPoint& point) const;
    QGraphicsView* view() const;

    void setPresentationMode(bool on);

    QString exportTo(const QString& path) const override;
    QString exportName() const override { return QStringLiteral("layer-diagram"); }

Q_SIGNALS:
    void pointSelected(const sb::DiagramPoint& point);
    /// The pointer moved onto a point (invalid point: left the components).
    void pointHovered(const sb::DiagramPoint& point);

private:
    friend class ComponentItem;
    friend class LayerLabelsItem;
    void rebuild();
    void restyleLinks();
    void updateInformation();
    void itemHovered(const DiagramPoint& point, bool entered);
    void itemClicked(const DiagramPoint& point);
    const DiagramOverlay* currentOverlay() const;
    /// Colour of a layer's overlaid component, invalid colour if none.
    QColor overlayColour(DiagramSide side, int layer, LayerComponent component) const;
    QRectF componentRect(const DiagramPoint& point) const;
    void zoomBy(double factor);

    class View;
    View* m_view;
    QGraphicsScene* m_scene;
    QLabel* m_info;
    QRadioButton* m_depthButton;
    QRadioButton* m_measuredButton;
    QComboBox* m_overlayBox;

    DiagramStack m_stacks[2];
    QVector<DiagramLink> m_links[2];
    MappingKind m_shownMapping = MappingKind::Depth;
    QVector<DiagramStage> m_stages[2];
    QVector<DiagramOverlay> m_overlays;
    DiagramPoint m_selection[2];
    DiagramPoint m_hover;
    bool m_hoverValid = false;
    bool m_presentation = false;
    struct LinkGraphics;
    QVector<LinkGraphics*> m_linkItems;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::DiagramPoint)
