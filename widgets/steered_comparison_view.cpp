#include "widgets/steered_comparison_view.h"

#include <QAction>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSlider>
#include <QSpinBox>
#include <QTextCursor>
#include <QVBoxLayout>

#include <cmath>

namespace sb {

SteeredComparisonView::SteeredComparisonView(QWidget* parent) : QWidget(parent)
{
    qRegisterMetaType<sb::SteeringRequest>();
    auto* lay = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    m_prompt = new QPlainTextEdit(this);
    m_prompt->setObjectName(QStringLiteral("steeringPrompt"));
    // Model input, not interface text: the demo models read English stories.
    m_prompt->setPlaceholderText(QStringLiteral("Once upon a time, there was a little dog"));
    m_prompt->setMaximumHeight(m_prompt->fontMetrics().height() * 4 + 12);
    m_prompt->setTabChangesFocus(true);
    form->addRow(tr("&Prompt:"), m_prompt);

    auto* alphaRow = new QHBoxLayout;
    m_alphaSlider = new QSlider(Qt::Horizontal, this);
    m_alphaSlider->setObjectName(QStringLiteral("alphaSlider"));
    m_alphaSlider->setRange(-200, 200); // α × 10
    m_alphaSlider->setTickInterval(20);
    m_alphaSlider->setTickPosition(QSlider::TicksBelow);
    m_alpha = new QDoubleSpinBox(this);
    m_alpha->setObjectName(QStringLiteral("alphaSpin"));
    m_alpha->setRange(-20.0, 20.0);
    m_alpha->setSingleStep(0.1);
    m_alpha->setDecimals(1);
    m_alpha->setToolTip(tr("Steering strength α: the vector is multiplied by α before it is added. "
                           "Negative values steer towards the opposite concept."));
    m_alphaSlider->setToolTip(m_alpha->toolTip());
    alphaRow->addWidget(m_alphaSlider, 1);
    alphaRow->addWidget(m_alpha);
    // A layout gets no buddy from addRow: without one the label would show the "&".
    auto* alphaLabel = new QLabel(tr("S&trength α:"), this);
    alphaLabel->setBuddy(m_alpha);
    form->addRow(alphaLabel, alphaRow);
    connect(m_alphaSlider, &QSlider::valueChanged, this, [this](int v) {
        if (std::lround(m_alpha->value() * 10) != v)
            m_alpha->setValue(v / 10.0);
    });
    connect(m_alpha, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        if (m_alphaSlider->value() != std::lround(v * 10))
            m_alphaSlider->setValue(static_cast<int>(std::lround(v * 10)));
    });
    m_alpha->setValue(4.0);

