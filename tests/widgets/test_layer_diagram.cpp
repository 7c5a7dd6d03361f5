// LayerDiagram: clicking components chooses the extraction / injection
// points, hovering shows the numbers, the mapping is switchable, 80-layer
// stacks stay readable, and the diagram exports.

#include "widgets/layer_diagram.h"

#include <QComboBox>
#include <QGraphicsView>
#include <QImage>
#include <QLabel>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <cmath>

using namespace sb;

namespace {
// The depth heuristic computed here, independently of any engine code:
// source layer i (centre at depth (i + 0.5) / Ls) maps to the target layer
// holding that depth, floor(depth * Lt).
QVector<DiagramLink> depthLinks(int ls, int lt)
{
    QVector<DiagramLink> out;
    for (int i = 0; i < ls; ++i)
        out.push_back({i, std::min(lt - 1, int(std::floor((i + 0.5) / ls * lt))), std::nan("")});
    return out;
}
} // namespace

class TestLayerDiagram : public QObject {
    Q_OBJECT
private slots:
    void clickSelectsExtractionAndInjectionPoints();
    void hoverShowsNumbers();
    void mappingIsSwitchable();
    void eightyLayersStayReadable();
    void exportsPng();
};

void TestLayerDiagram::clickSelectsExtractionAndInjectionPoints()
{
    LayerDiagram d;
    d.resize(900, 700);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    d.setStacks({QStringLiteral("stories260k"), QStringLiteral("llama"), 5}, {QStringLiteral("stories-gpt2"), QStringLiteral("gpt2"), 6});
    d.setMapping(MappingKind::Depth, depthLinks(5, 6));
    QSignalSpy spy(&d, &LayerDiagram::pointSelected);

    const DiagramPoint src{DiagramSide::Source, 2, LayerComponent::Attention};
    const QPoint at = d.viewportPosition(src);
    QVERIFY(d.view()->viewport()->rect().contains(at));
    QTest::mouseClick(d.view()->viewport(), Qt::LeftButton, {}, at);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).value<DiagramPoint>(), src);
    QCOMPARE(d.selection(DiagramSide::Source), src);
    QCOMPARE(src.hookName(), QStringLiteral("blocks.2.hook_attn_out"));

    const DiagramPoint tgt{DiagramSide::Target, 4, LayerComponent::Residual};
    QTest::mouseClick(d.view()->viewport(), Qt::LeftButton, {}, d.viewportPosition(tgt));
    QCOMPARE(spy.count(), 2);
    QCOMPARE(d.selection(DiagramSide::Target), tgt);
    // The source choice is kept.
    QCOMPARE(d.selection(DiagramSide::Source), src);

    // Move the pointer off the components, then read the information line.
    QTest::mouseMove(d.view()->viewport(), QPoint(2, 2));
    const QString info = d.findChild<QLabel*>(QStringLiteral("diagramInfo"))->text();
    QVERIFY2(info.contains(QStringLiteral("Extraction point (source): layer 2, attention output")), qPrintable(info));
    QVERIFY2(info.contains(QStringLiteral("Injection point (target): layer 4, residual stream")), qPrintable(info));

    // Clicking the MLP of the same source layer replaces the extraction point.
    const DiagramPoint mlp{DiagramSide::Source, 2, LayerComponent::Mlp};
    QTest::mouseClick(d.view()->viewport(), Qt::LeftButton, {}, d.viewportPosition(mlp));
    QCOMPARE(d.selection(DiagramSide::Source), mlp);
    QCOMPARE(spy.count(), 3);
}

void TestLayerDiagram::hoverShowsNumbers()
{
    LayerDiagram d;
    d.resize(900, 700);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    d.setStacks({QStringLiteral("a"), QString(), 5}, {QStringLiteral("b"), QString(), 6});
    d.setMapping(MappingKind::Depth, depthLinks(5, 6));
    DiagramOverlay norms;
    norms.name = QStringLiteral("Vector norm");
    norms.source = {1.5, 2.5, 3.5, 4.25, 5.5};
    norms.target = {0.5, 0.75, 1.0, 1.25, 1.5, 1.75};
    norms.sharedScale = false;
    d.setOverlays({norms});
    d.showOverlay(QStringLiteral("Vector norm"));
    QCOMPARE(d.shownOverlay(), QStringLiteral("Vector norm"));
    d.setStages({{QStringLiteral("representation"), 0.6, 3, 3}});

    QSignalSpy hovered(&d, &LayerDiagram::pointHovered);
    const DiagramPoint p{DiagramSide::Source, 3, LayerComponent::Residual};
    QTest::mouseMove(d.view()->viewport(), d.viewportPosition(p));
    QTRY_VERIFY(hovered.count() >= 1);
    QCOMPARE(hovered.last().at(0).value<DiagramPoint>(), p);
    const QString info = d.informationText();
    QVERIFY2(info.contains(QStringLiteral("Vector norm: 4.25")), qPrintable(info));
    // Layer 3 of 5 at depth 0.7 maps to floor(0.7 * 6) = 4.
    QVERIFY2(info.contains(QStringLiteral("Mapped (depth heuristic) to target layer 4")), qPrintable(info));
    QVERIFY2(info.contains(QStringLiteral("Functional stage: representation (60 % depth)")), qPrintable(info));
    QVERIFY2(info.contains(QStringLiteral("relative depth 60–80 %")), qPrintable(info));

    // The target side lists where it is mapped from: target 1 receives source 0 (depth 0.1 -> 0).
    // Target layer 4 receives source 3 only.
    const QString t = d.describe({DiagramSide::Target, 4, LayerComponent::Residual});
    QVERIFY2(t.contains(QStringLiteral("from source layer(s) 3")), qPrintable(t));
    QVERIFY2(t.contains(QStringLiteral("Vector norm: 1.5")), qPrintable(t));
}

