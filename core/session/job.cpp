#include "session/job.h"

#include "engine/errors.h"
#include "session/tsan_qt_sync.h"

#include <exception>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>

namespace sb {

// One thread per job (std::thread, not Qt's pool): jobs are few and long, none
// waits behind another in a pool sized to the cores, and start/join are
// synchronisation ThreadSanitizer sees (the pool's hand-off happens inside the
// prebuilt Qt library, where it cannot).
struct Job::Private {
    std::thread thread;
    std::mutex joinMutex; ///< wait() may be called from the destructor and by owners
};

Job::Job(QObject* parent) : QObject(parent), d(new Private) {}

Job::~Job()
{
    // A job must not die under its running work.
    m_cancel = true;
    wait();
    if (d->thread.joinable()) // destroyed by its own work: nothing left to wait for
        d->thread.detach();
    delete d;
}

void Job::start()
{
    if (m_started.exchange(true))
        return;
    installTsanQtSync(); // ThreadSanitizer builds only
    m_running = true;
    try {
        d->thread = std::thread([this] { runOnWorker(); });
    } catch (const std::system_error& e) {
        // No thread (resource limits): the job ends here, on the caller's thread.
        m_running = false;
        Q_EMIT failed(tr("Could not start a worker thread: %1").arg(QString::fromLocal8Bit(e.what())));
        Q_EMIT done();
    }
}

void Job::cancel() { m_cancel = true; }

void Job::wait()
{
    std::lock_guard<std::mutex> lock(d->joinMutex);
    if (d->thread.joinable() && d->thread.get_id() != std::this_thread::get_id())
        d->thread.join();
}

bool Job::keepGoing(double fraction, const QString& what)
{
    if (fraction >= 0.0)
        Q_EMIT progress(fraction, what);
    return !m_cancel.load();
}

void Job::runOnWorker()
{
    try {
        execute();
        if (m_cancel.load())
            Q_EMIT cancelled();
    } catch (const Cancelled&) {
        Q_EMIT cancelled();
    } catch (...) {
        Q_EMIT failed(describeException(std::current_exception()));
    }
    m_running = false;
    Q_EMIT done();
}

QString describeException(std::exception_ptr e)
{
    try {
        std::rethrow_exception(e);
    } catch (const Cancelled&) {
        return QObject::tr("Cancelled.");
    } catch (const std::bad_alloc&) {
        return QObject::tr("Out of memory.");
    } catch (const std::exception& ex) {
        return QString::fromUtf8(ex.what());
    } catch (...) {
        return QObject::tr("Unknown error.");
    }
}

} // namespace sb
