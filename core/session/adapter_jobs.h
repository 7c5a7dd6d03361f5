#pragma once
// Adapter training as a session job: fits a learned adapter for one mapped
// point and fine-tunes it with mapping + effect preservation + consistency
// on a worker thread. Every optimisation step (and every validation) is
// delivered by stepReported() as a plain value (the GUI's live loss plot);
// cancel() stops within one step or one layer of the target's forward pass
// and still delivers finished() with the best parameters so far
// (outcome.cancelled = true), then cancelled(). No torch in this header.

#include "session/job.h"
#include "session/session_types.h"

#include <QMetaType>
#include <QString>
#include <QVector>

#include <memory>

namespace sb {

class DimensionAdapter;
class ExperimentGroup;

/// One training step's loss terms (validation = true for a validation pass).
struct AdapterTrainingStep {
    int step = 0;
    bool validation = false;
    double learningRate = 0.0;
    double total = 0.0;
    double mapping = 0.0;
    double effect = 0.0;
    double consistency = 0.0;
};

struct AdapterTrainingParams {
    LoadedModel source;
    LoadedModel target;
    QString pairsFile;  ///< the pairs to train with; empty: `dataset`
    PairDataset dataset; ///< used when pairsFile is empty (the GUI's table)
    QString stage = QStringLiteral("representation");
    QString component = QStringLiteral("resid_post");
    int sourceLayer = -1; ///< -1: from the stage
    int targetLayer = -1; ///< -1: depth mapping
    /// linear, linear_sgd, low_rank, residual, multi_scale, architecture_aware
    QString kind = QStringLiteral("architecture_aware");
    int steps = 100;
    double learningRate = 2e-3;
    double mappingWeight = 1.0;
    double effectWeight = 1.0;
    double consistencyWeight = 0.1;
    int validateEvery = 10;
    int patience = 5;
    quint64 seed = 1;
    double heldOutFraction = 0.5; ///< with pairsFile (a dataset brings its own split)
    quint64 splitSeed = 2024;
    int maxProbeSentences = 0;  ///< 0 = the whole bundled probe corpus
    QString adapterFile;        ///< optional: save the adapter (safetensors)
    QString experimentFile;     ///< optional: write /adapters/<name> into this experiment (HDF5)
    QString name = QStringLiteral("adapter"); ///< group name in the experiment
};

struct AdapterTrainingSummary {
    QString kind;
    QString description;
    qint64 parameters = 0;
    QString sourcePoint, targetPoint;
    int steps = 0;
    int bestStep = 0;
    bool cancelled = false;
    bool stoppedEarly = false;
    double seconds = 0.0;
    double mappingErrorFitted = 0.0, mappingErrorTrained = 0.0;
    double cosineToNativeFitted = 0.0, cosineToNativeTrained = 0.0;
    QVector<AdapterTrainingStep> history;
    QString adapterFile;    ///< where it was saved ("" if not asked)
    QString experimentFile; ///< where the results were written ("" if not asked)
    /// The trained adapter (opaque: engine type).
    std::shared_ptr<const DimensionAdapter> adapter;
};

/// Writes a trained adapter into `group` with the experiment file's adapter
/// serializer (saveAdapterGroup: kind, config, tensors).
void writeTrainedAdapter(ExperimentGroup& group, const DimensionAdapter& adapter);
/// Reads it back; it adapts exactly as the saved one. FormatError naming the
/// file and group when it is missing or malformed.
std::shared_ptr<const DimensionAdapter> readTrainedAdapter(const ExperimentGroup& group);

class AdapterTrainingJob : public Job {
    Q_OBJECT
public:
    explicit AdapterTrainingJob(AdapterTrainingParams params, QObject* parent = nullptr);

Q_SIGNALS:
    void stepReported(const sb::AdapterTrainingStep& step);
    void finished(const sb::AdapterTrainingSummary& outcome);

protected:
    void execute() override;

private:
    AdapterTrainingParams m_params;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::AdapterTrainingStep)
Q_DECLARE_METATYPE(sb::AdapterTrainingSummary)
