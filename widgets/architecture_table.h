#pragma once
// The two models' architecture reports side by side: one row per property
// (grouped: shape, attention, normalisation, positions, vocabulary...), its
// unit, the source and the target value; rows that differ are highlighted;
// each row's tooltip says what the property is and why it matters when a
// vector is moved from one model to the other.

#include <QString>
#include <QVector>
#include <QWidget>

class QCheckBox;
class QLabel;
class QTableWidget;

namespace sb {

struct ComparisonRow {
    QString key;         ///< stable identifier, e.g. "hidden_size"
    QString group;       ///< e.g. "Shape"
    QString property;    ///< e.g. "Hidden size"
    QString unit;        ///< e.g. "dimensions" (empty when unitless)
    QString source;      ///< the value as shown
    QString target;
    QString explanation; ///< what it is and why it matters for transfer
    bool differs = false;
};

class ArchitectureTable : public QWidget {
    Q_OBJECT
public:
    enum Column { PropertyColumn, SourceColumn, TargetColumn, UnitColumn, ColumnCount };
    explicit ArchitectureTable(QWidget* parent = nullptr);

    void setModelNames(const QString& source, const QString& target);
    void setRows(const QVector<ComparisonRow>& rows);
    const QVector<ComparisonRow>& rows() const { return m_rows; }
    void clear();
    int differenceCount() const;
    /// Shows only the rows that differ.
    void setDifferencesOnly(bool on);

    /// The table (tests and the report read its cells).
    QTableWidget* table() const { return m_table; }
    /// The table row showing `key`, or -1 (hidden or absent).
    int tableRowOf(const QString& key) const;
    /// Tab-separated text of the visible rows, with a header line.
    QString toTsv() const;
    /// An HTML table of all rows, for the experiment report.
    QString toHtml() const;

private:
    void rebuild();
    QTableWidget* m_table;
    QCheckBox* m_diffOnly;
    QLabel* m_summary;
    QVector<ComparisonRow> m_rows;
    QString m_sourceName;
    QString m_targetName;
};

} // namespace sb
