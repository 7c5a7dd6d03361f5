#include "widgets/form_rows.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>

namespace sb {

void addFormRow(QFormLayout* form, const QString& label, QWidget* widget, const QString& name, const QString& tip)
{
    widget->setObjectName(name);
    widget->setToolTip(tip);
    form->addRow(label, widget);
}

QSpinBox* addSpinBoxRow(QFormLayout* form, const QString& label, const QString& name, int minimum, int maximum,
                        const QString& tip, const QString& special)
{
    auto* box = new QSpinBox(form->parentWidget());
    box->setRange(minimum, maximum);
    if (!special.isEmpty())
        box->setSpecialValueText(special);
    addFormRow(form, label, box, name, tip);
    return box;
}

QDoubleSpinBox* addDoubleSpinBoxRow(QFormLayout* form, const QString& label, const QString& name, double minimum,
                                    double maximum, int decimals, double step, const QString& tip)
{
    auto* box = new QDoubleSpinBox(form->parentWidget());
    box->setDecimals(decimals); // before the range: setRange rounds to the decimals
    box->setRange(minimum, maximum);
    box->setSingleStep(step);
    addFormRow(form, label, box, name, tip);
    return box;
}

QCheckBox* addCheckBoxRow(QFormLayout* form, const QString& text, const QString& name, const QString& tip, bool checked)
{
    auto* box = new QCheckBox(text, form->parentWidget());
    box->setObjectName(name);
    box->setToolTip(tip);
    box->setChecked(checked);
    form->addRow(box);
    return box;
}

RunCancelRow addRunCancelRow(QBoxLayout* layout, QWidget* parent, const RunCancelNames& names)
{
    RunCancelRow row;
    auto* buttons = new QHBoxLayout;
    row.run = new QPushButton(names.runText, parent);
    row.run->setObjectName(names.runName);
    row.run->setToolTip(names.runTip);
    row.cancel = new QPushButton(names.cancelText, parent);
    row.cancel->setObjectName(names.cancelName);
    row.cancel->setToolTip(names.cancelTip);
    buttons->addWidget(row.run);
    buttons->addWidget(row.cancel);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    row.status = new QLabel(parent);
    row.status->setObjectName(names.statusName);
    row.status->setWordWrap(true);
    layout->addWidget(row.status);
    return row;
}

} // namespace sb
