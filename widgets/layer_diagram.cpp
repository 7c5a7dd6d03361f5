#include "widgets/layer_diagram.h"

#include "widgets/colour_scale.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QGraphicsItem>
#include <QGraphicsPathItem>
#include <QGraphicsScene>
#include <QGraphicsSceneHoverEvent>
#include <QGraphicsSceneMouseEvent>
#include <QGraphicsView>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QRadioButton>
#include <QScrollBar>
#include <QShortcut>
#include <QStyleOptionGraphicsItem>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>

namespace sb {

// ------------------------------------------------------------------ names

QString componentHookName(LayerComponent c)
{
    switch (c) {
    case LayerComponent::Residual: return QStringLiteral("resid_post");
    case LayerComponent::Attention: return QStringLiteral("attn_out");
    case LayerComponent::Mlp: return QStringLiteral("mlp_out");
    }
    return {};
}

QString componentTitle(LayerComponent c)
{
    switch (c) {
    case LayerComponent::Residual: return LayerDiagram::tr("residual stream");
    case LayerComponent::Attention: return LayerDiagram::tr("attention output");
    case LayerComponent::Mlp: return LayerDiagram::tr("MLP output");
    }
    return {};
}

QString DiagramPoint::hookName() const
{
    return QStringLiteral("blocks.%1.hook_%2").arg(layer).arg(componentHookName(component));
}

// ------------------------------------------------------------------ geometry

namespace {
constexpr double kLabelW = 40.0;
constexpr double kAttnW = 78.0;
constexpr double kMlpW = 78.0;
constexpr double kResidW = 58.0;
constexpr double kPad = 3.0;
constexpr double kStackW = kAttnW + kMlpW + kResidW + 2 * kPad;
constexpr double kGap = 240.0;
constexpr double kTop = 86.0;
constexpr double kBottom = 44.0;
constexpr double kSrcX0 = kLabelW;
constexpr double kSrcX1 = kSrcX0 + kStackW;
constexpr double kTgtX0 = kSrcX1 + kGap;
constexpr double kTgtX1 = kTgtX0 + kStackW;
constexpr double kSceneW = kTgtX1 + kLabelW;

const QColor kAttnColour(0xcf, 0xe2, 0xf3);
const QColor kMlpColour(0xd9, 0xea, 0xd3);
const QColor kResidColour(0xee, 0xee, 0xee);
const QColor kExtractColour(0xe6, 0x7e, 0x22);
const QColor kInjectColour(0x8e, 0x44, 0xad);
const QColor kStageColours[] = {QColor(0xf1, 0xc4, 0x0f, 70), QColor(0x1a, 0xbc, 0x9c, 70), QColor(0xe8, 0x43, 0x93, 60)};

int labelStepFor(double pixelsPerRow)
{
    for (int s : {1, 2, 5, 10, 20, 50, 100, 200})
        if (s * pixelsPerRow >= 13.0)
            return s;
    return 500;
}

/// Text drawn at a fixed on-screen size whatever the zoom.
class TagItem : public QGraphicsItem {
public:
    TagItem(QString text, QFont font, Qt::Alignment align, QColor background = {})
        : m_text(std::move(text)), m_font(std::move(font)), m_align(align), m_background(std::move(background))
    {
        setFlag(ItemIgnoresTransformations);
        const QFontMetricsF fm(m_font);
        QRectF r(QPointF(0, 0), fm.size(0, m_text) + QSizeF(8, 4));
        if (m_align & Qt::AlignHCenter)
            r.moveLeft(-r.width() / 2);
        else if (m_align & Qt::AlignRight)
            r.moveRight(0);
        if (m_align & Qt::AlignVCenter)
            r.moveTop(-r.height() / 2);
        else if (m_align & Qt::AlignBottom)
            r.moveBottom(0);
        m_rect = r;
    }
    QRectF boundingRect() const override { return m_rect; }
    void paint(QPainter* p, const QStyleOptionGraphicsItem*, QWidget*) override
    {
        if (m_background.isValid()) {
            p->setPen(Qt::NoPen);
            p->setBrush(m_background);
            p->drawRoundedRect(m_rect, 3, 3);
        }
        p->setFont(m_font);
        p->setPen(QColor(40, 40, 40));
        p->drawText(m_rect.adjusted(4, 2, -4, -2), Qt::AlignCenter, m_text);
    }

private:
    QString m_text;
    QFont m_font;
    Qt::Alignment m_align;
    QColor m_background;
    QRectF m_rect;
};
} // namespace

// ------------------------------------------------------------------ items

/// One component box of one layer; hover and click report to the diagram.
class ComponentItem : public QGraphicsRectItem {
public:
    ComponentItem(LayerDiagram* d, DiagramPoint p, const QRectF& r) : QGraphicsRectItem(r), m_d(d), m_point(p)
    {
        setAcceptHoverEvents(true);
        setAcceptedMouseButtons(Qt::LeftButton);
        setZValue(2);
        setCursor(Qt::PointingHandCursor);
    }
    void paint(QPainter* p, const QStyleOptionGraphicsItem* option, QWidget*) override
    {
        const QRectF r = rect();
        QColor fill = m_d->overlayColour(m_point.side, m_point.layer, m_point.component);
        if (!fill.isValid())
            fill = m_point.component == LayerComponent::Attention ? kAttnColour
                   : m_point.component == LayerComponent::Mlp     ? kMlpColour
                                                                  : kResidColour;
        const bool hovered = m_d->m_hoverValid && m_d->m_hover == m_point;
        if (hovered)
            fill = fill.darker(112);
        p->setBrush(fill);
        p->setPen(QPen(QColor(120, 120, 120), 0)); // cosmetic hairline
        p->drawRect(r);
        const bool selected = m_d->m_selection[int(m_point.side)] == m_point;
        if (selected) {
            QPen pen(m_point.side == DiagramSide::Source ? kExtractColour : kInjectColour, 3.0);
            pen.setCosmetic(true);
            p->setPen(pen);
            p->setBrush(Qt::NoBrush);
            p->drawRect(r);
        }
        const double lod = option->levelOfDetailFromTransform(p->worldTransform());
        const double px = r.height() * lod;
        const double textPx = m_d->m_presentation ? 13.0 : 10.0;
        if (px >= textPx + 3 && r.width() * lod >= 3.2 * textPx) {
            QFont f = p->font();
            f.setPixelSize(std::max(1, qRound(textPx)));
            p->save();
            p->scale(1.0 / lod, 1.0 / lod);
            p->setFont(f);
            p->setPen(textColourOn(fill));
            const QRectF screen(r.topLeft() * lod, r.size() * lod);
            const QString caption = m_point.component == LayerComponent::Attention ? LayerDiagram::tr("attn")
                                    : m_point.component == LayerComponent::Mlp     ? LayerDiagram::tr("MLP")
                                                                                   : LayerDiagram::tr("resid");
            p->drawText(screen, Qt::AlignCenter, caption);
            p->restore();
        }
    }

protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent*) override { m_d->itemHovered(m_point, true); }
    void hoverLeaveEvent(QGraphicsSceneHoverEvent*) override { m_d->itemHovered(m_point, false); }
    void mousePressEvent(QGraphicsSceneMouseEvent* e) override { e->accept(); }
    void mouseReleaseEvent(QGraphicsSceneMouseEvent* e) override
    {
        if (e->button() == Qt::LeftButton && boundingRect().contains(e->pos()))
            m_d->itemClicked(m_point);
    }

private:
    LayerDiagram* m_d;
    DiagramPoint m_point;
};

