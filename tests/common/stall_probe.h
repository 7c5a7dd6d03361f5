#pragma once
// Measures how long the GUI thread's event loop goes without running a
// 5 ms probe timer, while a test drives a widget from a worker thread.
//
// Two figures: the worst wall-clock gap between ticks (what a person would
// feel, but it also counts time the OS gave the CPU to other processes) and
// the worst GUI-thread CPU time spent between two ticks (work our code did
// on the event loop, independent of machine load). Tests assert on the
// latter and print both.

#include <QElapsedTimer>
#include <QtGlobal>
#include <QString>
#include <QTimer>

#include <algorithm>
#include <ctime>

namespace sbtest {

/// The bound GUI tests assert on the worst GUI-thread work between probe
/// ticks: 50 ms. Sanitized Debug builds (ctest sets SB_TEST_SANITIZED there)
/// run our GUI-thread code several times slower, so they get 4x that: the
/// check still catches work done on the event loop instead of in a worker.
inline double stallLimitMs()
{
    return qEnvironmentVariableIsSet("SB_TEST_SANITIZED") ? 200.0 : 50.0;
}

class StallProbe {
public:
    explicit StallProbe(int intervalMs = 5)
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(intervalMs);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { tick(); });
    }

    void start()
    {
        m_ticks = 0;
        m_worstWall = m_worstBusy = 0.0;
        m_wall.start();
        m_lastWall = 0;
        m_lastCpu = threadCpuMs();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }

    int ticks() const { return m_ticks; }
    /// Longest wall-clock time between two ticks beyond the interval, in ms.
    double worstWallStallMs() const { return m_worstWall; }
    /// Longest GUI-thread CPU time spent between two ticks, in ms.
    double worstBusyMs() const { return m_worstBusy; }
    QString summary() const
    {
        return QStringLiteral("worst event-loop stall: %1 ms of GUI-thread work between probe ticks "
                              "(wall-clock gap %2 ms, %3 ticks)")
            .arg(m_worstBusy, 0, 'f', 1)
            .arg(m_worstWall, 0, 'f', 1)
            .arg(m_ticks);
    }

private:
    static double threadCpuMs()
    {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
    }
    void tick()
    {
        const qint64 now = m_wall.nsecsElapsed();
        const double cpu = threadCpuMs();
        if (m_ticks > 0) {
            m_worstWall = std::max(m_worstWall, static_cast<double>(now - m_lastWall) / 1e6 - m_timer.interval());
            m_worstBusy = std::max(m_worstBusy, cpu - m_lastCpu);
        }
        m_lastWall = now;
        m_lastCpu = cpu;
        ++m_ticks;
    }

    QTimer m_timer;
    QElapsedTimer m_wall;
    qint64 m_lastWall = 0;
    double m_lastCpu = 0.0;
    int m_ticks = 0;
    double m_worstWall = 0.0;
    double m_worstBusy = 0.0;
};

} // namespace sbtest
