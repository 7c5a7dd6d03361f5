#include "session/tsan_qt_sync.h"

#if defined(__SANITIZE_THREAD__)

#include <QObject>
#include <QtGlobal>

#include <sanitizer/tsan_interface.h>

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
char g_postedEvents; // the address TSan synchronises on

void onSignalBegin(QObject*, int, void**) { __tsan_release(&g_postedEvents); }
void onSignalEnd(QObject*, int) { __tsan_release(&g_postedEvents); }

bool onEvent(void**)
{
    __tsan_acquire(&g_postedEvents);
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

} // namespace sb

#else

namespace sb {
void installTsanQtSync() {}
} // namespace sb

#endif
