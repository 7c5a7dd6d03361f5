#include "widgets/pair_table_editor.h"

#include <QAction>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableView>
#include <QToolButton>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>

namespace sb {

// ------------------------------------------------------------------ commands

namespace {

class InsertCommand : public QUndoCommand {
public:
    InsertCommand(PairTableModel* m, int row, QVector<PairTableModel::Entry> entries, const QString& text)
        : QUndoCommand(text), m_model(m), m_row(row), m_entries(std::move(entries))
    {
    }
    void redo() override { m_model->insertEntries(m_row, m_entries); }
    void undo() override
    {
        QVector<int> rows;
        for (int i = 0; i < m_entries.size(); ++i)
            rows << m_row + i;
        m_model->takeEntries(rows);
    }

private:
    PairTableModel* m_model;
    int m_row;
    QVector<PairTableModel::Entry> m_entries;
};

class RemoveCommand : public QUndoCommand {
public:
    RemoveCommand(PairTableModel* m, QVector<int> rows, const QString& text)
        : QUndoCommand(text), m_model(m), m_rows(std::move(rows))
    {
    }
    void redo() override { m_taken = m_model->takeEntries(m_rows); }
    void undo() override
    {
        // Ascending reinsertion restores every row at its old index.
        for (int i = 0; i < m_rows.size(); ++i)
            m_model->insertEntries(m_rows[i], {m_taken[i]});
    }

private:
    PairTableModel* m_model;
    QVector<int> m_rows;
    QVector<PairTableModel::Entry> m_taken;
};

class EditCommand : public QUndoCommand {
public:
    EditCommand(PairTableModel* m, int row, int column, QString before, QString after)
        : QUndoCommand(PairTableEditor::tr("Edit cell")), m_model(m), m_row(row), m_column(column),
          m_before(std::move(before)), m_after(std::move(after))
    {
    }
    void redo() override { m_model->setCell(m_row, m_column, m_after); }
    void undo() override { m_model->setCell(m_row, m_column, m_before); }

private:
    PairTableModel* m_model;
    int m_row;
    int m_column;
    QString m_before;
    QString m_after;
};

class SplitCommand : public QUndoCommand {
public:
    SplitCommand(PairTableModel* m, QVector<PairTableModel::Split> before, QVector<PairTableModel::Split> after)
        : QUndoCommand(PairTableEditor::tr("Split dataset")), m_model(m), m_before(std::move(before)), m_after(std::move(after))
    {
    }
    void redo() override { m_model->setSplits(m_after); }
    void undo() override { m_model->setSplits(m_before); }

private:
    PairTableModel* m_model;
    QVector<PairTableModel::Split> m_before;
    QVector<PairTableModel::Split> m_after;
};

const QColor kProblem(0xfd, 0xd8, 0xd8);
const QColor kIssue(0xff, 0xf1, 0xc9);

} // namespace

// ------------------------------------------------------------------ model

PairTableModel::PairTableModel(QUndoStack* stack, QObject* parent) : QAbstractTableModel(parent), m_stack(stack) {}

int PairTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int PairTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString PairTableModel::rowIssue(const PairRecord& p)
{
    if (p.positive.trimmed().isEmpty() || p.negative.trimmed().isEmpty())
        return PairTableEditor::tr("Both continuations are needed.");
    if (p.positive == p.negative)
        return PairTableEditor::tr("The positive and negative continuations are identical, so the pair carries no contrast.");
    return {};
}

QVariant PairTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return {};
    const Entry& e = m_entries[index.row()];
    const int c = index.column();
    if (e.isProblem) {
        switch (role) {
        case Qt::DisplayRole:
            if (c == LineColumn)
                return e.problem.line > 0 ? QVariant(e.problem.line) : QVariant();
            if (c == PromptColumn)
                return PairTableEditor::tr("Not imported: %1").arg(e.problem.reason);
            return {};
        case Qt::ToolTipRole:
            return PairTableEditor::tr("Line %1 of the imported file could not be read: %2. "
                                       "Fix the file and import again, or delete this row.")
                .arg(e.problem.line)
                .arg(e.problem.reason);
        case Qt::BackgroundRole: return kProblem;
        case Qt::ForegroundRole: return QColor(0x90, 0x10, 0x10);
        default: return {};
        }
    }
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        switch (c) {
        case LineColumn: return e.pair.line > 0 ? QVariant(e.pair.line) : QVariant();
        case PromptColumn: return e.pair.prompt;
        case PositiveColumn: return e.pair.positive;
        case NegativeColumn: return e.pair.negative;
        case SplitColumn:
            if (role == Qt::EditRole)
                return {};
            return e.split == Split::Train     ? PairTableEditor::tr("train")
                   : e.split == Split::HeldOut ? PairTableEditor::tr("held out")
                                               : PairTableEditor::tr("—");
        }
        return {};
    case Qt::ToolTipRole: {
        const QString issue = rowIssue(e.pair);
        if (!issue.isEmpty())
            return issue;
        if (c == SplitColumn && e.split == Split::Unassigned)
            return PairTableEditor::tr("Not in the split yet: split again to assign it.");
        return {};
    }
    case Qt::BackgroundRole:
        if (!rowIssue(e.pair).isEmpty())
            return kIssue;
        if (c == SplitColumn && e.split == Split::HeldOut)
            return QColor(0xe8, 0xf0, 0xfe);
        return {};
    default: return {};
    }
}

