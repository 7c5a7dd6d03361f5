// JobStatus: a real job on a worker thread reports progress in the status
// line, Cancel stops it, and the widget hides when nothing runs.

#include "session/job.h"
#include "widgets/job_status.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

#include <atomic>
#include <thread>

using namespace sb;

namespace {
/// Reports 10 % steps, then waits for cancel (or a step budget).
class SteppingJob : public Job {
public:
    std::atomic_int steps{0};
    std::atomic_bool release{false};

protected:
    void execute() override
    {
        for (int i = 0; i <= 10 && keepGoing(i / 10.0, QStringLiteral("step %1").arg(i)); ++i) {
            ++steps;
            while (i == 5 && !release.load() && keepGoing())
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
};
} // namespace

class TestJobStatus : public QObject {
    Q_OBJECT
private slots:
    void showsProgressAndCancels();
};

void TestJobStatus::showsProgressAndCancels()
{
    JobStatus status;
    status.show();
    SteppingJob job;
    QSignalSpy ended(&status, &JobStatus::jobEnded);
    QSignalSpy idle(&status, &JobStatus::idle);
    status.track(&job, QStringLiteral("Measuring"));
    QVERIFY(status.isVisible());
    job.start();
    // Held at step 5: the status line reads the description, step and percent.
    QTRY_COMPARE(status.text(), QStringLiteral("Measuring: step 5 (50 %)"));
    QTest::mouseClick(status.cancelButton(), Qt::LeftButton);
    QTRY_COMPARE(idle.count(), 1);
    QCOMPARE(ended.count(), 1);
    QCOMPARE(ended.at(0).at(1).toString(), QStringLiteral("cancelled"));
    QVERIFY(!status.isVisible());
    QVERIFY(job.steps.load() <= 6);
}

QTEST_MAIN(TestJobStatus)
#include "test_job_status.moc"
