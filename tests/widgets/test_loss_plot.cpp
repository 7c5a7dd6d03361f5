// LossPlot: samples from a real worker thread reach the curves, replots are
// coalesced, the event loop stays responsive, terms can be filtered and the
// plot exports as PNG / PDF / SVG.

#include "common/stall_probe.h"
#include "widgets/loss_plot.h"
#include "widgets/plot_view.h"

#include <QComboBox>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

using namespace sb;

class TestLossPlot : public QObject {
    Q_OBJECT
private slots:
    void workerThreadFeedsPlotWithoutStalling();
    void termFilterAndRuns();
    void exportsAllFormats_data();
    void exportsAllFormats();
    void survivesWorkerOutlivingPlot();
};

void TestLossPlot::workerThreadFeedsPlotWithoutStalling()
{
    LossPlot plot;
    plot.resize(800, 500);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    const int run = plot.addRun(QStringLiteral("linear"));
    auto buffer = plot.buffer();

    // A worker like the trainer: a loss per term each step, validation every 10.
    constexpr int kSteps = 1500;
    std::atomic_bool done{false};
    double lastTotal = 0.0;
    sbtest::StallProbe probe;
    probe.start();
    std::thread worker([&] {
        for (int step = 0; step < kSteps; ++step) {
            const double effect = 2.0 * std::exp(-step / 300.0);
            const double consistency = 0.1 + 0.01 * std::sin(step * 0.1);
            buffer->append({run, QStringLiteral("train"), QStringLiteral("effect"), double(step), effect});
            buffer->append({run, QStringLiteral("train"), QStringLiteral("consistency"), double(step), consistency});
            buffer->append({run, QStringLiteral("train"), QStringLiteral("total"), double(step), effect + 0.1 * consistency});
            if (step % 10 == 9)
                buffer->append({run, QStringLiteral("validation"), QStringLiteral("total"), double(step), 1.1 * effect});
            lastTotal = effect + 0.1 * consistency;
            std::this_thread::sleep_for(std::chrono::microseconds(500));
        }
        done = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(done.load(), 60000);
    worker.join();
    QTRY_COMPARE_WITH_TIMEOUT(plot.totalSamples(), kSteps * 3 + kSteps / 10, 10000);
    probe.stop();

    QCOMPARE(plot.sampleCount(run, QStringLiteral("train"), QStringLiteral("total")), kSteps);
    QCOMPARE(plot.sampleCount(run, QStringLiteral("train"), QStringLiteral("effect")), kSteps);
    QCOMPARE(plot.sampleCount(run, QStringLiteral("validation"), QStringLiteral("total")), kSteps / 10);
    QCOMPARE(plot.lastValue(run, QStringLiteral("train"), QStringLiteral("total")), lastTotal);
    // Coalescing: far fewer redraws than the 4650 samples (one per ~40 ms).
    QVERIFY2(plot.replotCount() < kSteps / 5, qPrintable(QString::number(plot.replotCount())));
    QVERIFY(plot.replotCount() >= 2);
    QCOMPARE(plot.terms(), (QStringList{QStringLiteral("effect"), QStringLiteral("consistency"), QStringLiteral("total")}));
    QVERIFY(probe.ticks() > 10);
    qInfo("%s", qPrintable(probe.summary()));
    QVERIFY2(probe.worstBusyMs() < sbtest::stallLimitMs(), qPrintable(probe.summary()));
}

void TestLossPlot::termFilterAndRuns()
{
    LossPlot plot;
    plot.resize(700, 400);
    const int a = plot.addRun(QStringLiteral("run A"));
    const int b = plot.addRun(QStringLiteral("run B"));
    std::vector<LossSample> s;
    for (int i = 0; i < 20; ++i) {
        s.push_back({a, QStringLiteral("train"), QStringLiteral("total"), double(i), 1.0 / (i + 1)});
        s.push_back({a, QStringLiteral("train"), QStringLiteral("effect"), double(i), 0.5 / (i + 1)});
        s.push_back({b, QStringLiteral("train"), QStringLiteral("total"), double(i), 2.0 / (i + 1)});
    }
    QSignalSpy drawn(&plot, &LossPlot::samplesDrawn);
    plot.addSamples(s);
    QCOMPARE(drawn.count(), 1);
    QCOMPARE(plot.runLabels(), (QStringList{QStringLiteral("run A"), QStringLiteral("run B")}));

    auto* box = plot.findChild<QComboBox*>(QStringLiteral("lossTermBox"));
    QVERIFY(box);
    // "All terms", then the terms in order of appearance.
    QCOMPARE(box->count(), 3);
    QCOMPARE(box->itemText(1), QStringLiteral("total"));
    QCOMPARE(box->itemText(2), QStringLiteral("effect"));

    // All terms: three curves visible, two runs in two colours.
    box->setCurrentIndex(0);
    PlotView* view = plot.plot();
    int visible = 0;
    for (int i = 0; i < view->graphCount(); ++i)
        visible += view->graph(i)->visible() ? 1 : 0;
    QCOMPARE(visible, 3);
    QCOMPARE(view->legend->itemCount(), 3);

    // Only "effect": one curve, run A's.
    box->setCurrentIndex(2);
    QCOMPARE(plot.shownTerm(), QStringLiteral("effect"));
    QStringList names;
    for (int i = 0; i < view->graphCount(); ++i)
        if (view->graph(i)->visible())
            names << view->graph(i)->name();
    QCOMPARE(names.size(), 1);
    QVERIFY2(names.first().contains(QStringLiteral("run A")), qPrintable(names.first()));
    QCOMPARE(view->legend->itemCount(), 1);

    // Different runs, different colours.
    QColor ca, cb;
    for (int i = 0; i < view->graphCount(); ++i) {
        if (view->graph(i)->name().startsWith(QStringLiteral("run A")))
            ca = view->graph(i)->pen().color();
        else
            cb = view->graph(i)->pen().color();
    }
    QVERIFY(ca.isValid() && cb.isValid());
    QVERIFY(ca != cb);

    plot.clear();
    QCOMPARE(plot.totalSamples(), 0);
    QCOMPARE(view->graphCount(), 0);
    QCOMPARE(box->count(), 1);
}

void TestLossPlot::exportsAllFormats_data()
{
    QTest::addColumn<QString>("suffix");
    QTest::newRow("png") << QStringLiteral("png");
    QTest::newRow("pdf") << QStringLiteral("pdf");
    QTest::newRow("svg") << QStringLiteral("svg");
}

void TestLossPlot::exportsAllFormats()
{
    QFETCH(QString, suffix);
    LossPlot plot;
    const int r = plot.addRun(QStringLiteral("r"));
    std::vector<LossSample> s;
    for (int i = 0; i < 50; ++i)
        s.push_back({r, QStringLiteral("train"), QStringLiteral("total"), double(i), std::exp(-i / 10.0)});
    plot.addSamples(s);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("loss.") + suffix);
    QCOMPARE(plot.exportTo(path), QString());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    QVERIFY(bytes.size() > 1000);
    if (suffix == QLatin1String("png")) {
        QImage img;
        QVERIFY(img.loadFromData(bytes, "PNG"));
        // 900 x 560 logical pixels at 2x.
        QCOMPARE(img.size(), QSize(1800, 1120));
        // Not blank: the curve and axes put dark pixels on the white page.
        int dark = 0;
        for (int y = 0; y < img.height(); y += 4)
            for (int x = 0; x < img.width(); x += 4)
                dark += qGray(img.pixel(x, y)) < 128 ? 1 : 0;
        QVERIFY(dark > 50);
    } else if (suffix == QLatin1String("pdf")) {
        QVERIFY(bytes.startsWith("%PDF-"));
        // One page of exactly 900 x 560 points.
        QVERIFY(QRegularExpression(QStringLiteral("/MediaBox \\[0 0 900(\\.0+)? 560(\\.0+)?\\]"))
                    .match(QString::fromLatin1(bytes))
                    .hasMatch());
    } else {
        QXmlStreamReader xml(bytes);
        bool svg = false;
        while (!xml.atEnd())
            if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("svg"))
                svg = true;
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(svg);
    }
    // A bad suffix and an unwritable place give messages naming the file.
    const QString bad = plot.exportTo(dir.filePath(QStringLiteral("loss.bmp")));
    QVERIFY(bad.contains(QStringLiteral("loss.bmp")));
    const QString missing = dir.filePath(QStringLiteral("no/such/folder/loss.") + suffix);
    const QString err = plot.exportTo(missing);
    QVERIFY2(err.contains(missing), qPrintable(err));
}

void TestLossPlot::survivesWorkerOutlivingPlot()
{
    std::shared_ptr<LossBuffer> buffer;
    {
        LossPlot plot;
        buffer = plot.buffer();
        buffer->append({0, QStringLiteral("train"), QStringLiteral("total"), 0.0, 1.0});
    }
    // The plot is gone; appending must neither crash nor post to it.
    buffer->append({0, QStringLiteral("train"), QStringLiteral("total"), 1.0, 0.5});
    QCoreApplication::processEvents();
    QCOMPARE(buffer->pending(), std::size_t(2));
}

QTEST_MAIN(TestLossPlot)
#include "test_loss_plot.moc"
