#pragma once
// Screenshots for the user guide: the GUI tests write the main window, at one
// size, to <build>/screenshots/main-<name>.png after real runs (docs/images
// keeps copies; docs/user-guide.md says which test writes which).

#include <QDir>
#include <QString>
#include <QWidget>
#include <QtTest>

namespace sbtest {

/// Returns the file written, or an empty string (with a warning) when it could not be.
inline QString writeScreenshot(QWidget& window, const char* name)
{
    window.resize(1400, 900);
    QTest::qWait(100); // the resize's layout and queued replots
    const QString dir = QStringLiteral(SB_BUILD_DIR) + QStringLiteral("/screenshots");
    QDir().mkpath(dir);
    const QString path = dir + QStringLiteral("/main-") + QString::fromLatin1(name) + QStringLiteral(".png");
    if (!window.grab().save(path)) {
        qWarning("cannot write %s", qPrintable(path));
        return {};
    }
    qInfo("screenshot: %s", qPrintable(path));
    return path;
}

} // namespace sbtest