/// Layer numbers beside a stack, thinned to stay readable at any zoom.
class LayerLabelsItem : public QGraphicsItem {
public:
    LayerLabelsItem(LayerDiagram* d, DiagramSide side, QRectF rect) : m_d(d), m_side(side), m_rect(rect) {}
    QRectF boundingRect() const override { return m_rect; }
    void paint(QPainter* p, const QStyleOptionGraphicsItem* option, QWidget*) override
    {
        const int layers = m_d->m_stacks[int(m_side)].layers;
        if (layers <= 0)
            return;
        const double lod = option->levelOfDetailFromTransform(p->worldTransform());
        const double h = m_rect.height() / layers;
        const int step = labelStepFor(h * lod);
        QFont f = p->font();
        f.setPixelSize(m_d->m_presentation ? 13 : 10);
        p->save();
        p->scale(1.0 / lod, 1.0 / lod);
        p->setFont(f);
        p->setPen(QColor(70, 70, 70));
        for (int i = 0; i < layers; i += step) {
            const double top = m_rect.bottom() - (i + 1) * h;
            const QRectF row(m_rect.left() * lod, top * lod, m_rect.width() * lod, h * lod);
            const QRectF textRect = row.adjusted(0, -20, 0, 20);
            const QString number = QString::number(i);
            const QString text = m_side == DiagramSide::Source ? QString(number + QLatin1String("  "))
                                                               : QString(QLatin1String("  ") + number);
            p->drawText(textRect, (m_side == DiagramSide::Source ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter, text);
        }
        p->restore();
    }

private:
    LayerDiagram* m_d;
    DiagramSide m_side;
    QRectF m_rect;
};

struct LayerDiagram::LinkGraphics {
    QGraphicsPathItem* item = nullptr;
    DiagramLink link;
};

/// The graphics view: Ctrl+wheel zooms, dragging the background pans.
class LayerDiagram::View : public QGraphicsView {
public:
    View(LayerDiagram* d, QGraphicsScene* s) : QGraphicsView(s, d), m_d(d)
    {
        setDragMode(ScrollHandDrag);
        setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
        setTransformationAnchor(AnchorUnderMouse);
        setViewportUpdateMode(BoundingRectViewportUpdate);
        setBackgroundBrush(Qt::white);
        setMouseTracking(true);
    }
    bool autoFit = true;

protected:
    void wheelEvent(QWheelEvent* e) override
    {
        if (e->modifiers() & Qt::ControlModifier) {
            m_d->zoomBy(e->angleDelta().y() > 0 ? 1.2 : 1.0 / 1.2);
            e->accept();
            return;
        }
        QGraphicsView::wheelEvent(e);
    }
    void resizeEvent(QResizeEvent* e) override
    {
        QGraphicsView::resizeEvent(e);
        if (autoFit)
            m_d->fitToView();
    }
    void leaveEvent(QEvent* e) override
    {
        QGraphicsView::leaveEvent(e);
        if (m_d->m_hoverValid)
            m_d->itemHovered(m_d->m_hover, false);
    }

private:
    LayerDiagram* m_d;
};

// ------------------------------------------------------------------ widget

LayerDiagram::LayerDiagram(QWidget* parent) : QWidget(parent)
{
    qRegisterMetaType<sb::DiagramPoint>();
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);