QVariant PairTableModel::headerData(int section, Qt::Orientation o, int role) const
{
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, o, role);
    switch (section) {
    case LineColumn: return PairTableEditor::tr("Line");
    case PromptColumn: return PairTableEditor::tr("Prompt");
    case PositiveColumn: return PairTableEditor::tr("Positive continuation");
    case NegativeColumn: return PairTableEditor::tr("Negative continuation");
    case SplitColumn: return PairTableEditor::tr("Split");
    }
    return {};
}

Qt::ItemFlags PairTableModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    const Entry& e = m_entries[index.row()];
    if (!e.isProblem && index.column() >= PromptColumn && index.column() <= NegativeColumn)
        f |= Qt::ItemIsEditable;
    return f;
}

bool PairTableModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (!index.isValid() || role != Qt::EditRole || !(flags(index) & Qt::ItemIsEditable))
        return false;
    const QString before = data(index, Qt::EditRole).toString();
    const QString after = value.toString();
    if (before == after)
        return false;
    m_stack->push(new EditCommand(this, index.row(), index.column(), before, after));
    return true;
}

void PairTableModel::insertEntries(int row, const QVector<Entry>& entries)
{
    if (entries.isEmpty())
        return;
    row = std::clamp(row, 0, static_cast<int>(m_entries.size()));
    beginInsertRows({}, row, row + static_cast<int>(entries.size()) - 1);
    for (int i = 0; i < entries.size(); ++i)
        m_entries.insert(row + i, entries[i]);
    endInsertRows();
    Q_EMIT contentChanged();
}

QVector<PairTableModel::Entry> PairTableModel::takeEntries(const QVector<int>& rows)
{
    QVector<Entry> out(rows.size());
    for (int i = static_cast<int>(rows.size()) - 1; i >= 0; --i) {
        const int r = rows[i];
        beginRemoveRows({}, r, r);
        out[i] = m_entries.takeAt(r);
        endRemoveRows();
    }
    Q_EMIT contentChanged();
    return out;
}

void PairTableModel::setCell(int row, int column, const QString& text)
{
    Entry& e = m_entries[row];
    switch (column) {
    case PromptColumn: e.pair.prompt = text; break;
    case PositiveColumn: e.pair.positive = text; break;
    case NegativeColumn: e.pair.negative = text; break;
    default: return;
    }
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    Q_EMIT contentChanged();
}

QVector<PairTableModel::Split> PairTableModel::splits() const
{
    QVector<Split> out;
    for (const auto& e : m_entries)
        out << e.split;
    return out;
}

void PairTableModel::setSplits(const QVector<Split>& splits)
{
    for (int i = 0; i < m_entries.size() && i < splits.size(); ++i)
        m_entries[i].split = splits[i];
    if (!m_entries.isEmpty())
        Q_EMIT dataChanged(index(0, SplitColumn), index(rowCount() - 1, SplitColumn));
    Q_EMIT contentChanged();
}

void PairTableModel::resetEntries(const QVector<Entry>& entries)
{
    beginResetModel();
    m_entries = entries;
    endResetModel();
    Q_EMIT contentChanged();
}

// ------------------------------------------------------------------ editor

