#pragma once
// The graduated transfer protocol (the seed's experimental protocol as one
// call): compatibility screening -> multi-point extraction (stages x
// components) -> at every mapped point: direct (equal widths) -> scaled ->
// truncate / pad / PCA baselines -> ridge linear, Procrustes -> low-rank,
// residual, multi-scale, architecture-aware (closed form, and fine-tuned with
// effect preservation + consistency) -> each evaluated on held-out pairs
// against the target's native vector and a random vector of equal norm.
//
// Paired activations for fitting: both models read the same texts (the probe
// corpus plus the texts of the training pairs, never the held-out ones); the
// rows are the last token of every word whose end is a token end in both
// tokenisations (character-span alignment), at the source point and at its
// mapped target point.

#include "engine/adapter_training.h"
#include "engine/adapters.h"
#include "engine/evaluation.h"
#include "engine/hooks.h"
#include "engine/paired_activations.h" // PairedPointActivations, collectPairedPointActivations

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sb {

class TransformerModel;
class Tokenizer;
class ExperimentGroup;
class LearnedAdapter;
struct ContrastiveDataset;

/// The strategies, in the protocol's order.
const std::vector<std::string>& protocolStrategies();

struct ProtocolOptions {
    std::vector<std::string> stages{"feature_extraction", "representation", "decision_making"};
    std::vector<HookSite> components{HookSite::ResidPost, HookSite::AttnOut, HookSite::MlpOut};
    /// Subset of protocolStrategies() (empty: all that fit the widths).
    std::vector<std::string> strategies;
    /// "measured": target layers from the CKA path over the probe (falls back to
    /// "depth" when it cannot be measured); "depth": the relative-depth heuristic.
    std::string mapping = "measured";
    std::vector<std::string> probeSentences; ///< empty: the bundled probe corpus
    int64_t maxProbeSentences = 0;           ///< 0 = all
    double heldOutFraction = 0.5;            ///< ignored with an explicit held-out set
    uint64_t splitSeed = 2024;
    EvaluationOptions evaluation;            ///< alphas: the first one is reported
    int lowRank = 0;                         ///< 0: min(d_s, d_t) / 4
    int multiScales = 3;
    RidgeOptions ridge;
    TrainingOptions training;                ///< effect-preserving fine-tuning (maxSteps 0 skips it)
    /// Fraction done and what is running; false cancels (throws Cancelled).
    std::function<bool(double, const std::string&)> progress;
    /// Every training step of the fine-tuned rows; false cancels.
    std::function<bool(const std::string& row, const TrainingStep&)> onTrainingStep;
    /// An experiment file's root group: paired activations are read from its
    /// /paired_activations cache when present and stored there otherwise (the
    /// caller saves the file). Null: no cache.
    ExperimentGroup* activationCache = nullptr;
    ProtocolOptions();
};

struct ProtocolRow {
    std::string stage;       ///< functional stage of the source layer
    std::string component;   ///< resid_post, attn_out, mlp_out
    std::string strategy;
    HookPoint sourcePoint, targetPoint;
    std::optional<double> cosineToNative;
    MeanWithCi shift;        ///< preference shift of the transferred vector
    std::optional<double> efficiency; ///< shift / native shift
    double randomShift = 0.0;
    double nativeShift = 0.0;
    std::optional<double> kl; ///< side effect on neutral text
    int64_t parameters = 0;
    double trainSeconds = 0.0;
    std::optional<double> mappingError; ///< relative error on held-out activation rows (adapters only)
    std::string description;
    /// |transferred| / |native|: how long the transferred vector is against the target's own.
    std::optional<double> normRatio;
    /// A diagnostic of direction alone: the transfer efficiency of the transferred
    /// vector rescaled to the native vector's norm (uses the native norm, so it
    /// is not a transfer method; it separates a short vector from a wrong direction).
    std::optional<double> efficiencyAtNativeNorm;
    /// The fitted adapter (null for direct and scaled, which have none).
    std::shared_ptr<DimensionAdapter> adapter;
    /// The transferred vector that was evaluated, [d_t] float32.
    at::Tensor transferred;

    /// point = "stage: source point -> target point".
    std::string pointLabel() const;
    nlohmann::json toJson() const;
};

struct ProtocolResult {
    std::string source, target;
    nlohmann::json screening;          ///< compatibility scores and strategy decision
    std::string mappingMethod;         ///< "measured" or "depth"
    std::vector<std::pair<int64_t, int64_t>> layerPairs; ///< source layer -> target layer used
    std::string dataset;
    int64_t trainPairs = 0, evaluationPairs = 0;
    int64_t fitRows = 0;               ///< paired activation rows per point
    std::vector<ProtocolRow> rows;
    int bestRow = -1;                  ///< see bestPoint()
    std::string bestPoint;             ///< "stage/component" where the native vector moves the target most
    std::vector<std::string> notes;
    double seconds = 0.0;
    int64_t pairedPointsCached = 0;   ///< points whose paired activations came from the cache
    int64_t pairedPointsComputed = 0; ///< points whose paired activations were collected by running the models

    /// {"rows": [...], "best": {...}, plus "source", "target", "best_point", "screening", "notes"}.
    nlohmann::json toJson() const;
    /// One header line and one line per row (RFC 4180 quoting).
    std::string toCsv() const;
    /// A fixed-width table for the terminal.
    std::string toTable() const;
    /// Writes /protocol (docs/experiment-file.md), with every row's adapter
    /// and transferred vector under /protocol/row_adapters/<row>.
    void save(ExperimentGroup& root) const;
};

/// Reads /protocol back (what save() wrote): the rows with their numbers,
/// stages, points, descriptions, adapters and transferred vectors, the best
/// row, screening, notes and layer pairs; toJson() and toCsv() of the result
/// equal those of the saved one (MeanWithCi::n is not stored: 0). FormatError
/// naming the file and the path or attribute when something is missing or malformed.
ProtocolResult loadProtocolResult(const ExperimentGroup& root);

/// The experiment file's one adapter serializer (protocol rows, /adapters,
/// the GUI's trained adapter): @kind, @description, @config (with
/// source_dim and target_dim), @parameters and tensors/<name> as held.
/// InputError for a tensor name with '/'.
void saveAdapterGroup(ExperimentGroup& group, const DimensionAdapter& adapter);
/// Recreates an adapter written by saveAdapterGroup (null when @kind is
/// empty); it adapts exactly as the saved one. FormatError naming the file and group.
std::unique_ptr<DimensionAdapter> loadAdapterGroup(const ExperimentGroup& group);

/// The adapter of row `row` of a saved protocol (/protocol/row_adapters/<row>),
/// recreated from its kind, config and tensors; null for a row without one
/// (direct, scaled). FormatError when the file has no such row.
std::unique_ptr<DimensionAdapter> loadProtocolRowAdapter(const ExperimentGroup& root, std::size_t row);
/// The transferred vector of that row, [d_t] float32.
at::Tensor loadProtocolRowVector(const ExperimentGroup& root, std::size_t row);

/// One learned adapter for one mapped point, fitted in closed form and then
/// (when it has trainable parameters and steps > 0) fine-tuned with mapping +
/// effect preservation + consistency: what the GUI's training tab runs.
struct AdapterTrainingRequest {
    std::string stage = "representation"; ///< picks the source layer (functionalLayer)
    HookSite component = HookSite::ResidPost;
    std::optional<int64_t> sourceLayer;   ///< overrides the stage
    std::optional<int64_t> targetLayer;   ///< default: the depth mapping of the source layer
    /// linear, linear_sgd (from a random start), low_rank, residual, multi_scale, architecture_aware.
    std::string kind = "architecture_aware";
    double heldOutFraction = 0.5;
    uint64_t splitSeed = 2024;
    std::vector<std::string> probeSentences; ///< empty: the bundled probe corpus
    int64_t maxProbeSentences = 0;
    RidgeOptions ridge;
    int lowRank = 0;
    int multiScales = 3;
    TrainingOptions training;
    std::function<bool(double, const std::string&)> progress; ///< false cancels before training
    TrainingCallback onStep;                                   ///< every step; false cancels
};

struct AdapterTrainingOutcome {
    std::shared_ptr<LearnedAdapter> adapter;
    TrainingResult training;
    HookPoint sourcePoint, targetPoint;
    int64_t fitRows = 0;
    double mappingErrorFitted = 0.0;  ///< held-out activation rows, after the closed-form fit
    double mappingErrorTrained = 0.0; ///< and after training
    double cosineToNativeFitted = 0.0; ///< adapted source vector vs the target's own
    double cosineToNativeTrained = 0.0;
    bool cancelled = false;

    /// Writes /adapters/<name>: description, config, the loss history [steps, 7]
    /// (step, validation, lr, total, mapping, effect, consistency) and the tensors.
    void save(ExperimentGroup& root, const std::string& name) const;
};

AdapterTrainingOutcome trainTransferAdapter(const TransformerModel& source, const Tokenizer& sourceTokenizer,
                                            const TransformerModel& target, const Tokenizer& targetTokenizer,
                                            const ContrastiveDataset& pairs, const AdapterTrainingRequest& request);

/// Runs the protocol. `evaluation` may be null: the seeded held-out part of
/// `pairs` is then used (and the rest trains); otherwise all of `pairs` train
/// and `evaluation` is scored.
ProtocolResult runTransferProtocol(const TransformerModel& source, const Tokenizer& sourceTokenizer,
                                   const TransformerModel& target, const Tokenizer& targetTokenizer,
                                   const ContrastiveDataset& pairs, const ContrastiveDataset* evaluation,
                                   const ProtocolOptions& options = {});

} // namespace sb