    auto* bar = new QHBoxLayout;
    auto* mapLabel = new QLabel(tr("Layer mapping:"), this);
    m_depthButton = new QRadioButton(tr("&Depth heuristic"), this);
    m_depthButton->setObjectName(QStringLiteral("depthMappingButton"));
    m_depthButton->setToolTip(tr("Join layers at the same relative depth (the baseline)."));
    m_measuredButton = new QRadioButton(tr("&Measured"), this);
    m_measuredButton->setObjectName(QStringLiteral("measuredMappingButton"));
    m_measuredButton->setToolTip(
        tr("Join layers along the path of highest representational similarity (needs a comparison run)."));
    m_depthButton->setChecked(true);
    m_measuredButton->setEnabled(false);
    auto* group = new QButtonGroup(this);
    group->addButton(m_depthButton);
    group->addButton(m_measuredButton);
    connect(m_depthButton, &QRadioButton::toggled, this, [this](bool on) {
        if (on)
            showMapping(MappingKind::Depth);
    });
    connect(m_measuredButton, &QRadioButton::toggled, this, [this](bool on) {
        if (on)
            showMapping(MappingKind::Measured);
    });
    auto* overlayLabel = new QLabel(tr("&Colour by:"), this);
    m_overlayBox = new QComboBox(this);
    m_overlayBox->setObjectName(QStringLiteral("overlayBox"));
    m_overlayBox->addItem(tr("Component kind"), QString());
    overlayLabel->setBuddy(m_overlayBox);
    connect(m_overlayBox, &QComboBox::currentIndexChanged, this, [this] { rebuild(); });

    auto makeButton = [this](const QString& text, const QString& tip, const QString& name) {
        auto* b = new QToolButton(this);
        b->setText(text);
        b->setToolTip(tip);
        b->setObjectName(name);
        b->setAutoRaise(true);
        return b;
    };
    auto* zoomInButton = makeButton(tr("+"), tr("Zoom in (Ctrl++, or Ctrl+wheel)"), QStringLiteral("zoomIn"));
    auto* zoomOutButton = makeButton(tr("−"), tr("Zoom out (Ctrl+-)"), QStringLiteral("zoomOut"));
    auto* fitButton = makeButton(tr("Fit"), tr("Fit the diagram to the window (Ctrl+0)"), QStringLiteral("zoomFit"));
    connect(zoomInButton, &QToolButton::clicked, this, &LayerDiagram::zoomIn);
    connect(zoomOutButton, &QToolButton::clicked, this, &LayerDiagram::zoomOut);
    connect(fitButton, &QToolButton::clicked, this, &LayerDiagram::fitToView);

    bar->addWidget(mapLabel);
    bar->addWidget(m_depthButton);
    bar->addWidget(m_measuredButton);
    bar->addSpacing(16);
    bar->addWidget(overlayLabel);
    bar->addWidget(m_overlayBox);
    bar->addStretch(1);
    bar->addWidget(zoomOutButton);
    bar->addWidget(zoomInButton);
    bar->addWidget(fitButton);
    lay->addLayout(bar);