PairTableEditor::PairTableEditor(QWidget* parent) : QWidget(parent)
{
    m_stack = new QUndoStack(this);
    m_model = new PairTableModel(m_stack, this);

    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    auto button = [this, bar](const QString& text, const QString& tip, const QString& name) {
        auto* b = new QToolButton(this);
        b->setText(text);
        b->setToolTip(tip);
        b->setObjectName(name);
        b->setToolButtonStyle(Qt::ToolButtonTextOnly);
        bar->addWidget(b);
        return b;
    };
    auto* addButton = button(tr("&Add Pair"), tr("Add an empty pair below the selection (Insert)"), QStringLiteral("addPair"));
    auto* removeButton = button(tr("&Delete"), tr("Delete the selected rows (Delete)"), QStringLiteral("deleteRows"));
    auto* undoButton = button(tr("Undo"), tr("Undo the last change (Ctrl+Z)"), QStringLiteral("undo"));
    auto* redoButton = button(tr("Redo"), tr("Redo (Ctrl+Shift+Z)"), QStringLiteral("redo"));
    auto* importButton = button(tr("&Import..."), tr("Append pairs from a JSONL, CAA (JSON) or CSV file"), QStringLiteral("importPairs"));
    bar->addSpacing(16);
    auto* fracLabel = new QLabel(tr("&Held out:"), this);
    m_fraction = new QDoubleSpinBox(this);
    m_fraction->setObjectName(QStringLiteral("heldOutFraction"));
    m_fraction->setRange(0.05, 0.95);
    m_fraction->setSingleStep(0.05);
    m_fraction->setDecimals(2);
    m_fraction->setValue(0.5);
    m_fraction->setToolTip(tr("Fraction of pairs kept out of extraction and training, to measure the effect honestly."));
    fracLabel->setBuddy(m_fraction);
    auto* seedLabel = new QLabel(tr("S&eed:"), this);
    m_seed = new QSpinBox(this);
    m_seed->setObjectName(QStringLiteral("splitSeed"));
    m_seed->setRange(0, std::numeric_limits<int>::max());
    m_seed->setValue(2024);
    m_seed->setToolTip(tr("The same seed and pairs always give the same split."));
    seedLabel->setBuddy(m_seed);
    m_splitButton = new QPushButton(tr("&Split"), this);
    m_splitButton->setObjectName(QStringLiteral("splitButton"));
    bar->addWidget(fracLabel);
    bar->addWidget(m_fraction);
    bar->addWidget(seedLabel);
    bar->addWidget(m_seed);
    bar->addWidget(m_splitButton);
    bar->addStretch(1);
    lay->addLayout(bar);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("pairTable"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                            QAbstractItemView::AnyKeyPressed);
    m_view->setWordWrap(true);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(PairTableModel::LineColumn, QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(PairTableModel::PromptColumn, QHeaderView::Stretch);
    m_view->horizontalHeader()->setSectionResizeMode(PairTableModel::PositiveColumn, QHeaderView::Stretch);
    m_view->horizontalHeader()->setSectionResizeMode(PairTableModel::NegativeColumn, QHeaderView::Stretch);
    m_view->horizontalHeader()->setSectionResizeMode(PairTableModel::SplitColumn, QHeaderView::ResizeToContents);
    lay->addWidget(m_view, 1);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("pairStatus"));
    m_status->setWordWrap(true);
    lay->addWidget(m_status);

    auto shortcut = [this](const QKeySequence& key, auto fn) {
        auto* a = new QAction(this);
        a->setShortcut(key);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(a, &QAction::triggered, this, fn);
        addAction(a);
    };
    auto addFn = [this] { addPair(); };
    auto removeFn = [this] {
        QVector<int> rows;
        for (const auto& idx : m_view->selectionModel()->selectedRows())
            rows << idx.row();
        removeRows(rows);
    };
    connect(addButton, &QToolButton::clicked, this, addFn);
    connect(removeButton, &QToolButton::clicked, this, removeFn);
    connect(undoButton, &QToolButton::clicked, m_stack, &QUndoStack::undo);
    connect(redoButton, &QToolButton::clicked, m_stack, &QUndoStack::redo);
    connect(importButton, &QToolButton::clicked, this, &PairTableEditor::importWithDialog);
    connect(m_splitButton, &QPushButton::clicked, this, [this] { split(m_fraction->value(), quint64(m_seed->value())); });
    connect(m_stack, &QUndoStack::canUndoChanged, undoButton, &QToolButton::setEnabled);
    connect(m_stack, &QUndoStack::canRedoChanged, redoButton, &QToolButton::setEnabled);
    undoButton->setEnabled(false);
    redoButton->setEnabled(false);
    shortcut(QKeySequence(Qt::Key_Insert), addFn);
    shortcut(QKeySequence::Delete, removeFn);
    connect(m_model, &PairTableModel::contentChanged, this, [this] {
        // Problem rows span the text columns so their reason reads in full.
        m_view->clearSpans();
        for (int r = 0; r < m_model->rowCount(); ++r)
            if (m_model->entries()[r].isProblem)
                m_view->setSpan(r, PairTableModel::PromptColumn, 1, 3);
        updateStatus();
        Q_EMIT changed();
    });
    updateStatus();
}

