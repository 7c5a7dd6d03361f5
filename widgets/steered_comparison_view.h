#pragma once
// Steered output comparison: one prompt, generated side by side in columns
// (target unsteered, target with its native vector, target with the
// transferred vector, optionally the source steered), with the preference
// score numbers of each column. Text is appended as tokens arrive.
//
// The view only collects the request (prompt, alpha, seed, length) and shows
// what it is given; the application runs the generation job.

#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSlider;
class QSpinBox;

namespace sb {

struct SteeringRequest {
    QString prompt;
    double alpha = 4.0;
    quint64 seed = 0;
    int maxNewTokens = 48;
    bool includeSourceSteered = false;
};

class SteeredComparisonView : public QWidget {
    Q_OBJECT
public:
    explicit SteeredComparisonView(QWidget* parent = nullptr);

    /// Sets the columns (clears their text).
    void setColumns(const QStringList& titles);
    int columnCount() const { return static_cast<int>(m_columns.size()); }
    QString columnTitle(int column) const;
    /// Starts a column's text with the prompt (greyed) before tokens arrive.
    void startColumn(int column, const QString& prompt);
    /// Appends generated text (a token) to a column.
    void appendText(int column, const QString& text);
    /// Replaces a column's generated text (jobs that report the whole
    /// continuation so far, so multi-byte characters are never split).
    void setColumnText(int column, const QString& text);
    /// The generated text of a column (without the prompt).
    QString columnText(int column) const;
    /// Numbers under a column, e.g. "preference score +1.82 · 48 tokens".
    void setColumnScores(int column, const QString& text);
    QString columnScores(int column) const;
    void clearOutputs();

    SteeringRequest request() const;
    void setRequest(const SteeringRequest& r);
    /// Running: Generate disabled, Cancel enabled.
    void setRunning(bool running);
    bool isRunning() const { return m_running; }
    /// Generation possible at all (models and vectors ready); `why` explains when not.
    void setAvailable(bool available, const QString& why = {});

    void setPresentationMode(bool on);

Q_SIGNALS:
    void generateRequested(const sb::SteeringRequest& request);
    void cancelRequested();

private:
    struct Column {
        QWidget* frame = nullptr;
        QLabel* title = nullptr;
        QPlainTextEdit* text = nullptr;
        QLabel* scores = nullptr;
        int promptLength = 0;
    };
    QPlainTextEdit* m_prompt;
    QSlider* m_alphaSlider;
    QDoubleSpinBox* m_alpha;
    QSpinBox* m_seed;
    QSpinBox* m_maxTokens;
    QCheckBox* m_sourceToo;
    QPushButton* m_generate;
    QPushButton* m_cancel;
    QLabel* m_note;
    QWidget* m_columnsHost;
    QVector<Column> m_columns;
    bool m_running = false;
    bool m_available = true;
    bool m_presentation = false;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::SteeringRequest)
