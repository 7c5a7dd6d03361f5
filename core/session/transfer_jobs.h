#pragma once
// The GUI's transfer workflow on worker threads, with torch-free value types.
//
// TransferExtractionJob extracts the preference vector at every layer of both
// models from the seeded train part of one dataset (so the vector norm per
// layer can be plotted for both), keeps the source's vector at the chosen
// extraction point and the target's own (native) vector at the injection
// point, and brings the source vector into the target's space with the
// injection strategy the compatibility scores imply (engine/injection.h:
// direct, scaled or adapted through a baseline dimension adapter).
//
// SteeredComparisonJob generates one prompt in several columns (target
// unsteered, target with its native vector, target with the transferred
// vector, optionally the source with its own vector), one after the other,
// each token updating its column, and scores every column's condition on the
// dataset's held-out pairs: the mean preference gap
// log p(positive) - log p(negative) with a bootstrap interval, and its shift
// against the same model unsteered.

#include "session/job.h"
#include "session/session_types.h"
#include "session/vector_types.h"

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <limits>

namespace sb {

/// One contrastive pair as typed or imported in the GUI.
struct PairText {
    QString prompt;
    QString positive;
    QString negative;
    int line = 0; ///< line in its file (0: typed in)
};

/// The dataset a job reads, with the train / held-out split to use.
struct PairDataset {
    QString name;
    QVector<PairText> pairs;
    double heldOutFraction = 0.5;
    quint64 splitSeed = 2024;
};

struct TransferParams {
    LoadedModel source;
    LoadedModel target;
    PairDataset dataset;
    QString method = QStringLiteral("mean");   ///< mean, pca, probe
    QString policy = QStringLiteral("mean");   ///< last, mean, all
    QString sourceComponent = QStringLiteral("resid_post");
    int sourceLayer = -1;                      ///< -1: the representation stage's layer
    QString targetComponent = QStringLiteral("resid_post");
    int targetLayer = -1;                      ///< -1: the layer of equal relative depth
    /// Compatibility scores (from the comparison) that choose the strategy;
    /// unset (overall < 0): the engine's quick estimate from the two configs.
    double overall = -1.0;
    double dimension = 0.0;
    QStringList reasons;
    QString strategy;                          ///< empty: by the scores; else direct, scaled, adapted
};

struct TransferResult {
    VectorSet sourceLayers; ///< the source's vector at every layer (sourceComponent)
    VectorSet targetLayers; ///< the target's native vector at every layer (targetComponent)
    VectorSet source;       ///< at the extraction point
    VectorSet native;       ///< at the injection point
    VectorSet transferred;  ///< the source vector in the target's space, at the injection point
    QString strategy;       ///< e.g. "scaled (truncate)"
    QStringList reasons;
    double cosineToNative = std::numeric_limits<double>::quiet_NaN();
    int trainPairs = 0;
    int heldOutPairs = 0;
    bool isValid() const { return source.isValid() && native.isValid() && transferred.isValid(); }
};

class TransferExtractionJob : public Job {
    Q_OBJECT
public:
    explicit TransferExtractionJob(TransferParams params, QObject* parent = nullptr);

Q_SIGNALS:
    void finished(const sb::TransferResult& result);

protected:
    void execute() override;

private:
    TransferParams m_params;
};

/// One column of a steered comparison.
struct SteeredColumn {
    int side = 1;        ///< 0 source model, 1 target model
    VectorSet vectors;   ///< empty: unsteered
};

/// A column's preference numbers on the held-out pairs.
struct ColumnScore {
    int pairs = 0;
    double gap = 0.0;        ///< mean log p(positive) - log p(negative), nats
    double low = 0.0;        ///< 95 % bootstrap interval of the mean
    double high = 0.0;
    double shift = 0.0;      ///< gap minus the same model's unsteered gap
    int generatedTokens = 0;
};

struct SteeredComparisonParams {
    LoadedModel source;
    LoadedModel target;
    QVector<SteeredColumn> columns;
    QString prompt;
    double alpha = 4.0;
    quint64 seed = 0;
    int maxNewTokens = 48;
    double temperature = 0.8; ///< sampling with `seed`; 0 = greedy
    PairDataset dataset;      ///< scored on its held-out part (no pairs: no scores)
};

class SteeredComparisonJob : public Job {
    Q_OBJECT
public:
    explicit SteeredComparisonJob(SteeredComparisonParams params, QObject* parent = nullptr);

Q_SIGNALS:
    /// The column's continuation so far (decoded from all its tokens, so
    /// multi-byte characters are never split).
    void textUpdated(int column, const QString& text);
    void columnScored(int column, const sb::ColumnScore& score);
    void finished();

protected:
    void execute() override;

private:
    SteeredComparisonParams m_params;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::TransferResult)
Q_DECLARE_METATYPE(sb::ColumnScore)
