#include "widgets/architecture_table.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace sb {

namespace {
const QColor kDiffer(0xff, 0xe9, 0xb3);
const QColor kGroup(0xf2, 0xf2, 0xf2);
} // namespace

ArchitectureTable::ArchitectureTable(QWidget* parent) : QWidget(parent)
{
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("architectureSummary"));
    m_diffOnly = new QCheckBox(tr("Show only &differences"), this);
    m_diffOnly->setObjectName(QStringLiteral("differencesOnly"));
    bar->addWidget(m_summary, 1);
    bar->addWidget(m_diffOnly);
    lay->addLayout(bar);

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("architectureTable"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(PropertyColumn, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(SourceColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(TargetColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(UnitColumn, QHeaderView::ResizeToContents);
    m_table->setWordWrap(true);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto* copy = new QAction(tr("&Copy Table"), m_table);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    connect(copy, &QAction::triggered, this, [this] { QApplication::clipboard()->setText(toTsv()); });
    m_table->addAction(copy);
    lay->addWidget(m_table, 1);
    connect(m_diffOnly, &QCheckBox::toggled, this, &ArchitectureTable::setDifferencesOnly);
    rebuild();
}

void ArchitectureTable::setModelNames(const QString& source, const QString& target)
{
    m_sourceName = source;
    m_targetName = target;
    rebuild();
}

void ArchitectureTable::setRows(const QVector<ComparisonRow>& rows)
{
    m_rows = rows;
    rebuild();
}

void ArchitectureTable::clear()
{
    m_rows.clear();
    m_sourceName.clear();
    m_targetName.clear();
    rebuild();
}

int ArchitectureTable::differenceCount() const
{
    return static_cast<int>(std::count_if(m_rows.begin(), m_rows.end(), [](const ComparisonRow& r) { return r.differs; }));
}

void ArchitectureTable::setDifferencesOnly(bool on)
{
    if (m_diffOnly->isChecked() != on)
        m_diffOnly->setChecked(on);
    rebuild();
}

void ArchitectureTable::rebuild()
{
    m_table->clearContents();
    m_table->setRowCount(0);
    m_table->setHorizontalHeaderLabels({tr("Property"),
                                        m_sourceName.isEmpty() ? tr("Source") : tr("Source: %1").arg(m_sourceName),
                                        m_targetName.isEmpty() ? tr("Target") : tr("Target: %1").arg(m_targetName),
                                        tr("Unit")});
    const bool diffOnly = m_diffOnly->isChecked();
    QString group;
    for (const auto& r : m_rows) {
        if (diffOnly && !r.differs)
            continue;
        if (r.group != group && !r.group.isEmpty()) {
            group = r.group;
            const int gr = m_table->rowCount();
            m_table->insertRow(gr);
            auto* g = new QTableWidgetItem(group);
            QFont f = g->font();
            f.setBold(true);
            g->setFont(f);
            g->setBackground(kGroup);
            g->setFlags(Qt::ItemIsEnabled);
            m_table->setItem(gr, 0, g);
            m_table->setSpan(gr, 0, 1, ColumnCount);
        }
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        const QString tip = r.differs ? tr("%1\n\nThe two models differ here.").arg(r.explanation) : r.explanation;
        const QString cells[ColumnCount] = {r.property, r.source, r.target, r.unit};
        for (int c = 0; c < ColumnCount; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setToolTip(tip);
            item->setData(Qt::UserRole, r.key);
            if (r.differs) {
                item->setBackground(kDiffer);
                if (c == SourceColumn || c == TargetColumn) {
                    QFont f = item->font();
                    f.setBold(true);
                    item->setFont(f);
                }
            }
            if (c == PropertyColumn && r.differs)
                item->setText(cells[c] + QStringLiteral("  ≠"));
            m_table->setItem(row, c, item);
        }
    }
    m_table->resizeRowsToContents();
    if (m_rows.isEmpty())
        m_summary->setText(tr("Load two models to compare their architectures."));
    else
        m_summary->setText(tr("%n of %1 properties differ (highlighted). Hover a row for what it means for transfer.",
                              nullptr, differenceCount())
                               .arg(m_rows.size()));
}

int ArchitectureTable::tableRowOf(const QString& key) const
{
    for (int r = 0; r < m_table->rowCount(); ++r) {
        const auto* item = m_table->item(r, SourceColumn);
        if (item && item->data(Qt::UserRole).toString() == key)
            return r;
    }
    return -1;
}

QString ArchitectureTable::toTsv() const
{
    QStringList lines;
    QStringList header;
    for (int c = 0; c < ColumnCount; ++c)
        header << m_table->horizontalHeaderItem(c)->text();
    lines << header.join(QLatin1Char('\t'));
    for (int r = 0; r < m_table->rowCount(); ++r) {
        if (!m_table->item(r, SourceColumn))
            continue; // group heading
        QStringList cells;
        for (int c = 0; c < ColumnCount; ++c)
            cells << m_table->item(r, c)->text();
        lines << cells.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QString ArchitectureTable::toHtml() const
{
    QString html = QStringLiteral("<table class=\"architecture\"><tr><th>%1</th><th>%2</th><th>%3</th><th>%4</th></tr>\n")
                       .arg(tr("Property").toHtmlEscaped(), m_table->horizontalHeaderItem(SourceColumn)->text().toHtmlEscaped(),
                            m_table->horizontalHeaderItem(TargetColumn)->text().toHtmlEscaped(), tr("Unit").toHtmlEscaped());
    for (const auto& r : m_rows)
        html += QStringLiteral("<tr%1><td title=\"%2\">%3</td><td>%4</td><td>%5</td><td>%6</td></tr>\n")
                    .arg(r.differs ? QStringLiteral(" class=\"differs\"") : QString(), r.explanation.toHtmlEscaped(),
                         r.property.toHtmlEscaped(), r.source.toHtmlEscaped(), r.target.toHtmlEscaped(), r.unit.toHtmlEscaped());
    return html + QStringLiteral("</table>\n");
}

} // namespace sb
