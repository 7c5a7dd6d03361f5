// ArchitectureTable and CompatibilityPanel: what a person reads in the
// cells, the highlighting of differences, tooltips, filtering, copying.

#include "widgets/architecture_table.h"
#include "widgets/compatibility_panel.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QLabel>
#include <QTableWidget>
#include <QtTest>

using namespace sb;

class TestReportViews : public QObject {
    Q_OBJECT
private slots:
    void tableShowsBothReportsAndHighlightsDifferences();
    void compatibilityBarsReasonsAndStrategy();
};

void TestReportViews::tableShowsBothReportsAndHighlightsDifferences()
{
    ArchitectureTable t;
    t.resize(800, 500);
    t.show();
    QApplication::setActiveWindow(&t);
    QVERIFY(QTest::qWaitForWindowActive(&t));
    t.setModelNames(QStringLiteral("stories260k"), QStringLiteral("stories-gpt2"));
    QVector<ComparisonRow> rows = {
        {QStringLiteral("hidden_size"), QStringLiteral("Shape"), QStringLiteral("Hidden size"), QStringLiteral("dimensions"),
         QStringLiteral("64"), QStringLiteral("128"), QStringLiteral("Width of the residual stream."), true},
        {QStringLiteral("num_layers"), QStringLiteral("Shape"), QStringLiteral("Layers"), QString(), QStringLiteral("5"),
         QStringLiteral("6"), QStringLiteral("Depth."), true},
        {QStringLiteral("vocab"), QStringLiteral("Vocabulary"), QStringLiteral("Vocabulary size"), QStringLiteral("tokens"),
         QStringLiteral("512"), QStringLiteral("512"), QStringLiteral("Tokens."), false},
    };
    t.setRows(rows);
    QTableWidget* w = t.table();
    QCOMPARE(w->horizontalHeaderItem(ArchitectureTable::SourceColumn)->text(), QStringLiteral("Source: stories260k"));
    QCOMPARE(w->horizontalHeaderItem(ArchitectureTable::TargetColumn)->text(), QStringLiteral("Target: stories-gpt2"));
    // Two groups + three rows.
    QCOMPARE(w->rowCount(), 5);
    const int hr = t.tableRowOf(QStringLiteral("hidden_size"));
    QVERIFY(hr >= 0);
    QCOMPARE(w->item(hr, ArchitectureTable::SourceColumn)->text(), QStringLiteral("64"));
    QCOMPARE(w->item(hr, ArchitectureTable::TargetColumn)->text(), QStringLiteral("128"));
    QCOMPARE(w->item(hr, ArchitectureTable::UnitColumn)->text(), QStringLiteral("dimensions"));
    QVERIFY(w->item(hr, ArchitectureTable::SourceColumn)->font().bold());
    QVERIFY(w->item(hr, 0)->toolTip().contains(QStringLiteral("Width of the residual stream.")));
    QVERIFY(w->item(hr, 0)->toolTip().contains(QStringLiteral("differ")));
    const int vr = t.tableRowOf(QStringLiteral("vocab"));
    QVERIFY(w->item(hr, 1)->background() != w->item(vr, 1)->background());
    QCOMPARE(t.differenceCount(), 2);
    QVERIFY(t.findChild<QLabel*>(QStringLiteral("architectureSummary"))->text().startsWith(QStringLiteral("2 of 3")));

    t.findChild<QCheckBox*>(QStringLiteral("differencesOnly"))->click();
    QCOMPARE(t.tableRowOf(QStringLiteral("vocab")), -1);
    QVERIFY(t.tableRowOf(QStringLiteral("num_layers")) >= 0);
    const QString tsv = t.toTsv();
    QVERIFY(tsv.contains(QStringLiteral("Hidden size  ≠\t64\t128\tdimensions")));
    QVERIFY(!tsv.contains(QStringLiteral("Vocabulary size")));
    QVERIFY(t.toHtml().contains(QStringLiteral("<td>512</td>")));
    // Ctrl+C on the table copies it.
    w->setFocus();
    QTest::keyClick(w, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QApplication::clipboard()->text(), tsv);
}

void TestReportViews::compatibilityBarsReasonsAndStrategy()
{
    CompatibilityPanel p;
    p.resize(700, 400);
    p.show();
    QVERIFY(!p.overallBar()->isVisible());
    CompatibilitySummary s;
    s.items = {{QStringLiteral("Hidden dimension"), 0.5, QStringLiteral("64 vs 128")},
               {QStringLiteral("Normalisation"), 0.9, QStringLiteral("RMSNorm vs LayerNorm")}};
    s.overall = 0.62;
    s.strategy = QStringLiteral("Adapted injection");
    s.strategyExplanation = QStringLiteral("The widths differ, so the vector needs a learned map.");
    p.setScores(s);
    QVERIFY(p.overallBar()->isVisible());
    QCOMPARE(p.overallBar()->text(), QStringLiteral("0.62"));
    QVERIFY(p.strategyText().contains(QStringLiteral("<b>Adapted injection</b>")));
    QVERIFY(p.strategyText().contains(QStringLiteral("learned map")));
    QVERIFY(p.barFor(QStringLiteral("Hidden dimension")));
    QCOMPARE(p.barFor(QStringLiteral("Hidden dimension"))->text(), QStringLiteral("0.50"));
    QCOMPARE(p.barFor(QStringLiteral("Normalisation"))->score(), 0.9);
    QCOMPARE(p.reasonFor(QStringLiteral("Normalisation")), QStringLiteral("RMSNorm vs LayerNorm"));
    // Scores outside [0, 1] are clamped, not drawn past the bar.
    ScoreBar bar;
    bar.setScore(1.7);
    QCOMPARE(bar.score(), 1.0);
    p.clear();
    QVERIFY(!p.barFor(QStringLiteral("Hidden dimension")));
}

QTEST_MAIN(TestReportViews)
#include "test_report_views.moc"
