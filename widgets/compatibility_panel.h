#pragma once
// Compatibility of the two models for moving a vector: one bar per component
// (dimension, attention, normalisation, positions, vocabulary, depth...) with
// the reason for its score, the overall score, and the injection strategy it
// implies (direct, scaled, adapted) with why.

#include <QString>
#include <QVector>
#include <QWidget>

class QGridLayout;
class QLabel;

namespace sb {

struct CompatibilityItem {
    QString component; ///< e.g. "Hidden dimension"
    double score = 0.0; ///< 0 (incompatible) .. 1 (identical)
    QString reason;    ///< e.g. "64 vs 128: a vector needs a learned projection"
};

struct CompatibilitySummary {
    QVector<CompatibilityItem> items;
    double overall = 0.0;
    QString strategy;            ///< e.g. "Adapted injection"
    QString strategyExplanation; ///< why this strategy follows from the scores
};

/// A horizontal bar showing a score in [0, 1], coloured by band.
class ScoreBar : public QWidget {
    Q_OBJECT
public:
    explicit ScoreBar(QWidget* parent = nullptr);
    void setScore(double score);
    double score() const { return m_score; }
    /// Scores below `low` are drawn red, below `high` amber, else green.
    void setBands(double low, double high);
    QString text() const;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent*) override;

private:
    double m_score = 0.0;
    double m_low = 0.5;
    double m_high = 0.8;
};

class CompatibilityPanel : public QWidget {
    Q_OBJECT
public:
    explicit CompatibilityPanel(QWidget* parent = nullptr);
    void setScores(const CompatibilitySummary& scores);
    const CompatibilitySummary& scores() const { return m_scores; }
    void clear();
    /// The overall bar and the strategy line (tests read them).
    ScoreBar* overallBar() const { return m_overall; }
    QString strategyText() const;
    /// The bar of a component, or null.
    ScoreBar* barFor(const QString& component) const;
    QString reasonFor(const QString& component) const;

private:
    QGridLayout* m_grid;
    QWidget* m_gridHost;
    ScoreBar* m_overall;
    QLabel* m_overallLabel;
    QLabel* m_strategy;
    QLabel* m_empty;
    CompatibilitySummary m_scores;
};

} // namespace sb
