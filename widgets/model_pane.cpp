#include "widgets/model_pane.h"

#include <QLabel>
#include <QVBoxLayout>

namespace sb {

ModelPane::ModelPane(const QString& role, QWidget* parent) : QWidget(parent), m_role(role)
{
    auto* lay = new QVBoxLayout(this);
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("modelTitle"));
    QFont f = m_title->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.2);
    m_title->setFont(f);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("modelSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    lay->addWidget(m_title);
    lay->addWidget(m_summary);
    lay->addStretch(1);
    clear();
}

void ModelPane::setModel(const LoadedModel& model, const QString& summary)
{
    m_title->setText(tr("%1: %2").arg(m_role, model.name));
    m_summary->setText(summary);
}

void ModelPane::clear()
{
    m_title->setText(tr("%1: no model loaded").arg(m_role));
    m_summary->clear();
}

QString ModelPane::title() const { return m_title->text(); }

} // namespace sb
