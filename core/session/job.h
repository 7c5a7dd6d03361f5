#pragma once
// Base of every heavy job: runs work on a worker thread of its own
// (std::thread, joined by wait() and the destructor), reports progress, can
// be cancelled, and never lets an exception escape (engine errors become
// failed(message)). Owners delete a job only after done() or wait(): the
// destructor waits too, but only after the derived job's members are gone.
//
// Signals are delivered to the receiver's thread (queued), so widgets may
// connect directly. A job deletes nothing by itself; owners usually connect
// finished/failed/cancelled to deleteLater.

#include <QObject>
#include <QString>

#include <atomic>
#include <functional>

namespace sb {

class Job : public QObject {
    Q_OBJECT
public:
    explicit Job(QObject* parent = nullptr);
    ~Job() override;

    /// Starts the work on the job's thread. Calling start() twice is a no-op.
    void start();
    /// Asks the work to stop at its next progress poll; emits cancelled().
    void cancel();
    bool isRunning() const { return m_running.load(); }
    bool isCancelRequested() const { return m_cancel.load(); }
    /// Blocks until the work has returned (tests, shutdown).
    void wait();

Q_SIGNALS:
    void progress(double fraction, const QString& what);
    void failed(const QString& message);
    void cancelled();
    void done(); ///< after finished-with-result, failed or cancelled

protected:
    /// The work, on the worker thread. Throw sb::Cancelled when keepGoing() is
    /// false; any exception becomes failed(). Emit the typed result signal
    /// from here (queued to the receivers).
    virtual void execute() = 0;
    /// Reports progress and returns false once cancel() was called.
    bool keepGoing(double fraction = -1.0, const QString& what = {});

private:
    void runOnWorker();
    std::atomic_bool m_cancel{false};
    std::atomic_bool m_running{false};
    std::atomic_bool m_started{false};
    struct Private;
    Private* d;
};

/// Turns an engine exception into a user-facing message (one line, names the file).
QString describeException(std::exception_ptr e);

} // namespace sb
