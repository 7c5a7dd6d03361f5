// PairTableEditor: add, edit, delete through the real buttons and keys, undo
// and redo, import problems shown inline, and the train / held-out split.

#include "widgets/pair_table_editor.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QToolButton>
#include <QUndoStack>
#include <QtTest>

using namespace sb;

class TestPairTableEditor : public QObject {
    Q_OBJECT
private slots:
    void addEditDeleteUndo();
    void importShowsProblemsInline();
    void splitAssignsEveryPair();
};

void TestPairTableEditor::addEditDeleteUndo()
{
    PairTableEditor e;
    e.resize(900, 500);
    e.show();
    QApplication::setActiveWindow(&e);
    QVERIFY(QTest::qWaitForWindowActive(&e));
    e.setDataset(QStringLiteral("mine"), {{QStringLiteral("I feel"), QStringLiteral(" happy"), QStringLiteral(" sad"), 1}});
    QSignalSpy changed(&e, &PairTableEditor::changed);

    // Add through the button; the new row is empty and flagged.
    e.findChild<QToolButton*>(QStringLiteral("addPair"))->click();
    QCOMPARE(e.pairs().size(), 2);
    QCOMPARE(e.issues().size(), 1);
    QVERIFY(changed.count() >= 1);

    // Type into the new row's prompt cell like a person: select, type, Enter.
    QTableView* v = e.view();
    const QModelIndex cell = e.model()->index(1, PairTableModel::PromptColumn);
    v->setCurrentIndex(cell);
    v->setFocus();
    QTest::keyClick(v, Qt::Key_F2);
    auto* editor = qobject_cast<QLineEdit*>(QApplication::focusWidget());
    QVERIFY2(editor, "F2 opens an editor on the cell");
    editor->selectAll();
    QTest::keyClicks(editor, QStringLiteral("The weather is"));
    QTest::keyClick(editor, Qt::Key_Return);
    // The delegate commits on the next turn of the event loop.
    QTRY_COMPARE(e.pairs().at(1).prompt, QStringLiteral("The weather is"));
    e.editCell(1, PairTableModel::PositiveColumn, QStringLiteral(" sunny"));
    e.editCell(1, PairTableModel::NegativeColumn, QStringLiteral(" sunny"));
    // Identical continuations carry no contrast: flagged with the reason.
    QCOMPARE(e.issues().size(), 1);
    QVERIFY(e.model()->data(e.model()->index(1, 1), Qt::ToolTipRole).toString().contains(QStringLiteral("identical")));
    e.editCell(1, PairTableModel::NegativeColumn, QStringLiteral(" rainy"));
    QCOMPARE(e.issues().size(), 0);

    // Undo the last edit, then redo it.
    QUndoStack* s = e.undoStack();
    s->undo();
    QCOMPARE(e.pairs().at(1).negative, QStringLiteral(" sunny"));
    s->redo();
    QCOMPARE(e.pairs().at(1).negative, QStringLiteral(" rainy"));

    // Delete the first row with the Delete key, then undo: it comes back in place.
    v->selectRow(0);
    v->setFocus();
    QTest::keyClick(v, Qt::Key_Delete);
    QCOMPARE(e.pairs().size(), 1);
    QCOMPARE(e.pairs().at(0).prompt, QStringLiteral("The weather is"));
    e.findChild<QToolButton*>(QStringLiteral("undo"))->click();
    QCOMPARE(e.pairs().size(), 2);
    QCOMPARE(e.pairs().at(0).prompt, QStringLiteral("I feel"));
    QCOMPARE(e.pairs().at(1).prompt, QStringLiteral("The weather is"));
    // Undo everything back to the loaded dataset: the stack is clean again.
    while (s->canUndo())
        s->undo();
    QCOMPARE(e.pairs().size(), 1);
    QVERIFY(s->isClean());
}