    m_scene = new QGraphicsScene(this);
    m_view = new View(this, m_scene);
    m_view->setObjectName(QStringLiteral("layerDiagramView"));
    lay->addWidget(m_view, 1);

    m_info = new QLabel(this);
    m_info->setObjectName(QStringLiteral("diagramInfo"));
    m_info->setWordWrap(true);
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_info->setMinimumHeight(m_info->fontMetrics().height() * 2 + 6);
    lay->addWidget(m_info);

    for (const auto& [keys, slot] :
         {std::pair{QList<QKeySequence>{QKeySequence::ZoomIn, QKeySequence(Qt::CTRL | Qt::Key_Equal)}, &LayerDiagram::zoomIn},
          std::pair{QList<QKeySequence>{QKeySequence::ZoomOut}, &LayerDiagram::zoomOut},
          std::pair{QList<QKeySequence>{QKeySequence(Qt::CTRL | Qt::Key_0)}, &LayerDiagram::fitToView}}) {
        for (const auto& k : keys) {
            auto* sc = new QShortcut(k, this);
            sc->setContext(Qt::WidgetWithChildrenShortcut);
            connect(sc, &QShortcut::activated, this, slot);
        }
    }
    rebuild();
}

LayerDiagram::~LayerDiagram()
{
    qDeleteAll(m_linkItems);
}

void LayerDiagram::setStacks(const DiagramStack& source, const DiagramStack& target)
{
    m_stacks[0] = source;
    m_stacks[1] = target;
    for (auto& s : m_selection)
        s = {};
    m_hoverValid = false;
    m_view->autoFit = true;
    rebuild();
    fitToView();
}

void LayerDiagram::setMapping(MappingKind kind, const QVector<DiagramLink>& links)
{
    m_links[int(kind)] = links;
    if (links.isEmpty())
        m_stages[int(kind)].clear();
    m_measuredButton->setEnabled(!m_links[int(MappingKind::Measured)].isEmpty());
    if (kind == MappingKind::Measured && links.isEmpty() && m_shownMapping == MappingKind::Measured)
        m_depthButton->setChecked(true);
    rebuild();
}

void LayerDiagram::showMapping(MappingKind kind)
{
    if (kind == MappingKind::Measured && m_links[int(MappingKind::Measured)].isEmpty())
        kind = MappingKind::Depth;
    m_shownMapping = kind;
    QRadioButton* b = kind == MappingKind::Depth ? m_depthButton : m_measuredButton;
    if (!b->isChecked())
        b->setChecked(true);
    rebuild();
}

void LayerDiagram::setStages(const QVector<DiagramStage>& stages, MappingKind kind)
{
    m_stages[int(kind)] = stages;
    rebuild();
}

const QVector<DiagramStage>& LayerDiagram::shownStages() const
{
    const auto& measured = m_stages[int(MappingKind::Measured)];
    return m_shownMapping == MappingKind::Measured && !measured.isEmpty() ? measured : m_stages[int(MappingKind::Depth)];
}

void LayerDiagram::setOverlays(const QVector<DiagramOverlay>& overlays)
{
    const QString shown = shownOverlay();
    m_overlays = overlays;
    m_overlayBox->blockSignals(true);
    while (m_overlayBox->count() > 1)
        m_overlayBox->removeItem(1);
    for (const auto& o : overlays)
        m_overlayBox->addItem(o.name, o.name);
    const int i = m_overlayBox->findData(shown);
    m_overlayBox->setCurrentIndex(i >= 0 ? i : 0);
    m_overlayBox->blockSignals(false);
    rebuild();
}

void LayerDiagram::showOverlay(const QString& name)
{
    const int i = name.isEmpty() ? 0 : m_overlayBox->findData(name);
    if (i >= 0)
        m_overlayBox->setCurrentIndex(i);
}

QString LayerDiagram::shownOverlay() const { return m_overlayBox->currentData().toString(); }

void LayerDiagram::clear()
{
    m_stacks[0] = m_stacks[1] = {};
    m_links[0].clear();
    m_links[1].clear();
    m_stages[0].clear();
    m_stages[1].clear();
    setOverlays({});
    m_measuredButton->setEnabled(false);
    m_depthButton->setChecked(true);
    for (auto& s : m_selection)
        s = {};
    m_hoverValid = false;
    rebuild();
}