    auto* optRow = new QHBoxLayout;
    m_seed = new QSpinBox(this);
    m_seed->setObjectName(QStringLiteral("steeringSeed"));
    m_seed->setRange(0, std::numeric_limits<int>::max());
    m_seed->setToolTip(tr("Sampling seed: the same seed gives the same text in every column, so differences come from steering."));
    m_maxTokens = new QSpinBox(this);
    m_maxTokens->setObjectName(QStringLiteral("maxTokens"));
    m_maxTokens->setRange(1, 1024);
    m_maxTokens->setValue(48);
    m_sourceToo = new QCheckBox(tr("Also steer the &source model"), this);
    m_sourceToo->setObjectName(QStringLiteral("sourceToo"));
    auto* seedLabel = new QLabel(tr("S&eed:"), this);
    seedLabel->setBuddy(m_seed);
    auto* tokLabel = new QLabel(tr("&New tokens:"), this);
    tokLabel->setBuddy(m_maxTokens);
    optRow->addWidget(seedLabel);
    optRow->addWidget(m_seed);
    optRow->addSpacing(12);
    optRow->addWidget(tokLabel);
    optRow->addWidget(m_maxTokens);
    optRow->addSpacing(12);
    optRow->addWidget(m_sourceToo);
    optRow->addStretch(1);
    m_generate = new QPushButton(tr("&Generate"), this);
    m_generate->setObjectName(QStringLiteral("generateButton"));
    m_generate->setToolTip(tr("Generate all columns (Ctrl+Return)"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelGeneration"));
    m_cancel->setEnabled(false);
    m_cancel->setToolTip(tr("Stop generating"));
    optRow->addWidget(m_generate);
    optRow->addWidget(m_cancel);
    form->addRow(QString(), optRow);
    lay->addLayout(form);

    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("steeringNote"));
    m_note->setWordWrap(true);
    m_note->hide();
    lay->addWidget(m_note);

    m_columnsHost = new QWidget(this);
    auto* cols = new QHBoxLayout(m_columnsHost);
    cols->setContentsMargins(0, 0, 0, 0);
    lay->addWidget(m_columnsHost, 1);

    connect(m_generate, &QPushButton::clicked, this, [this] {
        if (!m_running && m_available)
            Q_EMIT generateRequested(request());
    });
    connect(m_cancel, &QPushButton::clicked, this, &SteeredComparisonView::cancelRequested);
    auto* go = new QAction(this);
    go->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    go->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(go, &QAction::triggered, m_generate, &QPushButton::click);
    addAction(go);

    setColumns({tr("Target, unsteered"), tr("Target + native vector"), tr("Target + transferred vector")});
}

void SteeredComparisonView::setColumns(const QStringList& titles)
{
    auto* cols = static_cast<QHBoxLayout*>(m_columnsHost->layout());
    for (auto& c : m_columns)
        delete c.frame;
    m_columns.clear();
    for (const auto& t : titles) {
        Column c;
        c.frame = new QWidget(m_columnsHost);
        auto* v = new QVBoxLayout(c.frame);
        v->setContentsMargins(0, 0, 0, 0);
        c.title = new QLabel(t, c.frame);
        QFont f = c.title->font();
        f.setBold(true);
        c.title->setFont(f);
        c.text = new QPlainTextEdit(c.frame);
        c.text->setReadOnly(true);
        c.text->setObjectName(QStringLiteral("columnText%1").arg(m_columns.size()));
        c.scores = new QLabel(c.frame);
        c.scores->setObjectName(QStringLiteral("columnScores%1").arg(m_columns.size()));
        c.scores->setWordWrap(true);
        c.scores->setTextInteractionFlags(Qt::TextSelectableByMouse);
        v->addWidget(c.title);
        v->addWidget(c.text, 1);
        v->addWidget(c.scores);
        cols->addWidget(c.frame, 1);
        m_columns << c;
    }
    setPresentationMode(m_presentation);
}

QString SteeredComparisonView::columnTitle(int column) const
{
    return column >= 0 && column < m_columns.size() ? m_columns[column].title->text() : QString();
}

void SteeredComparisonView::startColumn(int column, const QString& prompt)
{
    if (column < 0 || column >= m_columns.size())
        return;
    Column& c = m_columns[column];
    c.text->clear();
    c.scores->clear();
    QTextCursor cur(c.text->document());
    QTextCharFormat grey;
    grey.setForeground(QColor(120, 120, 120));
    cur.insertText(prompt, grey);
    c.promptLength = static_cast<int>(prompt.size());
}

void SteeredComparisonView::appendText(int column, const QString& text)
{
    if (column < 0 || column >= m_columns.size())
        return;
    QPlainTextEdit* edit = m_columns[column].text;
    QScrollBar* bar = edit->verticalScrollBar();
    const bool atEnd = bar->value() >= bar->maximum() - 2;
    QTextCursor cur(edit->document());
    cur.movePosition(QTextCursor::End);
    cur.insertText(text, QTextCharFormat());
    if (atEnd)
        bar->setValue(bar->maximum());
}

void SteeredComparisonView::setColumnText(int column, const QString& text)
{
    if (column < 0 || column >= m_columns.size())
        return;
    const QString current = columnText(column);
    if (text.startsWith(current)) {
        appendText(column, text.mid(current.size())); // the usual case: only new tokens
        return;
    }
    Column& c = m_columns[column];
    QTextCursor cur(c.text->document());
    cur.setPosition(c.promptLength);
    cur.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
    cur.insertText(text, QTextCharFormat());
}

QString SteeredComparisonView::columnText(int column) const
{
    if (column < 0 || column >= m_columns.size())
        return {};
    return m_columns[column].text->toPlainText().mid(m_columns[column].promptLength);
}

void SteeredComparisonView::setColumnScores(int column, const QString& text)
{
    if (column >= 0 && column < m_columns.size())
        m_columns[column].scores->setText(text);
}

QString SteeredComparisonView::columnScores(int column) const
{
    return column >= 0 && column < m_columns.size() ? m_columns[column].scores->text() : QString();
}

void SteeredComparisonView::clearOutputs()
{
    for (auto& c : m_columns) {
        c.text->clear();
        c.scores->clear();
        c.promptLength = 0;
    }
}

SteeringRequest SteeredComparisonView::request() const
{
    SteeringRequest r;
    r.prompt = m_prompt->toPlainText();
    if (r.prompt.isEmpty())
        r.prompt = m_prompt->placeholderText();
    r.alpha = m_alpha->value();
    r.seed = quint64(m_seed->value());
    r.maxNewTokens = m_maxTokens->value();
    r.includeSourceSteered = m_sourceToo->isChecked();
    return r;
}

void SteeredComparisonView::setRequest(const SteeringRequest& r)
{
    m_prompt->setPlainText(r.prompt);
    m_alpha->setValue(r.alpha);
    m_seed->setValue(static_cast<int>(std::min<quint64>(r.seed, std::numeric_limits<int>::max())));
    m_maxTokens->setValue(r.maxNewTokens);
    m_sourceToo->setChecked(r.includeSourceSteered);
}

void SteeredComparisonView::setRunning(bool running)
{
    m_running = running;
    m_generate->setEnabled(!running && m_available);
    m_cancel->setEnabled(running);
}

void SteeredComparisonView::setAvailable(bool available, const QString& why)
{
    m_available = available;
    m_note->setText(why);
    m_note->setVisible(!available && !why.isEmpty());
    m_generate->setEnabled(!m_running && available);
}

void SteeredComparisonView::setPresentationMode(bool on)
{
    m_presentation = on;
    for (auto& c : m_columns) {
        QFont f = font();
        f.setPointSizeF(font().pointSizeF() * (on ? 1.4 : 1.0));
        c.text->setFont(f);
        f.setBold(true);
        c.title->setFont(f);
    }
}

} // namespace sb
