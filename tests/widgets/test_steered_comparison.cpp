// SteeredComparisonView: the request a person composes, columns filled by
// tokens arriving from a worker thread, running state and cancel.

#include "widgets/steered_comparison_view.h"

#include <QDoubleSpinBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QtTest>

#include <thread>

using namespace sb;

class TestSteeredComparison : public QObject {
    Q_OBJECT
private slots:
    void composesRequestAndFillsColumns();
};

void TestSteeredComparison::composesRequestAndFillsColumns()
{
    SteeredComparisonView v;
    v.resize(1000, 600);
    v.show();
    QVERIFY(QTest::qWaitForWindowExposed(&v));
    QCOMPARE(v.columnCount(), 3);
    QCOMPARE(v.columnTitle(0), QStringLiteral("Target, unsteered"));

    auto* prompt = v.findChild<QPlainTextEdit*>(QStringLiteral("steeringPrompt"));
    prompt->setFocus();
    QTest::keyClicks(prompt, QStringLiteral("The dog"));
    auto* slider = v.findChild<QSlider*>(QStringLiteral("alphaSlider"));
    slider->setValue(-25);
    QCOMPARE(v.findChild<QDoubleSpinBox*>(QStringLiteral("alphaSpin"))->value(), -2.5);

    QSignalSpy requested(&v, &SteeredComparisonView::generateRequested);
    QTest::keyClick(prompt, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(requested.count(), 1);
    const auto r = requested.at(0).at(0).value<SteeringRequest>();
    QCOMPARE(r.prompt, QStringLiteral("The dog"));
    QCOMPARE(r.alpha, -2.5);

    v.setRunning(true);
    auto* generate = v.findChild<QPushButton*>(QStringLiteral("generateButton"));
    auto* cancel = v.findChild<QPushButton*>(QStringLiteral("cancelGeneration"));
    QVERIFY(!generate->isEnabled());
    QVERIFY(cancel->isEnabled());
    for (int c = 0; c < 3; ++c)
        v.startColumn(c, r.prompt);

    // Tokens arrive from a worker thread, queued to the GUI thread.
    const QStringList tokens = {QStringLiteral(" ran"), QStringLiteral(" to"), QStringLiteral(" the"), QStringLiteral(" park")};
    std::thread worker([&v, tokens] {
        for (const auto& t : tokens)
            for (int c = 0; c < 3; ++c)
                QMetaObject::invokeMethod(&v, [&v, c, t] { v.appendText(c, t); }, Qt::QueuedConnection);
    });
    worker.join();
    QTRY_COMPARE(v.columnText(2), QStringLiteral(" ran to the park"));
    QCOMPARE(v.columnText(0), QStringLiteral(" ran to the park"));
    QVERIFY(v.findChild<QPlainTextEdit*>(QStringLiteral("columnText1"))->toPlainText().startsWith(QStringLiteral("The dog ran")));
    // A job that reports the whole continuation so far.
    v.setColumnText(1, QStringLiteral(" ran to the park and"));
    QCOMPARE(v.columnText(1), QStringLiteral(" ran to the park and"));
    v.setColumnText(1, QStringLiteral(" jumped"));
    QCOMPARE(v.columnText(1), QStringLiteral(" jumped"));
    QVERIFY(v.findChild<QPlainTextEdit*>(QStringLiteral("columnText1"))->toPlainText().startsWith(QStringLiteral("The dog jumped")));
    v.setColumnScores(1, QStringLiteral("preference score +1.20"));
    QCOMPARE(v.columnScores(1), QStringLiteral("preference score +1.20"));

    QSignalSpy cancelled(&v, &SteeredComparisonView::cancelRequested);
    cancel->click();
    QCOMPARE(cancelled.count(), 1);
    v.setRunning(false);
    QVERIFY(generate->isEnabled());

    v.setAvailable(false, QStringLiteral("Extract a vector first."));
    QVERIFY(!generate->isEnabled());
    v.setColumns({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d")});
    QCOMPARE(v.columnCount(), 4);
    QCOMPARE(v.columnText(3), QString());
}

QTEST_MAIN(TestSteeredComparison)
#include "test_steered_comparison.moc"