const DiagramOverlay* LayerDiagram::currentOverlay() const
{
    const QString name = shownOverlay();
    if (name.isEmpty())
        return nullptr;
    for (const auto& o : m_overlays)
        if (o.name == name)
            return &o;
    return nullptr;
}

QColor LayerDiagram::overlayColour(DiagramSide side, int layer, LayerComponent component) const
{
    const DiagramOverlay* o = currentOverlay();
    if (!o || o->component != component)
        return {};
    const QVector<double>& v = side == DiagramSide::Source ? o->source : o->target;
    if (layer < 0 || layer >= v.size() || !std::isfinite(v[layer]))
        return QColor(0xdd, 0xdd, 0xdd);
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    auto scan = [&](const QVector<double>& values) {
        for (double x : values)
            if (std::isfinite(x)) {
                lo = std::min(lo, x);
                hi = std::max(hi, x);
            }
    };
    if (o->sharedScale) {
        scan(o->source);
        scan(o->target);
    } else {
        scan(v);
    }
    const double t = hi > lo ? (v[layer] - lo) / (hi - lo) : 0.5;
    return colourScale(t);
}

namespace {
double stackHeight(int maxLayers) { return std::max(600.0, maxLayers * 16.0); }
} // namespace

QRectF LayerDiagram::componentRect(const DiagramPoint& p) const
{
    const auto& st = m_stacks[int(p.side)];
    if (p.layer < 0 || p.layer >= st.layers)
        return {};
    const double H = stackHeight(std::max(m_stacks[0].layers, m_stacks[1].layers));
    const double h = H / st.layers;
    const double top = kTop + H - (p.layer + 1) * h;
    const double inset = std::min(2.0, h * 0.12);
    double x0 = 0, w = 0;
    if (p.side == DiagramSide::Source) {
        switch (p.component) {
        case LayerComponent::Attention: x0 = kSrcX0; w = kAttnW; break;
        case LayerComponent::Mlp: x0 = kSrcX0 + kAttnW + kPad; w = kMlpW; break;
        case LayerComponent::Residual: x0 = kSrcX1 - kResidW; w = kResidW; break;
        }
    } else {
        switch (p.component) {
        case LayerComponent::Residual: x0 = kTgtX0; w = kResidW; break;
        case LayerComponent::Attention: x0 = kTgtX0 + kResidW + kPad; w = kAttnW; break;
        case LayerComponent::Mlp: x0 = kTgtX1 - kMlpW; w = kMlpW; break;
        }
    }
    return QRectF(x0, top + inset, w, h - 2 * inset);
}

