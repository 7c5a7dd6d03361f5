#pragma once
// ThreadSanitizer builds only (tsan preset): tells TSan about the
// synchronisation of Qt's queued signals, which happens inside the prebuilt,
// uninstrumented Qt library where TSan cannot see it.
//
// A queued signal's arguments are written by the emitting thread and read by
// the receiver's thread after Qt has passed the event through its posted-event
// queue (a mutex inside libQt6Core). Without this, TSan reports every result,
// progress text and string handed from a job to the GUI as a data race.
// With it: a worker thread's signal emission (from the copy of its arguments
// to the posting of its event) holds a lock that every event delivery takes
// briefly - what Qt's queue guarantees (an event is delivered after it was
// posted), slightly coarser (any delivery after an emission is ordered after
// it). Qt's own accesses inside its libraries are left out by
// tests/sanitizers/tsan.supp (called_from_lib).
//
// Nothing here is compiled into normal builds.

namespace sb {

/// Registers the two Qt hooks once (idempotent, thread-safe).
void installTsanQtSync();

/// Held by a worker around a post to the GUI thread that is not a signal
/// emission (QMetaObject::invokeMethod with a functor): TSan then orders it
/// like an emission. Nothing in other builds.
class TsanPostScope {
public:
    TsanPostScope();
    ~TsanPostScope();
    TsanPostScope(const TsanPostScope&) = delete;
    TsanPostScope& operator=(const TsanPostScope&) = delete;
};

} // namespace sb
