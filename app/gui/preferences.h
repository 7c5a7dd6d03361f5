#pragma once
// Preferences kept in QSettings, the dialog that edits them, and the
// translators for the chosen language.

#include <QDialog>
#include <QString>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QSpinBox;
class QCoreApplication;

namespace sb {

struct Preferences {
    QString language;           ///< "" follows the system locale; else "en", "de"
    bool loadDemoAtStart = true;
    int autosaveMinutes = 5;    ///< 0: no autosave
    double presentationScale = 1.4;

    static Preferences load();
    void save() const;
};

/// Installs the application's and Qt's translators for `language` ("" = the
/// system locale). Returns the language now in use ("en" when none matched).
QString installTranslators(QCoreApplication* app, const QString& language);
/// Languages with a translation, as codes ("en", "de").
QStringList availableLanguages();
/// The language's own name ("Deutsch").
QString languageName(const QString& code);

class PreferencesDialog : public QDialog {
    Q_OBJECT
public:
    explicit PreferencesDialog(const Preferences& prefs, QWidget* parent = nullptr);
    Preferences preferences() const;

private:
    QComboBox* m_language;
    QCheckBox* m_demo;
    QSpinBox* m_autosave;
    QDoubleSpinBox* m_scale;
};

} // namespace sb