void LayerDiagram::rebuild()
{
    m_scene->clear();
    qDeleteAll(m_linkItems);
    m_linkItems.clear();
    const int maxLayers = std::max(m_stacks[0].layers, m_stacks[1].layers);
    const double H = stackHeight(maxLayers);
    m_scene->setSceneRect(0, 0, kSceneW, kTop + H + kBottom);
    QFont font = this->font();
    font.setPointSizeF(font.pointSizeF() * (m_presentation ? 1.5 : 1.0));
    QFont bold = font;
    bold.setBold(true);
    bold.setPointSizeF(font.pointSizeF() * 1.15);

    if (maxLayers == 0) {
        auto* hint = new TagItem(tr("Load a source and a target model to see their layers."), font, Qt::AlignCenter);
        hint->setPos(kSceneW / 2, kTop + 60);
        m_scene->addItem(hint);
        updateInformation();
        return;
    }

    // Titles and the input/output ends.
    for (int side = 0; side < 2; ++side) {
        const auto& st = m_stacks[side];
        if (st.layers <= 0)
            continue;
        const double cx = side == 0 ? (kSrcX0 + kSrcX1) / 2 : (kTgtX0 + kTgtX1) / 2;
        auto* title = new TagItem((side == 0 ? tr("Source: %1") : tr("Target: %1")).arg(st.name), bold,
                                  Qt::AlignHCenter | Qt::AlignBottom);
        title->setPos(cx, kTop - 46);
        m_scene->addItem(title);
        auto* details = new TagItem(tr("%1 · %n layer(s)", nullptr, st.layers).arg(st.details), font,
                                    Qt::AlignHCenter | Qt::AlignBottom);
        details->setPos(cx, kTop - 26);
        m_scene->addItem(details);
        auto* out = new TagItem(tr("output ↑"), font, Qt::AlignHCenter | Qt::AlignBottom);
        out->setPos(cx, kTop - 4);
        m_scene->addItem(out);
        auto* in = new TagItem(tr("↑ embeddings"), font, Qt::AlignHCenter | Qt::AlignTop);
        in->setPos(cx, kTop + H + 4);
        m_scene->addItem(in);
    }

    // Stage bands: from a stage's row in the source to its row in the target.
    const QVector<DiagramStage>& stages = shownStages();
    for (int i = 0; i < stages.size(); ++i) {
        const auto& sg = stages[i];
        const QRectF s = componentRect({DiagramSide::Source, sg.sourceLayer, LayerComponent::Residual});
        const QRectF t = componentRect({DiagramSide::Target, sg.targetLayer, LayerComponent::Residual});
        if (s.isNull() || t.isNull())
            continue;
        const double pad = 4;
        QPainterPath path;
        path.moveTo(kSrcX0 - pad, s.top() - 2);
        path.lineTo(kSrcX1 + 2, s.top() - 2);
        path.lineTo(kTgtX0 - 2, t.top() - 2);
        path.lineTo(kTgtX1 + pad, t.top() - 2);
        path.lineTo(kTgtX1 + pad, t.bottom() + 2);
        path.lineTo(kTgtX0 - 2, t.bottom() + 2);
        path.lineTo(kSrcX1 + 2, s.bottom() + 2);
        path.lineTo(kSrcX0 - pad, s.bottom() + 2);
        path.closeSubpath();
        auto* band = m_scene->addPath(path, Qt::NoPen, kStageColours[i % 3]);
        band->setZValue(-1);
        band->setToolTip(tr("Functional stage “%1” at %2 % depth: source layer %3, target layer %4")
                             .arg(sg.name)
                             .arg(qRound(sg.depth * 100))
                             .arg(sg.sourceLayer)
                             .arg(sg.targetLayer));
        auto* tag = new TagItem(tr("%1 (%2 %)").arg(sg.name).arg(qRound(sg.depth * 100)), font, Qt::AlignCenter,
                                QColor(255, 255, 255, 220));
        tag->setPos(kSrcX1 + kGap / 2, (s.center().y() + t.center().y()) / 2);
        tag->setZValue(4);
        tag->setToolTip(band->toolTip());
        m_scene->addItem(tag);
    }

    // Components.
    for (int side = 0; side < 2; ++side) {
        const auto& st = m_stacks[side];
        for (int layer = 0; layer < st.layers; ++layer)
            for (auto c : {LayerComponent::Attention, LayerComponent::Mlp, LayerComponent::Residual}) {
                const DiagramPoint p{DiagramSide(side), layer, c};
                auto* item = new ComponentItem(this, p, componentRect(p));
                item->setToolTip(describe(p));
                m_scene->addItem(item);
            }
        if (st.layers > 0) {
            const QRectF labels = side == 0 ? QRectF(0, kTop, kLabelW, H) : QRectF(kTgtX1, kTop, kLabelW, H);
            m_scene->addItem(new LayerLabelsItem(this, DiagramSide(side), labels));
        }
    }

    // Mapping lines, residual to residual.
    for (const auto& link : std::as_const(m_links[int(m_shownMapping)])) {
        const QRectF s = componentRect({DiagramSide::Source, link.source, LayerComponent::Residual});
        const QRectF t = componentRect({DiagramSide::Target, link.target, LayerComponent::Residual});
        if (s.isNull() || t.isNull())
            continue;
        QPainterPath path(QPointF(s.right(), s.center().y()));
        path.cubicTo(QPointF(s.right() + kGap * 0.45, s.center().y()), QPointF(t.left() - kGap * 0.45, t.center().y()),
                     QPointF(t.left(), t.center().y()));
        auto* g = new LinkGraphics;
        g->link = link;
        g->item = m_scene->addPath(path);
        g->item->setZValue(1);
        m_linkItems << g;
    }
    restyleLinks();

    // Overlay legend.
    if (const DiagramOverlay* o = currentOverlay()) {
        auto range = [](const QVector<double>& v) {
            double lo = std::numeric_limits<double>::infinity(), hi = -lo;
            for (double x : v)
                if (std::isfinite(x)) {
                    lo = std::min(lo, x);
                    hi = std::max(hi, x);
                }
            return std::pair{lo, hi};
        };
        QString text;
        const auto [slo, shi] = range(o->source);
        const auto [tlo, thi] = range(o->target);
        auto fmt = [o](double v) { return std::isfinite(v) ? o->format.arg(v, 0, 'g', 3) : QStringLiteral("–"); };
        if (o->sharedScale)
            text = tr("%1 (%2): %3 → %4").arg(o->name, componentTitle(o->component), fmt(std::min(slo, tlo)), fmt(std::max(shi, thi)));
        else
            text = tr("%1 (%2), each model on its own scale: source %3 → %4, target %5 → %6")
                       .arg(o->name, componentTitle(o->component), fmt(slo), fmt(shi), fmt(tlo), fmt(thi));
        QLinearGradient grad(0, 0, 1, 0);
        grad.setCoordinateMode(QGradient::ObjectMode);
        for (const auto& stop : colourScaleStops())
            grad.setColorAt(stop.first, stop.second);
        auto* bar = m_scene->addRect(QRectF(kSrcX1 + 20, 8, kGap - 40, 10), QPen(QColor(120, 120, 120), 0), grad);
        bar->setZValue(3);
        auto* tag = new TagItem(text, font, Qt::AlignHCenter | Qt::AlignTop);
        tag->setPos(kSrcX1 + kGap / 2, kTop + H + 20);
        m_scene->addItem(tag);
    }
    updateInformation();
}

