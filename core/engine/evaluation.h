#pragma once
// Measuring what a steering vector does, on held-out pairs only, against
// honest baselines in the same run.
//
// Preference score of a pair: log p(positive | prompt) - log p(negative | prompt),
// summed over the continuation's tokens (and, separately, as the difference
// of the per-token means). The shift of a steering condition is the mean over
// pairs of [score steered - score unsteered], with a seeded percentile
// bootstrap CI over pairs. Each run also measures
//   * a random vector of equal norm at the same points (floor; averaged over
//     several draws, per pair),
//   * the target's own natively extracted vector (ceiling), when given,
//   * transfer efficiency = shift(vector) / shift(native), cosine to native,
//   * side effects on neutral text: mean KL(unsteered || steered) of the
//     next-token distributions over every position, and perplexity change,
// at every alpha of the sweep. All conditions are scored in identical
// batches, so a zero vector gives exactly zero shift.

#include "engine/hooks.h"
#include "engine/pair_tokens.h"
#include "engine/steering.h"

#include <ATen/Tensor.h>

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sb {

class TransformerModel;
class Tokenizer;

/// Summed log-probabilities of each pair's continuations.
struct PairScores {
    std::vector<double> logProbPositive; ///< sum over the positive continuation's tokens
    std::vector<double> logProbNegative;
    std::vector<int64_t> tokensPositive;
    std::vector<int64_t> tokensNegative;

    std::size_t size() const { return logProbPositive.size(); }
    double gap(std::size_t i) const { return logProbPositive[i] - logProbNegative[i]; }
    double gapPerToken(std::size_t i) const;
};

struct ScoreOptions {
    int64_t batchSize = 16; ///< texts per forward
    std::function<bool()> keepGoing;
};

/// log p of each sequence's tokens in [begin, end) (unpadded positions),
/// summed: [B] float32. Runs under the caller's grad mode, so it is
/// differentiable with respect to tensors the hooks use (effect-preservation
/// training).
at::Tensor sequenceLogProbs(const TransformerModel& model, const TokenBatch& batch,
                            const std::vector<std::pair<int64_t, int64_t>>& ranges, const HookSet* hooks,
                            const std::function<bool()>& keepGoing = {});

/// Scores every pair (no gradient).
PairScores scorePairs(const TransformerModel& model, const std::vector<TokenizedPair>& pairs, const HookSet* hooks,
                      const ScoreOptions& options = {});

/// Mean with a percentile bootstrap confidence interval.
struct MeanWithCi {
    double mean = 0.0;
    double low = 0.0;
    double high = 0.0;
    int64_t n = 0;
};
/// Resamples the values with replacement (splitmix64, `seed`), `resamples`
/// times; the interval holds the central `level` of the resampled means
/// (linear interpolation between order statistics).
MeanWithCi bootstrapMean(const std::vector<double>& values, uint64_t seed, int resamples = 2000, double level = 0.95);

/// Side effects of a steering condition on neutral text.
struct SideEffects {
    double kl = 0.0;            ///< mean KL(unsteered || steered) per position, nats
    double pplUnsteered = 0.0;  ///< exp(mean NLL) of the text's tokens
    double pplSteered = 0.0;
    int64_t positions = 0;
    double pplChange() const { return pplSteered - pplUnsteered; }
};

/// Unsteered next-token log-probabilities of neutral texts, computed once and
/// compared with every steered condition.
class NeutralBaseline {
public:
    NeutralBaseline(const TransformerModel& model, std::vector<TokenizedText> texts, int64_t batchSize = 16);
    SideEffects measure(const HookSet* hooks) const;
    bool empty() const { return m_texts.empty(); }

private:
    const TransformerModel& m_model;
    std::vector<TokenizedText> m_texts;
    int64_t m_batchSize;
    std::vector<at::Tensor> m_logProbs; ///< per batch [B, S, V]
    std::vector<TokenBatch> m_batches;
    double m_nll = 0.0;
    int64_t m_count = 0;
};

/// Neutral probe text: documents of a .txt or .txt.gz file (split at
/// "<|endoftext|>" markers or blank lines), the first `maxTexts`, each cut
/// after the sentence that reaches `maxChars`.
std::vector<std::string> readNeutralTexts(const std::string& path, int maxTexts = 24, int maxChars = 240);
/// Tokenises neutral texts (special tokens added), at most `maxTokens` each; every token after the first is scored.
std::vector<TokenizedText> tokenizeNeutralTexts(const Tokenizer& tok, const std::vector<std::string>& texts,
                                                int64_t maxTokens = 96);

struct EvaluationOptions {
    std::vector<double> alphas{1.0};
    int randomDraws = 4;
    uint64_t seed = 1234;        ///< random vectors and bootstrap
    int bootstrapResamples = 2000;
    double ciLevel = 0.95;
    int64_t batchSize = 16;
    bool sideEffects = true;     ///< needs neutral texts
    /// Fraction done in [0,1] and what is being measured; false cancels (throws Cancelled).
    std::function<bool(double, const std::string&)> progress;
};

/// One steering condition at one alpha.
struct ConditionResult {
    std::string label;  ///< "vector", "native", "random", or a caller's name
    double alpha = 0.0;
    MeanWithCi shift;          ///< of the summed gap
    MeanWithCi shiftPerToken;  ///< of the per-token gap
    std::vector<double> perPairShift;
    std::optional<SideEffects> sideEffects;
    std::vector<double> drawShifts; ///< random: the mean shift of each draw
};

struct EvaluationReport {
    std::string model;
    int64_t numPairs = 0;
    MeanWithCi unsteeredGap;          ///< the unsteered model's preference score (floor)
    MeanWithCi unsteeredGapPerToken;
    std::vector<ConditionResult> conditions; ///< for each alpha: vector, [native], random
    std::optional<double> cosineToNative;    ///< mean over matched points
    std::vector<std::string> notes;

    const ConditionResult* find(const std::string& label, double alpha) const;
    /// shift(vector) / shift(native) at alpha (nullopt without a native run or a zero native shift).
    std::optional<double> transferEfficiency(double alpha) const;
    nlohmann::json toJson() const;
};

/// Runs the whole comparison. `vector` are the terms under test (already in
/// the target's space); `native` the target's own vector (may be empty).
EvaluationReport evaluateSteering(const TransformerModel& model, const std::vector<TokenizedPair>& heldOut,
                                  const std::vector<SteeringTerm>& vector, const std::vector<SteeringTerm>& native,
                                  const NeutralBaseline* neutral, const EvaluationOptions& options = {});

} // namespace sb
