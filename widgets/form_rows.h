#pragma once
// Building blocks of the settings forms (Training and Protocol tabs): a named
// widget with its tooltip added as one row of a QFormLayout, so that every
// field is reachable by object name in tests and explains itself on hover.
// The widgets are children of the form's parent widget.

#include <QString>

class QBoxLayout;
class QCheckBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QPushButton;
class QSpinBox;
class QWidget;

namespace sb {

/// Names `widget`, sets its tooltip and adds it to `form` under `label`.
void addFormRow(QFormLayout* form, const QString& label, QWidget* widget, const QString& name, const QString& tip);
/// An integer spin box over [minimum, maximum]; `special` (when not empty)
/// is shown instead of the minimum ("all").
QSpinBox* addSpinBoxRow(QFormLayout* form, const QString& label, const QString& name, int minimum, int maximum,
                        const QString& tip, const QString& special = {});
QDoubleSpinBox* addDoubleSpinBoxRow(QFormLayout* form, const QString& label, const QString& name, double minimum,
                                    double maximum, int decimals, double step, const QString& tip);
/// A check box spanning the row.
QCheckBox* addCheckBoxRow(QFormLayout* form, const QString& text, const QString& name, const QString& tip,
                          bool checked = false);

/// The Run and Cancel buttons of a long job, side by side, and the
/// word-wrapped status line under them, added to `layout`; children of `parent`.
struct RunCancelRow {
    QPushButton* run;
    QPushButton* cancel;
    QLabel* status;
};
struct RunCancelNames {
    QString runText, runName, runTip;
    QString cancelText, cancelName, cancelTip;
    QString statusName;
};
RunCancelRow addRunCancelRow(QBoxLayout* layout, QWidget* parent, const RunCancelNames& names);

} // namespace sb