void TestLayerDiagram::mappingIsSwitchable()
{
    LayerDiagram d;
    d.resize(900, 700);
    d.setStacks({QStringLiteral("a"), QString(), 4}, {QStringLiteral("b"), QString(), 4});
    d.setMapping(MappingKind::Depth, depthLinks(4, 4));
    auto* measured = d.findChild<QRadioButton*>(QStringLiteral("measuredMappingButton"));
    QVERIFY(measured);
    QVERIFY(!measured->isEnabled()); // nothing measured yet
    d.setMapping(MappingKind::Measured, {{0, 0, 0.91}, {1, 0, 0.62}, {2, 2, 0.80}, {3, 3, 0.97}});
    QVERIFY(measured->isEnabled());
    QCOMPARE(d.shownMapping(), MappingKind::Depth);
    measured->click();
    QCOMPARE(d.shownMapping(), MappingKind::Measured);
    const QString s = d.describe({DiagramSide::Source, 1, LayerComponent::Residual});
    QVERIFY2(s.contains(QStringLiteral("Mapped (measured) to target layer 0 (similarity 0.620)")), qPrintable(s));
    QVERIFY2(s.contains(QStringLiteral("Mapped (depth heuristic) to target layer 1")), qPrintable(s));
    // Each mapping places the stages itself; the shown one's bands are drawn.
    d.setStages({{QStringLiteral("representation"), 0.6, 2, 2}}, MappingKind::Depth);
    d.setStages({{QStringLiteral("representation"), 0.6, 2, 3}}, MappingKind::Measured);
    QCOMPARE(d.shownStages().value(0).targetLayer, 3);
    QVERIFY(d.describe({DiagramSide::Target, 3, LayerComponent::Residual}).contains(QStringLiteral("Functional stage")));
    d.findChild<QRadioButton*>(QStringLiteral("depthMappingButton"))->click();
    QCOMPARE(d.shownMapping(), MappingKind::Depth);
    QCOMPARE(d.shownStages().value(0).targetLayer, 2);
    // Removing the measured mapping falls back to depth and disables the choice.
    measured->click();
    d.setMapping(MappingKind::Measured, {});
    QCOMPARE(d.shownMapping(), MappingKind::Depth);
    QVERIFY(!measured->isEnabled());
}

void TestLayerDiagram::eightyLayersStayReadable()
{
    LayerDiagram d;
    d.resize(900, 700);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    d.setStacks({QStringLiteral("big"), QString(), 80}, {QStringLiteral("other"), QString(), 64});
    d.setMapping(MappingKind::Depth, depthLinks(80, 64));
    // Fitting would make rows unreadably thin, so the diagram fits the width
    // and starts at the output end: every layer numbered, rows >= 11 px.
    QVERIFY2(d.pixelsPerLayer() >= 11.0, qPrintable(QString::number(d.pixelsPerLayer())));
    QCOMPARE(d.layerLabelStep(), 1);
    const DiagramPoint top{DiagramSide::Source, 79, LayerComponent::Residual};
    const QPoint at = d.viewportPosition(top);
    QVERIFY2(d.view()->viewport()->rect().contains(at), "the output end is in view");
    QTest::mouseClick(d.view()->viewport(), Qt::LeftButton, {}, at);
    QCOMPARE(d.selection(DiagramSide::Source), top);

    // Zooming out thins the numbers instead of overprinting them.
    auto* out = d.findChild<QToolButton*>(QStringLiteral("zoomOut"));
    const double before = d.pixelsPerLayer();
    for (int i = 0; i < 4; ++i)
        out->click();
    QVERIFY(d.pixelsPerLayer() < before * 0.5);
    QVERIFY(d.layerLabelStep() > 1);
    QVERIFY(d.layerLabelStep() * d.pixelsPerLayer() >= 13.0);
    // Zoom in with the keyboard.
    d.view()->setFocus();
    const double z = d.pixelsPerLayer();
    QTest::keyClick(d.view(), Qt::Key_Plus, Qt::ControlModifier);
    QVERIFY(d.pixelsPerLayer() > z);
}

void TestLayerDiagram::exportsPng()
{
    LayerDiagram d;
    d.setStacks({QStringLiteral("a"), QString(), 5}, {QStringLiteral("b"), QString(), 6});
    d.setMapping(MappingKind::Depth, depthLinks(5, 6));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("diagram.png"));
    QCOMPARE(d.exportTo(path), QString());
    QImage img(path);
    QVERIFY(!img.isNull());
    QCOMPARE(img.size(), (d.view()->scene()->sceneRect().size() * 2).toSize());
    const QString svg = dir.filePath(QStringLiteral("diagram.svg"));
    QCOMPARE(d.exportTo(svg), QString());
    QVERIFY(QFileInfo(svg).size() > 1000);
}

QTEST_MAIN(TestLayerDiagram)
#include "test_layer_diagram.moc"
