#pragma once
// Comparing two models: architecture reports, compatibility scores and
// injection strategy, the depth-heuristic layer mapping, and (when measured)
// layer-by-layer representational similarity on a probe corpus with the
// monotone and best-match layer mappings it implies.
//
// ComparisonResult is a plain value type (no torch) shared by the CLI
// (`steerbridge-cli compare`), the GUI's CompareJob and the experiment store.

#include "engine/architecture_report.h"
#include "engine/compatibility.h"
#include "engine/layer_mapping.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sb {

class TransformerModel;
class Tokenizer;
class ExperimentGroup;

/// Layer-by-layer similarity at one hook site.
struct SiteSimilarity {
    std::string site = "resid_post"; ///< resid_post, attn_out, mlp_out
    LayerMatrix cka;                 ///< [source layers x target layers]
    LayerMatrix ckaDebiased;
    LayerMatrix mutualKnn;
    std::string form;                ///< "covariance" or "gram"
    bool doublePrecision = true;
    int64_t samples = 0;
    int64_t knnK = 0;
    double seconds = 0.0;
};

struct ProbeInfo {
    std::string path;                 ///< file the sentences came from ("" when given directly)
    std::string fnv1a64;              ///< hash of the file's bytes
    std::vector<std::string> sentences;
    int64_t words = 0;
    int64_t alignedPositions = 0;     ///< positions used as samples (after any subsampling)
    int64_t duplicatePositions = 0;   ///< aligned positions dropped because their text prefix was seen before
    int64_t sourceTokens = 0;         ///< tokens each model ran (measured comparisons)
    int64_t targetTokens = 0;
};

struct ComparisonTimings {
    double sourceCollectSeconds = 0, targetCollectSeconds = 0;
    double similaritySeconds = 0;
    double totalSeconds = 0;
};

struct ComparisonResult {
    ArchitectureReport source;
    ArchitectureReport target;
    std::optional<TokenizerComparison> tokenizers;
    Compatibility compatibility;
    StrategyDecision strategy;
    LayerMapping depthMapping;

    bool measured = false;
    LayerMapping measuredMapping;  ///< monotone path through the resid_post linear CKA
    LayerMapping bestMatchMapping; ///< per source layer, the most similar target layer
    std::vector<SiteSimilarity> similarity; ///< resid_post first
    std::vector<MappingDisagreement> disagreements; ///< depth heuristic vs measured path
    ProbeInfo probe;
    ComparisonTimings timings;

    /// The resid_post similarity (first entry); InputError when not measured.
    const SiteSimilarity& residual() const;

    /// The object `steerbridge-cli compare --json` prints.
    nlohmann::json toJson() const;
    /// Writes /comparison as docs/experiment-file.md describes (replacing any previous one).
    void save(ExperimentGroup& root) const;
    /// Reads /comparison back; FormatError naming what is missing.
    static ComparisonResult load(const ExperimentGroup& root);
};

struct ComparisonOptions {
    bool measure = false;
    /// Probe corpus file; empty: the bundled resources/corpus/probe.txt.
    std::string probePath;
    /// Sentences to use instead of reading probePath (tests, GUI edits).
    std::vector<std::string> probeSentences;
    /// Hook sites to measure: "resid_post" always first; "attn_out", "mlp_out" on request.
    std::vector<std::string> sites = {"resid_post"};
    int64_t batchSize = 32;
    int64_t knnK = 10;
    std::string ckaForm = "auto"; ///< "auto", "covariance", "gram"
    /// At most this many aligned positions are used (evenly spaced subset); 0 = all.
    int64_t maxSamples = 8192;
    /// Fraction done and what is happening; return false to cancel (throws Cancelled).
    std::function<bool(double, const std::string&)> progress;
};

/// Token ids and the aligned positions in each model (one entry per sequence;
/// sourcePositions[i][k] and targetPositions[i][k] are the same text position).
struct AlignedProbe {
    std::vector<std::vector<int64_t>> sourceIds, targetIds;
    std::vector<std::vector<int64_t>> sourcePositions, targetPositions;
    int64_t words = 0;
    int64_t duplicates = 0; ///< word ends dropped because the same text prefix came earlier
};

/// Encodes every sentence with both tokenizers (special tokens as each model
/// expects) and keeps the last token of each word present in both, dropping
/// tokens past either model's context and repeated text prefixes (identical
/// inputs, identical activations: "The" at the start of many sentences).
AlignedProbe alignProbe(const Tokenizer& source, const Tokenizer& target, const std::vector<std::string>& sentences,
                        int64_t sourceContext, int64_t targetContext);

/// The measurement alone, on given ids and positions (tests run it on
/// self / rotated / shuffled copies with one tokenizer's ids): fills
/// similarity, measuredMapping, bestMatchMapping, disagreements, timings and
/// the probe counts of `result`, and marks it measured.
void measureLayerSimilarity(const TransformerModel& source, const TransformerModel& target, const AlignedProbe& probe,
                            const ComparisonOptions& options, ComparisonResult& result);

/// The whole comparison. Tokenizers may be null (then the tokenizer score is
/// not measured and `measure` raises UnsupportedError).
ComparisonResult compareModels(const TransformerModel& source, const Tokenizer* sourceTokenizer,
                               const TransformerModel& target, const Tokenizer* targetTokenizer,
                               const ComparisonOptions& options = {});

/// Recomputes compatibility and strategy from the reports, the tokenizer
/// comparison and (if measured) the mean CKA along the measured mapping.
void scoreComparison(ComparisonResult& result);

} // namespace sb