void LayerDiagram::restyleLinks()
{
    const DiagramPoint sel = m_selection[0];
    const int hoverLayer = m_hoverValid ? m_hover.layer : -1;
    const DiagramSide hoverSide = m_hover.side;
    for (auto* g : std::as_const(m_linkItems)) {
        const bool chosen = sel.isValid() && g->link.source == sel.layer;
        const bool hovered = hoverLayer >= 0 && (hoverSide == DiagramSide::Source ? g->link.source : g->link.target) == hoverLayer;
        QColor c = std::isfinite(g->link.score) ? colourScale(g->link.score).darker(115) : QColor(110, 110, 110);
        double w = m_presentation ? 2.0 : 1.2;
        if (hovered) {
            c = QColor(30, 30, 30);
            w *= 2.0;
        }
        if (chosen) {
            c = kExtractColour;
            w *= 2.5;
        }
        if (!chosen && !hovered)
            c.setAlpha(170);
        QPen pen(c, w);
        pen.setCosmetic(true);
        g->item->setPen(pen);
        g->item->setZValue(chosen ? 1.5 : 1);
        QString tip = tr("Source layer %1 → target layer %2").arg(g->link.source).arg(g->link.target);
        if (std::isfinite(g->link.score))
            tip += tr(" (similarity %1)").arg(g->link.score, 0, 'f', 3);
        g->item->setToolTip(tip);
    }
}

QString LayerDiagram::describe(const DiagramPoint& p) const
{
    const auto& st = m_stacks[int(p.side)];
    if (p.layer < 0 || p.layer >= st.layers)
        return {};
    QStringList lines;
    lines << (p.side == DiagramSide::Source ? tr("Source %1, layer %2 of 0–%3") : tr("Target %1, layer %2 of 0–%3"))
                 .arg(st.name)
                 .arg(p.layer)
                 .arg(st.layers - 1);
    lines << tr("%1 (%2), relative depth %3–%4 %")
                 .arg(componentTitle(p.component), p.hookName())
                 .arg(qRound(100.0 * p.layer / st.layers))
                 .arg(qRound(100.0 * (p.layer + 1) / st.layers));
    for (const auto& o : m_overlays) {
        if (o.component != p.component)
            continue;
        const QVector<double>& v = p.side == DiagramSide::Source ? o.source : o.target;
        if (p.layer < v.size() && std::isfinite(v[p.layer]))
            lines << tr("%1: %2").arg(o.name, o.format.arg(v[p.layer], 0, 'g', 4));
    }
    const QString kindName[2] = {tr("depth heuristic"), tr("measured")};
    for (int k = 0; k < 2; ++k) {
        QStringList partners;
        for (const auto& l : m_links[k]) {
            const bool match = p.side == DiagramSide::Source ? l.source == p.layer : l.target == p.layer;
            if (!match)
                continue;
            QString s = QString::number(p.side == DiagramSide::Source ? l.target : l.source);
            if (std::isfinite(l.score))
                s += tr(" (similarity %1)").arg(l.score, 0, 'f', 3);
            partners << s;
        }
        if (partners.isEmpty())
            continue;
        lines << (p.side == DiagramSide::Source ? tr("Mapped (%1) to target layer %2")
                                                : tr("Mapped (%1) from source layer(s) %2"))
                     .arg(kindName[k], partners.join(QStringLiteral(", ")));
    }
    for (const auto& sg : shownStages())
        if ((p.side == DiagramSide::Source ? sg.sourceLayer : sg.targetLayer) == p.layer)
            lines << tr("Functional stage: %1 (%2 % depth)").arg(sg.name).arg(qRound(sg.depth * 100));
    return lines.join(QLatin1Char('\n'));
}

QString LayerDiagram::informationText() const { return m_info->text(); }