void TestPairTableEditor::importShowsProblemsInline()
{
    PairTableEditor e;
    QString asked;
    e.setImporter([&asked](const QString& path) {
        asked = path;
        PairImport r;
        r.file = path;
        if (path.endsWith(QLatin1String("broken.jsonl"))) {
            r.error = QStringLiteral("%1: not a pair dataset (line 1: invalid JSON)").arg(path);
            return r;
        }
        r.pairs = {{QStringLiteral("a"), QStringLiteral(" b"), QStringLiteral(" c"), 1},
                   {QStringLiteral("d"), QStringLiteral(" e"), QStringLiteral(" f"), 3}};
        r.problems = {{2, QStringLiteral("missing field \"negative\"")}, {4, QStringLiteral("invalid JSON")}};
        return r;
    });
    QCOMPARE(e.importFile(QStringLiteral("/data/pairs.jsonl"), true), QString());
    QCOMPARE(asked, QStringLiteral("/data/pairs.jsonl"));
    QCOMPARE(e.pairs().size(), 2);
    QCOMPARE(e.problems().size(), 2);
    PairTableModel* m = e.model();
    // In file order: pair (1), problem (2), pair (3), problem (4).
    QCOMPARE(m->rowCount(), 4);
    QVERIFY(m->entries()[1].isProblem);
    QCOMPARE(m->data(m->index(1, PairTableModel::LineColumn), Qt::DisplayRole).toInt(), 2);
    QCOMPARE(m->data(m->index(1, PairTableModel::PromptColumn), Qt::DisplayRole).toString(),
             QStringLiteral("Not imported: missing field \"negative\""));
    QVERIFY(m->data(m->index(1, 0), Qt::BackgroundRole).value<QColor>().red() > 200);
    QCOMPARE(e.view()->columnSpan(1, PairTableModel::PromptColumn), 3);
    QVERIFY(!(m->flags(m->index(1, PairTableModel::PromptColumn)) & Qt::ItemIsEditable));
    QVERIFY(e.statusText().contains(QStringLiteral("2 line(s) could not be imported")));
    QCOMPARE(e.datasetName(), QStringLiteral("pairs"));
    // The whole import is one undo step.
    e.undoStack()->undo();
    QCOMPARE(m->rowCount(), 0);
    e.undoStack()->redo();
    QCOMPARE(m->rowCount(), 4);
    // A file that cannot be read changes nothing and says why.
    const QString err = e.importFile(QStringLiteral("/data/broken.jsonl"), true);
    QVERIFY(err.contains(QStringLiteral("/data/broken.jsonl")));
    QCOMPARE(m->rowCount(), 4);
}

void TestPairTableEditor::splitAssignsEveryPair()
{
    PairTableEditor e;
    QVector<PairRecord> ps;
    for (int i = 0; i < 6; ++i)
        ps.push_back({QStringLiteral("p%1").arg(i), QStringLiteral(" x"), QStringLiteral(" y"), i + 1});
    e.setDataset(QStringLiteral("six"), ps, {{4, QStringLiteral("bad")}});
    QVERIFY(!e.split(0.5, 1)); // no splitter yet
    int calls = 0;
    e.setSplitter([&calls](int n, double fraction, quint64 seed) {
        ++calls;
        // Held out: the last round(n * fraction) indices, rotated by the seed.
        QVector<int> held;
        const int k = int(std::lround(n * fraction));
        for (int i = 0; i < k; ++i)
            held << int((n - 1 - i + seed) % n);
        return held;
    });
    QVERIFY(!e.splitIsCurrent());
    QVERIFY(e.split(0.5, 0));
    QCOMPARE(calls, 1);
    QCOMPARE(e.heldOutIndices(), (QVector<int>{3, 4, 5}));
    QCOMPARE(e.trainIndices(), (QVector<int>{0, 1, 2}));
    QVERIFY(e.splitIsCurrent());
    QVERIFY(e.statusText().contains(QStringLiteral("split: 3 train, 3 held out")));
    // Adding a pair makes the split stale until split again.
    e.addPair({QStringLiteral("new"), QStringLiteral(" a"), QStringLiteral(" b"), 0});
    QVERIFY(!e.splitIsCurrent());
    QVERIFY(e.statusText().contains(QStringLiteral("not split yet")));
    e.undoStack()->undo(); // the add
    QVERIFY(e.splitIsCurrent());
    e.undoStack()->undo(); // the split
    QVERIFY(!e.splitIsCurrent());
    QVERIFY(e.heldOutIndices().isEmpty());
}

QTEST_MAIN(TestPairTableEditor)
#include "test_pair_table_editor.moc"
