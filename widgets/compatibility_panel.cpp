#include "widgets/compatibility_panel.h"

#include <QGridLayout>
#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace sb {

ScoreBar::ScoreBar(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void ScoreBar::setScore(double score)
{
    m_score = std::isfinite(score) ? std::clamp(score, 0.0, 1.0) : 0.0;
    setToolTip(text());
    update();
}

void ScoreBar::setBands(double low, double high)
{
    m_low = low;
    m_high = high;
    update();
}

QString ScoreBar::text() const { return QString::number(m_score, 'f', 2); }

QSize ScoreBar::sizeHint() const { return {220, fontMetrics().height() + 8}; }
QSize ScoreBar::minimumSizeHint() const { return {80, fontMetrics().height() + 6}; }

void ScoreBar::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    p.setPen(QColor(170, 170, 170));
    p.setBrush(QColor(245, 245, 245));
    p.drawRoundedRect(r, 3, 3);
    const QColor fill = m_score < m_low ? QColor(0xe7, 0x4c, 0x3c) : m_score < m_high ? QColor(0xf3, 0x9c, 0x12)
                                                                                      : QColor(0x27, 0xae, 0x60);
    QRectF f = r.adjusted(1, 1, -1, -1);
    f.setWidth(f.width() * m_score);
    p.setPen(Qt::NoPen);
    p.setBrush(fill);
    p.drawRoundedRect(f, 2, 2);
    // Threshold ticks, so a person sees how far a score is from the next band.
    p.setPen(QPen(QColor(0, 0, 0, 90), 1, Qt::DotLine));
    for (double t : {m_low, m_high})
        p.drawLine(QPointF(r.left() + t * r.width(), r.top() + 2), QPointF(r.left() + t * r.width(), r.bottom() - 2));
    p.setPen(QColor(20, 20, 20));
    p.drawText(r.adjusted(6, 0, -6, 0), Qt::AlignVCenter | Qt::AlignRight, text());
}

CompatibilityPanel::CompatibilityPanel(QWidget* parent) : QWidget(parent)
{
    auto* lay = new QVBoxLayout(this);
    auto* head = new QGridLayout;
    m_overallLabel = new QLabel(tr("Overall compatibility"), this);
    QFont bold = m_overallLabel->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_overallLabel->setFont(bold);
    m_overall = new ScoreBar(this);
    m_overall->setObjectName(QStringLiteral("overallScore"));
    m_overall->setMinimumHeight(QFontMetrics(bold).height() + 10);
    m_strategy = new QLabel(this);
    m_strategy->setObjectName(QStringLiteral("strategyLabel"));
    m_strategy->setWordWrap(true);
    m_strategy->setTextInteractionFlags(Qt::TextSelectableByMouse);
    head->addWidget(m_overallLabel, 0, 0);
    head->addWidget(m_overall, 0, 1);
    head->addWidget(m_strategy, 1, 0, 1, 2);
    head->setColumnStretch(1, 1);
    lay->addLayout(head);

    m_gridHost = new QWidget(this);
    m_grid = new QGridLayout(m_gridHost);
    m_grid->setContentsMargins(0, 8, 0, 0);
    m_grid->setColumnStretch(1, 1);
    m_grid->setColumnStretch(2, 2);
    lay->addWidget(m_gridHost);
    m_empty = new QLabel(tr("Load two models to score their compatibility."), this);
    lay->addWidget(m_empty);
    lay->addStretch(1);
    clear();
}

void CompatibilityPanel::clear() { setScores({}); }

void CompatibilityPanel::setScores(const CompatibilitySummary& scores)
{
    m_scores = scores;
    while (QLayoutItem* item = m_grid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    const bool empty = scores.items.isEmpty();
    m_empty->setVisible(empty);
    m_overall->setVisible(!empty);
    m_overallLabel->setVisible(!empty);
    m_strategy->setVisible(!empty);
    if (empty)
        return;
    m_overall->setScore(scores.overall);
    m_strategy->setText(scores.strategyExplanation.isEmpty()
                            ? tr("Implied strategy: <b>%1</b>").arg(scores.strategy.toHtmlEscaped())
                            : tr("Implied strategy: <b>%1</b>. %2")
                                  .arg(scores.strategy.toHtmlEscaped(), scores.strategyExplanation.toHtmlEscaped()));
    int row = 0;
    for (const auto& item : scores.items) {
        auto* name = new QLabel(item.component, m_gridHost);
        auto* bar = new ScoreBar(m_gridHost);
        bar->setObjectName(QStringLiteral("score:") + item.component);
        bar->setScore(item.score);
        auto* reason = new QLabel(item.reason, m_gridHost);
        reason->setObjectName(QStringLiteral("reason:") + item.component);
        reason->setWordWrap(true);
        reason->setTextInteractionFlags(Qt::TextSelectableByMouse);
        name->setToolTip(item.reason);
        bar->setToolTip(tr("%1: %2. %3").arg(item.component, bar->text(), item.reason));
        m_grid->addWidget(name, row, 0, Qt::AlignTop);
        m_grid->addWidget(bar, row, 1, Qt::AlignTop);
        m_grid->addWidget(reason, row, 2, Qt::AlignTop);
        ++row;
    }
}

QString CompatibilityPanel::strategyText() const { return m_strategy->text(); }

ScoreBar* CompatibilityPanel::barFor(const QString& component) const
{
    return m_gridHost->findChild<ScoreBar*>(QStringLiteral("score:") + component);
}

QString CompatibilityPanel::reasonFor(const QString& component) const
{
    auto* l = m_gridHost->findChild<QLabel*>(QStringLiteral("reason:") + component);
    return l ? l->text() : QString();
}

} // namespace sb
