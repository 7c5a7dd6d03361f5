#pragma once
// Waiting for a session job in a test, the way the application does.
//
// QSignalSpy connects *directly*: a spy on a job's signal is appended to from
// the worker thread while the test thread reads it (a data race that crashed
// test_vector_jobs), and it sees done() before the job's queued results
// (finished(), read by a receiver on this thread) have been delivered here.
// DoneWaiter is a receiver on the test thread with a queued connection, like
// every real receiver: queued signals from one thread arrive in the order they
// were emitted, so when it has seen done(), everything the job emitted before
// has been delivered on this thread too. Spies on the job's other signals may
// be read once wait() returned true (the worker emits nothing after done()).

#include "session/job.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QObject>
#include <QTest>

namespace sbtest {

class DoneWaiter : public QObject {
public:
    explicit DoneWaiter(sb::Job* job)
    {
        QObject::connect(job, &sb::Job::done, this, [this] { m_done = true; }, Qt::QueuedConnection);
    }
    /// Processes this thread's events until done() arrived (true) or the time ran out (false).
    bool wait(int timeoutMs)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!m_done && !deadline.hasExpired())
            QTest::qWait(5);
        return m_done;
    }
    bool isDone() const { return m_done; }

private:
    bool m_done = false;
};

} // namespace sbtest
