#pragma once
// Compatibility of two models for moving a steering vector from the source to
// the target: per-component scores in [0, 1], each with a one-line reason, an
// overall weighted score, and the injection strategy the seed design's rule
// implies (overall > 0.8 -> direct; else dimension > 0.7 -> scaled; else
// adapted). Every function here is a pure function of its arguments (two
// ArchitectureReports plus the optional measurements); the formulas and
// weights are documented in docs/comparison.md.

#include "engine/architecture_report.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sb {

struct ComponentScore {
    double score = 0.0; ///< in [0, 1]
    std::string reason; ///< one line
};

/// The measured comparison of two tokenizers on a probe text
/// (token_alignment.h computes it).
struct TokenizerComparison {
    bool measured = false;
    /// Jaccard overlap of the two vocabularies after normalising word markers
    /// ("▁the", "Ġthe" -> " the") and byte tokens ("<0x0A>", "Ċ" -> "\n"); special tokens excluded.
    double vocabOverlap = 0.0;
    int64_t sharedTokens = 0;
    int64_t sourceVocab = 0; ///< distinct normalised source tokens
    int64_t targetVocab = 0;
    /// Jaccard agreement of the character positions where a token ends (token boundaries) on the probe.
    double boundaryAgreement = 0.0;
    /// Jaccard agreement of the character positions where a token starts a word.
    double wordStartAgreement = 0.0;
    int64_t words = 0;          ///< whitespace-delimited words in the probe
    int64_t alignedWords = 0;   ///< words whose end is a token end in both tokenizations
    int64_t sourceTokens = 0;   ///< tokens of the probe in each tokenization (special ones excluded)
    int64_t targetTokens = 0;

    nlohmann::json toJson() const;
    static TokenizerComparison fromJson(const nlohmann::json& j);
};

/// Weights of the overall score (docs/comparison.md). The structural weights
/// sum to 1; with a representational measurement it takes kRepresentationalWeight
/// and the structural ones are scaled by (1 - kRepresentationalWeight).
struct CompatibilityWeights {
    static constexpr double kDimension = 0.20;
    static constexpr double kDepth = 0.10;
    static constexpr double kAttention = 0.15;
    static constexpr double kNormalization = 0.10;
    static constexpr double kActivation = 0.10;
    static constexpr double kPositional = 0.10;
    static constexpr double kTokenizer = 0.25;
    static constexpr double kRepresentational = 0.30;
};

struct Compatibility {
    ComponentScore dimension;
    ComponentScore depth;
    ComponentScore attention;
    ComponentScore normalization;
    ComponentScore activation;
    ComponentScore positional;
    ComponentScore tokenizer;
    std::optional<ComponentScore> representational;
    ComponentScore overall;

    /// Component name -> weight used for `overall`.
    std::vector<std::pair<std::string, double>> weights() const;
    /// {"dimension": {"score", "reason"}, ..., "overall": {...}, "weights": {...}}
    nlohmann::json toJson() const;
    static Compatibility fromJson(const nlohmann::json& j);
};

/// Scores two models. `tokenizers` is the measured comparison (null: the
/// tokenizer score falls back to the reports' vocabulary sizes and kinds).
/// `representational` is the mean linear CKA along the measured layer mapping
/// (null when activations were not measured); its reason is `representationalReason`.
Compatibility computeCompatibility(const ArchitectureReport& source, const ArchitectureReport& target,
                                   const TokenizerComparison* tokenizers = nullptr,
                                   std::optional<double> representational = std::nullopt,
                                   const std::string& representationalReason = {});

enum class StrategyKind { Direct, Scaled, Adapted };
const char* strategyName(StrategyKind s); ///< "direct", "scaled", "adapted"

struct StrategyDecision {
    StrategyKind strategy = StrategyKind::Adapted;
    double scale = 1.0; ///< for Scaled: the dimension score (the seed's scale=compatibility['dimension'])
    bool requiresAdapter = true;
    std::vector<std::string> reasons;

    nlohmann::json toJson() const;
};

/// The seed's create_injection_strategy rule, with the reasons spelled out.
StrategyDecision chooseStrategy(const Compatibility& c, const ArchitectureReport& source,
                                const ArchitectureReport& target);

} // namespace sb