void PairTableEditor::setImporter(PairImporter importer) { m_importer = std::move(importer); }

void PairTableEditor::setSplitter(PairSplitter splitter)
{
    m_splitter = std::move(splitter);
    updateStatus();
}

void PairTableEditor::setDataset(const QString& name, const QVector<PairRecord>& pairs, const QVector<PairProblem>& problems)
{
    m_name = name;
    QVector<PairTableModel::Entry> entries;
    for (const auto& p : pairs) {
        PairTableModel::Entry e;
        e.pair = p;
        entries << e;
    }
    for (const auto& pr : problems) {
        PairTableModel::Entry e;
        e.isProblem = true;
        e.problem = pr;
        // Inline: before the first pair that comes from a later line.
        int at = static_cast<int>(entries.size());
        for (int i = 0; i < entries.size(); ++i) {
            const int line = entries[i].isProblem ? entries[i].problem.line : entries[i].pair.line;
            if (line > pr.line) {
                at = i;
                break;
            }
        }
        entries.insert(at, e);
    }
    m_stack->clear();
    m_model->resetEntries(entries);
    m_stack->setClean();
}

QVector<PairRecord> PairTableEditor::pairs() const
{
    QVector<PairRecord> out;
    for (const auto& e : m_model->entries())
        if (!e.isProblem)
            out << e.pair;
    return out;
}

QVector<PairProblem> PairTableEditor::problems() const
{
    QVector<PairProblem> out;
    for (const auto& e : m_model->entries())
        if (e.isProblem)
            out << e.problem;
    return out;
}

QVector<QPair<int, QString>> PairTableEditor::issues() const
{
    QVector<QPair<int, QString>> out;
    int i = 0;
    for (const auto& e : m_model->entries()) {
        if (e.isProblem)
            continue;
        const QString issue = PairTableModel::rowIssue(e.pair);
        if (!issue.isEmpty())
            out << qMakePair(i, issue);
        ++i;
    }
    return out;
}

void PairTableEditor::addPair(const PairRecord& pair)
{
    int row = m_model->rowCount();
    const auto sel = m_view->selectionModel()->selectedRows();
    if (!sel.isEmpty())
        row = sel.last().row() + 1;
    PairTableModel::Entry e;
    e.pair = pair;
    m_stack->push(new InsertCommand(m_model, row, {e}, tr("Add pair")));
    m_view->selectRow(row);
    m_view->setCurrentIndex(m_model->index(row, PairTableModel::PromptColumn));
}

void PairTableEditor::removeRows(QVector<int> rows)
{
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    rows.erase(std::remove_if(rows.begin(), rows.end(), [this](int r) { return r < 0 || r >= m_model->rowCount(); }),
               rows.end());
    if (rows.isEmpty())
        return;
    m_stack->push(new RemoveCommand(m_model, rows, tr("Delete %n row(s)", nullptr, static_cast<int>(rows.size()))));
}

void PairTableEditor::editCell(int tableRow, int column, const QString& text)
{
    m_model->setData(m_model->index(tableRow, column), text, Qt::EditRole);
}

QString PairTableEditor::importFile(const QString& path, bool quiet)
{
    if (!m_importer)
        return tr("No importer is available for %1.").arg(path);
    const PairImport result = m_importer(path);
    if (!result.error.isEmpty()) {
        if (!quiet)
            QMessageBox::critical(this, tr("Cannot import pairs"), result.error);
        return result.error;
    }
    QVector<PairTableModel::Entry> entries;
    // Pairs and problems in file order.
    int pi = 0, qi = 0;
    while (pi < result.pairs.size() || qi < result.problems.size()) {
        const bool takeProblem = qi < result.problems.size() &&
                                 (pi >= result.pairs.size() || result.problems[qi].line < result.pairs[pi].line);
        PairTableModel::Entry e;
        if (takeProblem) {
            e.isProblem = true;
            e.problem = result.problems[qi++];
        } else {
            e.pair = result.pairs[pi++];
        }
        entries << e;
    }
    if (m_name.isEmpty())
        m_name = QFileInfo(path).completeBaseName();
    m_stack->push(new InsertCommand(m_model, m_model->rowCount(), entries,
                                    tr("Import %1").arg(QFileInfo(path).fileName())));
    return {};
}

