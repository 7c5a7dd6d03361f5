// SteerBridge desktop application.

#include "main_window.h"
#include "preferences.h"

#include "engine/system_info.h"

#include <QApplication>
#include <QMessageBox>
#include <QTimer>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("SteerBridge"));
    QApplication::setApplicationName(QStringLiteral("SteerBridge"));
    QApplication::setApplicationVersion(QStringLiteral(PROJECT_VERSION_STRING));
    const sb::Preferences prefs = sb::Preferences::load();
    sb::installTranslators(&app, prefs.language);
    sb::configureThreads();
    sb::MainWindow w;
    w.show();
    const auto blas = sb::detectBlas();
    if (!blas.optimized)
        QTimer::singleShot(0, &w, [&w, blas] {
            QMessageBox::warning(&w, QObject::tr("Slow matrix library"), QString::fromStdString(blas.warning));
        });
    QTimer::singleShot(0, &w, [&w, prefs] {
        // Unsaved work from a crash comes first; else the demo pair.
        w.offerRecovery();
        if (prefs.loadDemoAtStart && !w.model(0).isValid() && w.experimentPath().isEmpty() && !w.isDirty())
            w.loadDemoPair();
    });
    // --quit-after MS: used by scripts/run --smoke to check start-up end to end.
    const QStringList args = QApplication::arguments();
    const int i = args.indexOf(QStringLiteral("--quit-after"));
    if (i >= 0 && i + 1 < args.size())
        QTimer::singleShot(args[i + 1].toInt(), &app, &QApplication::quit);
    return app.exec();
}
