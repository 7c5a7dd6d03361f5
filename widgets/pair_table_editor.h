#pragma once
// Editor for a contrastive pair dataset (prompt, positive continuation,
// negative continuation): add, edit, delete, each undoable (QUndoStack);
// import from a file through an importer the application supplies (JSONL,
// CAA, CSV readers live in the engine), with every line that could not be
// read shown inline as a red row naming the line and the reason; and a
// train / held-out split computed by a splitter the application supplies,
// shown per row and kept undoable.
//
// Rows that are not usable as they stand (an empty field, identical
// continuations) are tinted and say why in their tooltip.

#include <QAbstractTableModel>
#include <QString>
#include <QVector>
#include <QWidget>

#include <functional>

class QDoubleSpinBox;
class QLabel;
class QSpinBox;
class QTableView;
class QUndoStack;
class QPushButton;

namespace sb {

struct PairRecord {
    QString prompt;
    QString positive;
    QString negative;
    int line = 0; ///< line in the file it came from (0: typed in)
    bool operator==(const PairRecord& o) const
    {
        return prompt == o.prompt && positive == o.positive && negative == o.negative;
    }
};

/// A line of an imported file that could not be read.
struct PairProblem {
    int line = 0;
    QString reason;
};

/// What an importer returns: the pairs read, the lines refused, or (error)
/// why the whole file could not be read.
struct PairImport {
    QString file;
    QVector<PairRecord> pairs;
    QVector<PairProblem> problems;
    QString error;
};
using PairImporter = std::function<PairImport(const QString& path)>;
/// Returns the indices (into `count` pairs) to hold out.
using PairSplitter = std::function<QVector<int>(int count, double heldOutFraction, quint64 seed)>;

/// The table behind the editor. Row kinds: pairs and import problems.
class PairTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { LineColumn, PromptColumn, PositiveColumn, NegativeColumn, SplitColumn, ColumnCount };
    enum class Split { Unassigned, Train, HeldOut };
    struct Entry {
        bool isProblem = false;
        PairRecord pair;
        PairProblem problem;
        Split split = Split::Unassigned;
    };

    explicit PairTableModel(QUndoStack* stack, QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    /// Edits from the view become undoable commands.
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;

    const QVector<Entry>& entries() const { return m_entries; }
    /// Why a pair row is not usable, or an empty string.
    static QString rowIssue(const PairRecord& p);

    // Direct changes, used by the undo commands.
    void insertEntries(int row, const QVector<Entry>& entries);
    QVector<Entry> takeEntries(const QVector<int>& rows); ///< rows ascending
    void setCell(int row, int column, const QString& text);
    QVector<Split> splits() const;
    void setSplits(const QVector<Split>& splits);
    void resetEntries(const QVector<Entry>& entries);

Q_SIGNALS:
    void contentChanged();

private:
    QUndoStack* m_stack;
    QVector<Entry> m_entries;
};

class PairTableEditor : public QWidget {
    Q_OBJECT
public:
    explicit PairTableEditor(QWidget* parent = nullptr);

    void setImporter(PairImporter importer);
    void setSplitter(PairSplitter splitter);

    /// Replaces the contents (not undoable; clears the undo history).
    void setDataset(const QString& name, const QVector<PairRecord>& pairs, const QVector<PairProblem>& problems = {});
    QString datasetName() const { return m_name; }
    /// The pairs, in table order (problem rows excluded).
    QVector<PairRecord> pairs() const;
    QVector<PairProblem> problems() const;
    /// Rows (in pairs()) that are not usable, with the reason.
    QVector<QPair<int, QString>> issues() const;

    // Undoable edits (the toolbar and tests use these).
    void addPair(const PairRecord& pair = {});
    void removeRows(QVector<int> tableRows);
    void editCell(int tableRow, int column, const QString& text);
    /// Reads a file through the importer and appends its pairs and problems.
    /// Returns an empty string, or the importer's error (shown in a dialog
    /// unless `quiet`).
    QString importFile(const QString& path, bool quiet = false);
    /// Splits with the splitter; false if none is set or too few pairs.
    bool split(double heldOutFraction, quint64 seed);
    /// Restores a saved split (not undoable): `heldOut` indexes pairs().
    void setSplitAssignment(const QVector<int>& heldOut, double heldOutFraction, quint64 seed);
    /// Indices into pairs() of the held-out / train pairs.
    QVector<int> heldOutIndices() const;
    QVector<int> trainIndices() const;
    /// True when every pair has a split assignment.
    bool splitIsCurrent() const;
    double heldOutFraction() const;
    quint64 seed() const;

    QUndoStack* undoStack() const { return m_stack; }
    PairTableModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    QString statusText() const;

Q_SIGNALS:
    /// The pairs, problems or split changed (edit, undo, redo, import).
    void changed();

private:
    void updateStatus();
    void importWithDialog();
    QUndoStack* m_stack;
    PairTableModel* m_model;
    QTableView* m_view;
    QLabel* m_status;
    QDoubleSpinBox* m_fraction;
    QSpinBox* m_seed;
    QPushButton* m_splitButton;
    PairImporter m_importer;
    PairSplitter m_splitter;
    QString m_name;
};

} // namespace sb
