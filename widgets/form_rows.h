#pragma once
// Building blocks of the settings forms (Training and Protocol tabs): a named
// widget with its tooltip added as one row of a QFormLayout, so that every
// field is reachable by object name in tests and explains itself on hover.
// The widgets are children of the form's parent widget.

#include <QString>

class QCheckBox;
class QDoubleSpinBox;
class QFormLayout;
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

} // namespace sb
