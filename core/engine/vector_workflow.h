#pragma once
// The vector workflows the CLI, the GUI's session jobs and the transfer
// protocol share: extract preference vectors from a dataset's seeded train
// part at chosen points (single or multi-point at the functional stages), and
// evaluate vectors on held-out pairs with baselines and side effects.

#include "engine/contrastive_dataset.h"
#include "engine/evaluation.h"
#include "engine/extraction.h"
#include "engine/preference_vector.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sb {

class TransformerModel;
class Tokenizer;

/// The hook points for a stage name ("feature_extraction", "representation",
/// "decision_making", or "all" for the three) and a component, with the stage
/// name for each point. InputError for unknown names.
std::vector<std::pair<std::string, HookPoint>> stagePoints(const std::string& stage, HookSite component,
                                                           int64_t numLayers);

struct ExtractionRequest {
    ContrastiveDataset dataset;                  ///< the whole file; its seeded train part is used
    double heldOutFraction = kDefaultHeldOutFraction;
    uint64_t splitSeed = kDefaultSplitSeed;
    std::vector<HookPoint> points;               ///< one vector per point
    std::vector<std::string> stages;             ///< stage name per point ("" when chosen by layer)
    ExtractionMethod method = ExtractionMethod::MeanDifference;
    PositionPolicy policy = PositionPolicy::ContinuationMean;
    ProbeOptions probe;
    int64_t batchSize = 16;
    bool keepActivations = false; ///< return the collected activations too (to store them)
    /// Fraction in [0,1]; false cancels (Cancelled).
    std::function<bool(double)> progress;
};

struct ExtractionResult {
    std::vector<PreferenceVector> vectors;
    DatasetSplit split;
    std::map<HookPoint, PairedActivations> activations; ///< when keepActivations
};

ExtractionResult extractPreferenceVectors(const TransformerModel& model, const Tokenizer& tokenizer,
                                          const ExtractionRequest& request);

/// Which pairs of a dataset an evaluation scores.
struct PairSelection {
    enum class Mode {
        Auto,    ///< the held-out part of the vector's own split when it came from this dataset, else all pairs
        All,     ///< every pair
        HeldOut, ///< the held-out part of the seeded split below (e.g. to score another concept's vector
                 ///< on exactly the pairs the right vector is scored on)
    };
    Mode mode = Mode::Auto;
    uint64_t splitSeed = kDefaultSplitSeed;
    double heldOutFraction = kDefaultHeldOutFraction;
};

/// The pairs to evaluate `vector` on; `description` says which.
std::vector<ContrastivePair> evaluationPairs(const ContrastiveDataset& dataset, const PreferenceVector& vector,
                                             const PairSelection& selection, std::string* description = nullptr);

struct VectorEvaluationRequest {
    ContrastiveDataset dataset;
    PairSelection pairs;
    std::vector<PreferenceVector> vectors; ///< in this model's space (same width)
    std::vector<PreferenceVector> native;  ///< optional ceiling
    std::vector<std::string> neutralTexts; ///< side-effect probe text (empty: no side effects)
    EvaluationOptions options;
};

struct VectorEvaluation {
    EvaluationReport report;
    std::string pairsDescription;
    int64_t pairsUsed = 0;
};

VectorEvaluation evaluatePreferenceVectors(const TransformerModel& model, const Tokenizer& tokenizer,
                                           const VectorEvaluationRequest& request);

/// The bundled neutral probe text (resources/corpus/corpus-sample.txt.gz), or an empty list if absent.
std::vector<std::string> defaultNeutralTexts(int maxTexts = 24);

} // namespace sb
