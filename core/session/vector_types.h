#pragma once
// Value types of the vector jobs, for widgets. No torch: the vectors
// themselves travel as an opaque shared pointer to the engine's type, which
// only the session and engine dereference.

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>
#include <vector>

namespace sb {

struct PreferenceVector;

/// What a widget shows about one vector.
struct VectorSummary {
    QString point;      ///< "blocks.2.hook_resid_post"
    int layer = -1;
    QString component;  ///< "resid_post"
    QString stage;      ///< "representation" or empty
    QString model;
    QString method;     ///< "mean", "pca", "probe"
    QString policy;     ///< "last", "mean", "all"
    QString dataset;
    QString datasetHash;
    QString origin;
    int numPairs = 0;
    int hiddenSize = 0;
    double norm = 0.0;
    double meanActivationNorm = 0.0;
    QVector<float> values; ///< the vector's entries (for plots)
};

/// Vectors made or loaded by a job. `vectors` is shared and never modified.
struct VectorSet {
    QList<VectorSummary> summaries;
    std::shared_ptr<const std::vector<PreferenceVector>> vectors;
    QString datasetName;
    QString datasetHash;
    int trainPairs = 0;
    int heldOutPairs = 0;
    QStringList datasetProblems; ///< "line N: reason" for records skipped
    bool isValid() const { return vectors != nullptr && !vectors->empty(); }
};

/// One steering condition at one alpha.
struct ConditionRow {
    QString label; ///< "vector", "native", "random"
    double alpha = 0.0;
    double shift = 0.0;
    double ciLow = 0.0;
    double ciHigh = 0.0;
    double shiftPerToken = 0.0;
    double ciPerTokenLow = 0.0;
    double ciPerTokenHigh = 0.0;
    bool hasSideEffects = false;
    double kl = 0.0;
    double pplUnsteered = 0.0;
    double pplSteered = 0.0;
};

struct EvaluationSummary {
    QString model;
    QString pairs;           ///< which pairs were used
    int numPairs = 0;
    double unsteeredGap = 0.0;
    double unsteeredLow = 0.0;
    double unsteeredHigh = 0.0;
    QList<ConditionRow> rows;
    bool hasCosine = false;
    double cosineToNative = 0.0;
    QStringList notes;
    QString json;            ///< the full report as JSON
};

/// A contrastive pair file as read by the engine's parser (JSONL, CAA, CSV).
struct ImportedPairs {
    QString file;
    QStringList prompts;
    QStringList positives;
    QStringList negatives;
    QVector<int> lines;          ///< line of each pair in the file
    QVector<int> problemLines;   ///< records that were skipped...
    QStringList problemReasons;  ///< ...and why
    QString hash;                ///< the dataset hash (SHA-256 of the pairs)
    QString error;               ///< set when the whole file could not be read
};

/// Unsteered and steered continuations of one prompt.
struct SteeredTexts {
    QString prompt;
    QString unsteered;
    QString steered;
    double alpha = 0.0;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::VectorSet)
Q_DECLARE_METATYPE(sb::EvaluationSummary)
Q_DECLARE_METATYPE(sb::SteeredTexts)
