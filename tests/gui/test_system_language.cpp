// With no language chosen in the settings, SteerBridge follows the system
// locale: under a German locale the German translation is installed.

#include "main_window.h"
#include "preferences.h"

#include <QApplication>
#include <QMenuBar>
#include <QTabWidget>
#include <QtTest>

using namespace sb;

class TestSystemLanguage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void followsTheSystemLocale();
};

void TestSystemLanguage::followsTheSystemLocale()
{
    QCOMPARE(QLocale::system().language(), QLocale::German);
    QCOMPARE(installTranslators(QCoreApplication::instance(), QString()), QStringLiteral("de"));
    MainWindow w({true, false});
    QCOMPARE(w.tabs()->tabText(MainWindow::ArchitectureTab), QStringLiteral("&Architektur"));
    QCOMPARE(w.menuBar()->actions().value(0)->text(), QStringLiteral("&Datei"));
    // An explicit choice wins over the system locale.
    QCOMPARE(installTranslators(QCoreApplication::instance(), QStringLiteral("en")), QStringLiteral("en"));
    MainWindow english({true, false});
    QCOMPARE(english.tabs()->tabText(MainWindow::ArchitectureTab), QStringLiteral("&Architecture"));
}

int main(int argc, char** argv)
{
    // The locale is read from the environment when the application starts.
    qputenv("LC_ALL", "de_DE.UTF-8");
    qputenv("LANG", "de_DE.UTF-8");
    qputenv("LANGUAGE", "de");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("SteerBridgeTest"));
    QCoreApplication::setApplicationName(QStringLiteral("test_system_language"));
    QStandardPaths::setTestModeEnabled(true);
    TestSystemLanguage t;
    return QTest::qExec(&t, argc, argv);
}

#include "test_system_language.moc"
