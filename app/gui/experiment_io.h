#pragma once
// What the GUI keeps in an experiment file beside the engine's groups: the
// models, the pair dataset and its split, the chosen extraction and injection
// points, the steering request and the open tab, in the group /gui
// (documented in docs/experiment-file.md).

#include "widgets/layer_diagram.h"
#include "widgets/pair_table_editor.h"
#include "widgets/steered_comparison_view.h"

#include <QString>
#include <QVector>

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
};

/// Replaces the /gui group of `root` with `state`.
void writeGuiState(ExperimentGroup& root, const GuiState& state);
/// Reads /gui; FormatError (naming the file and the attribute) when it is
/// malformed. A file without /gui (written by the command line) gives the
/// default state with the model folders of /comparison when present.
GuiState readGuiState(const ExperimentGroup& root);

} // namespace sb
