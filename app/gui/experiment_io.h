#pragma once
// What the GUI keeps in an experiment file beside the engine's groups: the
// models, the pair dataset and its split, the chosen extraction and injection
// points, the steering request, the open tab and the Training tab's runs
// with the adapter in use, in the group /gui; the Protocol tab's result in
// the engine's own /protocol group (documented in docs/experiment-file.md).

#include "session/protocol_job.h"
#include "widgets/adapter_training_panel.h"
#include "widgets/layer_diagram.h"
#include "widgets/protocol_results_view.h"
#include "widgets/pair_table_editor.h"
#include "widgets/steered_comparison_view.h"

#include <QString>
#include <QVector>

#include <memory>

namespace sb {

class ExperimentGroup;

struct GuiState {
    QString sourceDir;
    QString targetDir;
    QString datasetName;
    QVector<PairRecord> pairs;
    QVector<PairProblem> problems;
    /// Indices into pairs of the held-out ones; empty with splitCurrent false: not split.
    QVector<int> heldOut;
    bool splitCurrent = false;
    double heldOutFraction = 0.5;
    quint64 seed = 2024;
    DiagramPoint extraction{DiagramSide::Source, -1, LayerComponent::Residual};
    DiagramPoint injection{DiagramSide::Target, -1, LayerComponent::Residual};
    SteeringRequest steering;
    int tab = 0;

    // Training tab (/gui/training).
    AdapterTrainingParams trainingSettings; ///< the kind and hyper-parameters shown
    bool useAdapterForTransfer = true;
    QVector<TrainingRunRecord> trainingRuns;
    /// The run whose adapter the transfer uses (-1: none) and that adapter.
    int trainedRun = -1;
    std::shared_ptr<const DimensionAdapter> trainedAdapter;

    /// Protocol tab: the result (/protocol; not valid when none was run), the
    /// settings shown and the fine-tuning curves (/gui/protocol).
    ProtocolSummary protocol;
    ProtocolParams protocolSettings;
    QVector<ProtocolTrainingCurve> protocolTraining;
};

/// Replaces the /gui group of `root` with `state`, and /protocol with
/// state.protocol (removed when it is not valid).
void writeGuiState(ExperimentGroup& root, const GuiState& state);
/// Reads /gui and /protocol; FormatError (naming the file and the path or
/// attribute) when they are malformed, before anything is applied. A file
/// without /gui (written by the command line) gives the default state with
/// the model folders of /comparison and its /protocol when present.
GuiState readGuiState(const ExperimentGroup& root);

} // namespace sb