void LayerDiagram::updateInformation()
{
    if (m_hoverValid) {
        m_info->setText(describe(m_hover).replace(QLatin1Char('\n'), QStringLiteral(" · ")));
        return;
    }
    if (m_stacks[0].layers == 0 && m_stacks[1].layers == 0) {
        m_info->setText(tr("No models loaded."));
        return;
    }
    auto pointText = [this](DiagramSide side) {
        const DiagramPoint p = m_selection[int(side)];
        if (!p.isValid())
            return tr("not chosen");
        return tr("layer %1, %2").arg(p.layer).arg(componentTitle(p.component));
    };
    m_info->setText(tr("Extraction point (source): %1 · Injection point (target): %2. "
                       "Click a component to choose; hover for numbers.")
                        .arg(pointText(DiagramSide::Source), pointText(DiagramSide::Target)));
}

void LayerDiagram::itemHovered(const DiagramPoint& point, bool entered)
{
    if (entered) {
        m_hover = point;
        m_hoverValid = true;
    } else if (m_hoverValid && m_hover == point) {
        m_hoverValid = false;
    } else {
        return;
    }
    restyleLinks();
    m_scene->update();
    updateInformation();
    Q_EMIT pointHovered(m_hoverValid ? m_hover : DiagramPoint{});
}

void LayerDiagram::itemClicked(const DiagramPoint& point) { select(point); }

void LayerDiagram::select(const DiagramPoint& point)
{
    const auto& st = m_stacks[int(point.side)];
    DiagramPoint p = point;
    if (p.layer >= st.layers)
        p.layer = -1;
    if (m_selection[int(p.side)] == p)
        return;
    m_selection[int(p.side)] = p;
    restyleLinks();
    m_scene->update();
    updateInformation();
    Q_EMIT pointSelected(p);
}

// ------------------------------------------------------------------ zoom

void LayerDiagram::zoomBy(double factor)
{
    m_view->autoFit = false;
    const double current = m_view->transform().m11();
    const double next = std::clamp(current * factor, 0.05, 12.0);
    m_view->scale(next / current, next / current);
}

void LayerDiagram::zoomIn() { zoomBy(1.25); }
void LayerDiagram::zoomOut() { zoomBy(0.8); }

void LayerDiagram::fitToView()
{
    const QRectF r = m_scene->sceneRect();
    const QSize vp = m_view->viewport()->size();
    if (r.isEmpty() || vp.isEmpty())
        return;
    const double sw = (vp.width() - 8) / r.width();
    const double sh = (vp.height() - 8) / r.height();
    double s = std::min(sw, sh);
    const int maxLayers = std::max(m_stacks[0].layers, m_stacks[1].layers);
    if (maxLayers > 0 && s * stackHeight(maxLayers) / maxLayers < 11.0) {
        // Too deep to read whole: fit the width and start at the output end.
        s = std::min(sw, 1.5);
        m_view->setTransform(QTransform::fromScale(s, s));
        m_view->centerOn(r.center().x(), r.top());
        return;
    }
    s = std::min(s, 1.5);
    m_view->setTransform(QTransform::fromScale(s, s));
    m_view->centerOn(r.center());
}

double LayerDiagram::pixelsPerLayer() const
{
    const int maxLayers = std::max(m_stacks[0].layers, m_stacks[1].layers);
    if (maxLayers == 0)
        return 0.0;
    return m_view->transform().m22() * stackHeight(maxLayers) / maxLayers;
}

int LayerDiagram::layerLabelStep() const { return labelStepFor(pixelsPerLayer()); }

QPoint LayerDiagram::viewportPosition(const DiagramPoint& point) const
{
    const QRectF r = componentRect(point);
    if (r.isNull())
        return {};
    return m_view->mapFromScene(r.center());
}

QGraphicsView* LayerDiagram::view() const { return m_view; }

void LayerDiagram::setPresentationMode(bool on)
{
    if (m_presentation == on)
        return;
    m_presentation = on;
    rebuild();
}

QString LayerDiagram::exportTo(const QString& path) const
{
    const QRectF r = m_scene->sceneRect();
    return exportPainting(
        path, r.size().toSize(),
        [this, r](QPaintDevice* device, QSize size, bool) {
            QPainter p;
            if (!p.begin(device))
                return false;
            p.setRenderHint(QPainter::Antialiasing);
            p.setRenderHint(QPainter::TextAntialiasing);
            p.fillRect(QRect(QPoint(0, 0), size), Qt::white);
            m_scene->render(&p, QRectF(QPointF(0, 0), QSizeF(size)), r);
            return p.end();
        },
        tr("Layer diagram"));
}

} // namespace sb
