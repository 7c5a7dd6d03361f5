#include "preferences.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QSpinBox>
#include <QTranslator>

namespace sb {

Preferences Preferences::load()
{
    QSettings s;
    Preferences p;
    p.language = s.value(QStringLiteral("prefs/language"), p.language).toString();
    p.loadDemoAtStart = s.value(QStringLiteral("prefs/loadDemoAtStart"), p.loadDemoAtStart).toBool();
    p.autosaveMinutes = s.value(QStringLiteral("prefs/autosaveMinutes"), p.autosaveMinutes).toInt();
    p.presentationScale = s.value(QStringLiteral("prefs/presentationScale"), p.presentationScale).toDouble();
    return p;
}

void Preferences::save() const
{
    QSettings s;
    s.setValue(QStringLiteral("prefs/language"), language);
    s.setValue(QStringLiteral("prefs/loadDemoAtStart"), loadDemoAtStart);
    s.setValue(QStringLiteral("prefs/autosaveMinutes"), autosaveMinutes);
    s.setValue(QStringLiteral("prefs/presentationScale"), presentationScale);
}

QStringList availableLanguages() { return {QStringLiteral("en"), QStringLiteral("de")}; }

QString languageName(const QString& code)
{
    if (code == QLatin1String("de"))
        return QStringLiteral("Deutsch");
    return QStringLiteral("English");
}

QString installTranslators(QCoreApplication* app, const QString& language)
{
    // Remove what a previous call installed.
    for (QTranslator* t : app->findChildren<QTranslator*>(QStringLiteral("sbTranslator"), Qt::FindDirectChildrenOnly)) {
        QCoreApplication::removeTranslator(t);
        delete t;
    }
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    auto* own = new QTranslator(app);
    own->setObjectName(QStringLiteral("sbTranslator"));
    // English is the source language: nothing to load.
    if (locale.language() == QLocale::English || !own->load(locale, QStringLiteral("steerbridge"), QStringLiteral("_"),
                                                              QStringLiteral(":/i18n"))) {
        delete own;
        return QStringLiteral("en");
    }
    QCoreApplication::installTranslator(own);
    // Qt's own strings (standard buttons, file dialogs), when installed.
    auto* qt = new QTranslator(app);
    qt->setObjectName(QStringLiteral("sbTranslator"));
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    return locale.name().section(QLatin1Char('_'), 0, 0);
}

PreferencesDialog::PreferencesDialog(const Preferences& prefs, QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Preferences"));
    auto* form = new QFormLayout(this);
    m_language = new QComboBox(this);
    m_language->setObjectName(QStringLiteral("languageBox"));
    m_language->addItem(tr("System language (%1)").arg(QLocale::system().nativeLanguageName()), QString());
    for (const QString& code : availableLanguages())
        m_language->addItem(languageName(code), code);
    m_language->setCurrentIndex(std::max(0, m_language->findData(prefs.language)));
    form->addRow(tr("&Language:"), m_language);
    auto* note = new QLabel(tr("A new language takes effect when SteerBridge starts again."), this);
    note->setWordWrap(true);
    form->addRow(QString(), note);

    m_demo = new QCheckBox(tr("Load the &demo models at start"), this);
    m_demo->setObjectName(QStringLiteral("loadDemoBox"));
    m_demo->setChecked(prefs.loadDemoAtStart);
    form->addRow(QString(), m_demo);

    m_autosave = new QSpinBox(this);
    m_autosave->setObjectName(QStringLiteral("autosaveBox"));
    m_autosave->setRange(0, 120);
    m_autosave->setSuffix(tr(" min"));
    m_autosave->setSpecialValueText(tr("never"));
    m_autosave->setValue(prefs.autosaveMinutes);
    m_autosave->setToolTip(tr("How often unsaved work is written to a recovery file."));
    form->addRow(tr("&Autosave every:"), m_autosave);

    m_scale = new QDoubleSpinBox(this);
    m_scale->setObjectName(QStringLiteral("presentationScaleBox"));
    m_scale->setRange(1.0, 3.0);
    m_scale->setSingleStep(0.1);
    m_scale->setDecimals(1);
    m_scale->setSuffix(tr(" ×"));
    m_scale->setValue(prefs.presentationScale);
    form->addRow(tr("&Presentation font size:"), m_scale);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

Preferences PreferencesDialog::preferences() const
{
    Preferences p;
    p.language = m_language->currentData().toString();
    p.loadDemoAtStart = m_demo->isChecked();
    p.autosaveMinutes = m_autosave->value();
    p.presentationScale = m_scale->value();
    return p;
}

} // namespace sb
