#include "session/job.h"

#include "engine/errors.h"

#include <QFuture>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>
#include <new>

namespace sb {

struct Job::Private {
    QFuture<void> future;
};

Job::Job(QObject* parent) : QObject(parent), d(new Private) {}

Job::~Job()
{
    // A job must not die under its running work.
    m_cancel = true;
    d->future.waitForFinished();
    delete d;
}

void Job::start()
{
    if (m_started.exchange(true))
        return;
    m_running = true;
    d->future = QtConcurrent::run([this] { runOnWorker(); });
}

void Job::cancel() { m_cancel = true; }

void Job::wait() { d->future.waitForFinished(); }

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
