#pragma once
// The graduated transfer protocol (engine/transfer_protocol.h, what
// `steerbridge-cli protocol` runs) as a session job: screening, multi-point
// extraction, baselines and learned adapters at every mapped point, each
// evaluated on the dataset's held-out pairs. Progress and cancellation go
// through the engine's progress callback; the fine-tuned rows' training
// steps arrive as trainingStep(). The result is a plain value type (no
// torch here), one row per point x component x strategy.

#include "session/adapter_jobs.h"
#include "session/job.h"
#include "session/session_types.h"

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <limits>
#include <memory>

namespace sb {

class ExperimentGroup;
struct ProtocolResult;

struct ProtocolParams {
    LoadedModel source;
    LoadedModel target;
    PairDataset dataset;    ///< split into train / held out by its fraction and seed
    QStringList stages;     ///< feature_extraction, representation, decision_making; empty: all
    QStringList components; ///< resid_pre, resid_post, attn_out, mlp_out; empty: the engine's default
    QStringList strategies; ///< subset of ProtocolJob::strategies(); empty: all that fit the widths
    bool measuredMapping = true; ///< false: the relative-depth heuristic
    int maxProbeSentences = 0;   ///< 0: the whole bundled probe corpus
    int trainingSteps = -1;      ///< fine-tuning steps of the "+effect" rows; -1: the engine's default
    double alpha = 1.0;
    quint64 seed = 1234;         ///< random vectors, bootstrap and training
    int randomDraws = 0;         ///< random vectors per point; 0: the engine's default
    int bootstrapResamples = 0;  ///< 0: the engine's default
    bool sideEffects = true;     ///< KL on neutral text
};

/// One row of the results table. Missing numbers are NaN.
struct ProtocolRowSummary {
    static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
    QString stage;
    QString component;
    QString strategy;
    QString sourcePoint, targetPoint;
    QString point;           ///< "stage: source point -> target point"
    double cosineToNative = kNone;
    double shift = 0.0, shiftLow = 0.0, shiftHigh = 0.0; ///< preference shift with its 95 % CI
    double efficiency = kNone; ///< shift / native shift
    double randomShift = 0.0;
    double nativeShift = 0.0;
    double kl = kNone;
    qint64 parameters = 0;
    double trainSeconds = 0.0;
    double mappingError = kNone;
    QString description;
};

struct ProtocolSummary {
    QString source, target;
    QString mappingMethod; ///< "measured" or "depth"
    QString dataset;
    int trainPairs = 0, evaluationPairs = 0;
    int fitRows = 0;
    QVector<ProtocolRowSummary> rows;
    int bestRow = -1;
    QString bestPoint;
    QStringList notes;
    double seconds = 0.0;
    QString json; ///< the engine's full result (ProtocolResult::toJson)
    QString csv;  ///< and as CSV
    /// The engine's result (opaque: adapters and vectors), for saving.
    std::shared_ptr<const ProtocolResult> engineResult;
    bool isValid() const { return !rows.isEmpty(); }
};

/// Writes /protocol (ProtocolResult::save, docs/experiment-file.md) from a
/// summary made by ProtocolJob or readProtocolSummary; InputError without one.
void writeProtocolSummary(ExperimentGroup& root, const ProtocolSummary& summary);
/// Reads /protocol back into the summary the job made of it (the same rows,
/// JSON and CSV). FormatError naming the file and the path or attribute.
ProtocolSummary readProtocolSummary(const ExperimentGroup& root);

class ProtocolJob : public Job {
    Q_OBJECT
public:
    explicit ProtocolJob(ProtocolParams params, QObject* parent = nullptr);
    /// The strategies in the protocol's order.
    static QStringList strategies();

Q_SIGNALS:
    /// A training step of a fine-tuned row (`row` names it).
    void trainingStep(const QString& row, const sb::AdapterTrainingStep& step);
    void finished(const sb::ProtocolSummary& result);

protected:
    void execute() override;

private:
    ProtocolParams m_params;
};

} // namespace sb

Q_DECLARE_METATYPE(sb::ProtocolSummary)
