// SimilarityHeatmap: the matrix and its path are drawn, clicking a cell
// selects that pair of layers, hovering reads the value, matrices switch.

#include "widgets/plot_view.h"
#include "widgets/similarity_heatmap.h"

#include <QComboBox>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace sb;

namespace {
SimilarityMatrix makeMatrix(const QString& name, int rows, int cols, double offset)
{
    SimilarityMatrix m;
    m.name = name;
    m.rows = rows;
    m.cols = cols;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            m.values << offset + 1.0 / (1.0 + std::abs(double(r) / rows - double(c) / cols) * 4.0);
    for (int r = 0; r < rows; ++r)
        m.path << QPoint(r, std::min(cols - 1, r * cols / rows));
    m.pathName = QStringLiteral("monotone mapping");
    return m;
}
} // namespace

class TestSimilarityHeatmap : public QObject {
    Q_OBJECT
private slots:
    void clickSelectsPairAndHoverReadsValue();
    void switchesMatrices();
};

void TestSimilarityHeatmap::clickSelectsPairAndHoverReadsValue()
{
    SimilarityHeatmap h;
    h.resize(800, 600);
    h.show();
    QVERIFY(QTest::qWaitForWindowExposed(&h));
    h.setModelNames(QStringLiteral("stories260k"), QStringLiteral("stories-gpt2"));
    const SimilarityMatrix m = makeMatrix(QStringLiteral("CKA"), 5, 6, 0.0);
    h.setMatrices({m});
    h.plot()->replot();
    QCOMPARE(h.plot()->xAxis->label(), QStringLiteral("Target layer (stories-gpt2)"));

    QSignalSpy spy(&h, &SimilarityHeatmap::cellSelected);
    QTest::mouseClick(h.plot(), Qt::LeftButton, {}, h.cellPosition(3, 4));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toInt(), 3);
    QCOMPARE(spy.at(0).at(1).toInt(), 4);
    QCOMPARE(h.selectedCell(), QPoint(4, 3));

    QTest::mouseMove(h.plot(), h.cellPosition(1, 1));
    const QString expected = QString::number(m.at(1, 1), 'f', 3);
    QTRY_VERIFY2(h.informationText().contains(expected), qPrintable(h.informationText()));
    QVERIFY(h.informationText().contains(QStringLiteral("Source layer 1 × target layer 1")));
    // (1, 1) is on the path r -> r * 6 / 5.
    QVERIFY(h.informationText().contains(QStringLiteral("on the mapping path")));
    // A click outside the cells selects nothing.
    QTest::mouseClick(h.plot(), Qt::LeftButton, {}, QPoint(2, 2));
    QCOMPARE(spy.count(), 1);
}

void TestSimilarityHeatmap::switchesMatrices()
{
    SimilarityHeatmap h;
    h.resize(700, 500);
    h.setMatrices({makeMatrix(QStringLiteral("CKA"), 4, 4, 0.0), makeMatrix(QStringLiteral("mutual kNN"), 4, 4, 0.5)});
    auto* box = h.findChild<QComboBox*>(QStringLiteral("matrixBox"));
    QCOMPARE(box->count(), 2);
    QCOMPARE(h.shownMatrix(), QStringLiteral("CKA"));
    box->setCurrentIndex(1);
    QCOMPARE(h.current()->name, QStringLiteral("mutual kNN"));
    QVERIFY(h.plot()->title().startsWith(QStringLiteral("mutual kNN")));
    // Replacing the matrices keeps the shown one by name.
    h.setMatrices({makeMatrix(QStringLiteral("CKA"), 4, 4, 0.0), makeMatrix(QStringLiteral("mutual kNN"), 4, 4, 0.2)});
    QCOMPARE(h.shownMatrix(), QStringLiteral("mutual kNN"));
    QTemporaryDir dir;
    QCOMPARE(h.exportTo(dir.filePath(QStringLiteral("s.pdf"))), QString());
    h.clear();
    QVERIFY(!h.current());
    QCOMPARE(h.informationText(), QStringLiteral("No similarity measured yet."));
}

QTEST_MAIN(TestSimilarityHeatmap)
#include "test_similarity_heatmap.moc"
