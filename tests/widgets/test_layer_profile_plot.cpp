// LayerProfilePlot (the norm of a vector at every layer of both models): every
// point is drawn inside the plot and none under the legend, in both x-axis
// modes, in presentation mode and after a resize; a range the user zoomed or
// dragged is left alone; NaN layers are not drawn.

#include "widgets/layer_profile_plot.h"
#include "widgets/plot_view.h"

#include <QComboBox>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace sb;

namespace {

/// Norms that grow with depth, the shape real vectors have (the highest point
/// is the last layer's, at the right, where the legend sits).
QVector<LayerProfile> growingNorms()
{
    return {{QStringLiteral("stories260k (source, resid_post)"), {0.43, 0.54, 0.76, 1.05, 1.39}, 2},
            {QStringLiteral("stories-gpt2 (target, resid_post)"), {0.77, 0.92, 0.94, 0.98, 1.01, 1.11}, 3}};
}

/// Every finite point of every graph: inside the axis rect, and (with a
/// marker's radius around it) not under the legend. Returns the first
/// offending point, described, or an empty string.
QString pointsClearOfLegend(const LayerProfilePlot& w)
{
    PlotView* p = w.plot();
    const QRect legend = p->legend->outerRect();
    const QRect area = p->axisRect()->rect();
    const double radius = p->presentationMode() ? 8.0 : 6.0;
    for (int g = 0; g < p->graphCount(); ++g) {
        const auto data = p->graph(g)->data();
        for (auto it = data->constBegin(); it != data->constEnd(); ++it) {
            if (!std::isfinite(it->value))
                continue;
            const QPointF px(p->xAxis->coordToPixel(it->key), p->yAxis->coordToPixel(it->value));
            const QString where = QStringLiteral("graph %1 point (%2, %3) at pixel (%4, %5); axis rect %6,%7 %8x%9; "
                                                 "legend %10,%11 %12x%13")
                                      .arg(g).arg(it->key).arg(it->value).arg(px.x()).arg(px.y())
                                      .arg(area.x()).arg(area.y()).arg(area.width()).arg(area.height())
                                      .arg(legend.x()).arg(legend.y()).arg(legend.width()).arg(legend.height());
            if (!QRectF(area).contains(px))
                return QStringLiteral("outside the axis rect: ") + where;
            const QRectF marker(px.x() - radius, px.y() - radius, 2 * radius, 2 * radius);
            if (QRectF(legend).intersects(marker))
                return QStringLiteral("under the legend: ") + where;
        }
    }
    return {};
}

/// Shown at `size` (about the Extraction tab's plot).
bool shown(LayerProfilePlot& w, QSize size = {1100, 560})
{
    w.resize(size);
    w.show();
    return QTest::qWaitForWindowExposed(&w);
}

/// Lets queued replots run (the plot lays itself out again after making room).
void settle(LayerProfilePlot& w)
{
    w.plot()->replot();
    QCoreApplication::processEvents();
    QTest::qWait(20);
    w.plot()->replot();
}

} // namespace

class TestLayerProfilePlot : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void growingNormsClearTheLegend();
    void noExtraRoomWhenNothingIsUnderTheLegend();
    void userZoomIsKept();
    void nanLayersAreNotDrawn();
};

void TestLayerProfilePlot::growingNormsClearTheLegend()
{
    LayerProfilePlot w;
    QVERIFY(shown(w));
    w.setProfiles(growingNorms());
    settle(w);
    // The legend is where the last layers are drawn: something had to move.
    QVERIFY(w.plot()->legend->visible());
    QString bad = pointsClearOfLegend(w);
    QVERIFY2(bad.isEmpty(), qPrintable(bad));
    QVERIFY(w.plot()->yAxis->range().lower <= 0.0); // norms read from zero

    w.setXAxis(LayerProfilePlot::XAxis::LayerIndex);
    settle(w);
    bad = pointsClearOfLegend(w);
    QVERIFY2(bad.isEmpty(), qPrintable(QStringLiteral("layer index: ") + bad));

    w.setPresentationMode(true); // larger fonts: a larger legend
    settle(w);
    bad = pointsClearOfLegend(w);
    QVERIFY2(bad.isEmpty(), qPrintable(QStringLiteral("presentation mode: ") + bad));
    w.setPresentationMode(false);

    w.resize(700, 300); // a smaller window: the same legend takes more of the height
    QTest::qWait(50);
    settle(w);
    bad = pointsClearOfLegend(w);
    QVERIFY2(bad.isEmpty(), qPrintable(QStringLiteral("after a resize: ") + bad));
}

void TestLayerProfilePlot::noExtraRoomWhenNothingIsUnderTheLegend()
{
    LayerProfilePlot w;
    QVERIFY(shown(w));
    // Falling norms: the right-hand side, under the legend, is empty.
    w.setProfiles({{QStringLiteral("falling"), {2.0, 1.5, 0.9, 0.4, 0.2}, -1}});
    settle(w);
    const QString bad = pointsClearOfLegend(w);
    QVERIFY2(bad.isEmpty(), qPrintable(bad));
    // The top stays close to the highest point: no room wasted.
    const double upper = w.plot()->yAxis->range().upper;
    QVERIFY2(upper >= 2.0 && upper < 2.0 * 1.15, qPrintable(QString::number(upper)));
}

void TestLayerProfilePlot::userZoomIsKept()
{
    LayerProfilePlot w;
    QVERIFY(shown(w));
    w.setProfiles(growingNorms());
    settle(w);
    // As a wheel zoom or a drag would leave it.
    w.plot()->yAxis->setRange(0.5, 1.0);
    settle(w);
    QCOMPARE(w.plot()->yAxis->range().lower, 0.5);
    QCOMPARE(w.plot()->yAxis->range().upper, 1.0);
    // New data: the automatic range again, legend cleared.
    w.setProfiles(growingNorms());
    settle(w);
    QVERIFY(w.plot()->yAxis->range().upper > 1.39);
    const QString bad = pointsClearOfLegend(w);
    QVERIFY2(bad.isEmpty(), qPrintable(bad));
}

void TestLayerProfilePlot::nanLayersAreNotDrawn()
{
    LayerProfilePlot w;
    QVERIFY(shown(w, {900, 500}));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    w.setProfiles({{QStringLiteral("partly measured"), {0.5, nan, 0.7, nan}, 1}});
    settle(w);
    // The marked layer is NaN: no marker graph; the line keeps its NaN gaps.
    QCOMPARE(w.plot()->graphCount(), 1);
    QCOMPARE(w.plot()->graph(0)->dataCount(), 4);
    const QCPRange r = w.plot()->yAxis->range();
    QVERIFY2(std::isfinite(r.lower) && std::isfinite(r.upper) && r.upper >= 0.7,
             qPrintable(QStringLiteral("%1 %2").arg(r.lower).arg(r.upper)));
}

QTEST_MAIN(TestLayerProfilePlot)
#include "test_layer_profile_plot.moc"