void PairTableEditor::importWithDialog()
{
    QSettings settings;
    const QString dir = settings.value(QStringLiteral("pairs/lastDirectory")).toString();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Import Pairs"), dir, tr("Pair datasets (*.jsonl *.json *.csv);;All files (*)"));
    if (path.isEmpty())
        return;
    settings.setValue(QStringLiteral("pairs/lastDirectory"), QFileInfo(path).absolutePath());
    importFile(path);
}

bool PairTableEditor::split(double heldOutFraction, quint64 seed)
{
    m_fraction->setValue(heldOutFraction);
    m_seed->setValue(static_cast<int>(std::min<quint64>(seed, std::numeric_limits<int>::max())));
    const QVector<PairRecord> ps = pairs();
    if (!m_splitter || ps.size() < 2)
        return false;
    const QVector<int> held = m_splitter(static_cast<int>(ps.size()), heldOutFraction, seed);
    QVector<PairTableModel::Split> after;
    int pairIndex = 0;
    for (const auto& e : m_model->entries()) {
        if (e.isProblem) {
            after << PairTableModel::Split::Unassigned;
            continue;
        }
        after << (held.contains(pairIndex) ? PairTableModel::Split::HeldOut : PairTableModel::Split::Train);
        ++pairIndex;
    }
    m_stack->push(new SplitCommand(m_model, m_model->splits(), after));
    return true;
}

void PairTableEditor::setSplitAssignment(const QVector<int>& heldOut, double heldOutFraction, quint64 seed)
{
    m_fraction->setValue(heldOutFraction);
    m_seed->setValue(static_cast<int>(std::min<quint64>(seed, std::numeric_limits<int>::max())));
    QVector<PairTableModel::Split> splits;
    int pairIndex = 0;
    for (const auto& e : m_model->entries()) {
        if (e.isProblem) {
            splits << PairTableModel::Split::Unassigned;
            continue;
        }
        splits << (heldOut.contains(pairIndex) ? PairTableModel::Split::HeldOut : PairTableModel::Split::Train);
        ++pairIndex;
    }
    m_model->setSplits(splits);
}

QVector<int> PairTableEditor::heldOutIndices() const
{
    QVector<int> out;
    int i = 0;
    for (const auto& e : m_model->entries()) {
        if (e.isProblem)
            continue;
        if (e.split == PairTableModel::Split::HeldOut)
            out << i;
        ++i;
    }
    return out;
}

QVector<int> PairTableEditor::trainIndices() const
{
    QVector<int> out;
    int i = 0;
    for (const auto& e : m_model->entries()) {
        if (e.isProblem)
            continue;
        if (e.split == PairTableModel::Split::Train)
            out << i;
        ++i;
    }
    return out;
}

bool PairTableEditor::splitIsCurrent() const
{
    bool any = false;
    for (const auto& e : m_model->entries()) {
        if (e.isProblem)
            continue;
        any = true;
        if (e.split == PairTableModel::Split::Unassigned)
            return false;
    }
    return any;
}

double PairTableEditor::heldOutFraction() const { return m_fraction->value(); }
quint64 PairTableEditor::seed() const { return quint64(m_seed->value()); }

QString PairTableEditor::statusText() const { return m_status->text(); }

void PairTableEditor::updateStatus()
{
    const int n = static_cast<int>(pairs().size());
    const int bad = static_cast<int>(problems().size());
    const int issues = static_cast<int>(this->issues().size());
    QStringList parts;
    parts << (m_name.isEmpty() ? tr("%n pair(s)", nullptr, n) : tr("%1: %n pair(s)", nullptr, n).arg(m_name));
    if (bad > 0)
        parts << tr("%n line(s) could not be imported (red rows)", nullptr, bad);
    if (issues > 0)
        parts << tr("%n pair(s) need fixing (yellow rows)", nullptr, issues);
    if (splitIsCurrent())
        parts << tr("split: %1 train, %2 held out").arg(trainIndices().size()).arg(heldOutIndices().size());
    else if (n > 0)
        parts << (m_splitter ? tr("not split yet: press Split") : tr("splitting is unavailable"));
    m_status->setText(parts.join(QStringLiteral(" · ")));
    m_splitButton->setEnabled(m_splitter && n >= 2);
}

} // namespace sb
