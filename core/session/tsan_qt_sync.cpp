#include "session/tsan_qt_sync.h"

#if defined(__SANITIZE_THREAD__)

#include <QCoreApplication>
#include <QObject>
#include <QThread>
#include <QtGlobal>

#include <mutex>

// Qt's signal-spy hook (qobject_p.h, exported by QtCore; QTest's signal dumper
// uses it): called by QMetaObject::activate in the emitting thread when the
// emission begins and when it ends (after a queued signal's arguments were
// copied and its event posted).
struct QSignalSpyCallbackSet {
    using BeginCallback = void (*)(QObject* caller, int signalOrMethodIndex, void** argv);
    using EndCallback = void (*)(QObject* caller, int signalOrMethodIndex);
    BeginCallback signal_begin_callback, slot_begin_callback;
    EndCallback signal_end_callback, slot_end_callback;
};
Q_DECL_IMPORT void qt_register_signal_spy_callbacks(QSignalSpyCallbackSet* callbackSet);

namespace sb {

namespace {
// A worker thread's emission (its queued arguments copied, its event posted)
// holds this lock from begin to end; an event delivery takes it briefly. So a
// delivery that could see the event waits until the emission is complete, and
// TSan sees the lock's release -> acquire (a plain release at the start of the
// emission would leave the argument copies after it). The GUI thread's own
// emissions never take it: a slot there may wait for a worker.
std::recursive_mutex g_emission;
thread_local int t_depth = 0; // this thread's emissions holding the lock

bool onGuiThread()
{
    const QCoreApplication* app = QCoreApplication::instance();
    return !app || QThread::currentThread() == app->thread();
}

void onSignalBegin(QObject*, int, void**)
{
    if (onGuiThread())
        return;
    g_emission.lock();
    ++t_depth;
}

void onSignalEnd(QObject*, int)
{
    if (t_depth == 0) // not ours (the GUI thread, or hooks installed mid-emission)
        return;
    --t_depth;
    g_emission.unlock();
}

bool onEvent(void**)
{
    std::lock_guard<std::recursive_mutex> lock(g_emission);
    return false; // deliver the event as usual
}
} // namespace

void installTsanQtSync()
{
    static std::once_flag once;
    std::call_once(once, [] {
        static QSignalSpyCallbackSet hooks{onSignalBegin, nullptr, onSignalEnd, nullptr};
        qt_register_signal_spy_callbacks(&hooks);
        QInternal::registerCallback(QInternal::EventNotifyCallback, onEvent);
    });
}

TsanPostScope::TsanPostScope()
{
    installTsanQtSync();
    onSignalBegin(nullptr, 0, nullptr);
}

TsanPostScope::~TsanPostScope() { onSignalEnd(nullptr, 0); }

} // namespace sb

#else

namespace sb {
void installTsanQtSync() {}
TsanPostScope::TsanPostScope() = default;
TsanPostScope::~TsanPostScope() = default;
} // namespace sb

#endif
