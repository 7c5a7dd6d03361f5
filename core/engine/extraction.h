#pragma once
// Extracting preference vectors from contrastive pairs.
//
// Activations are read at hook points (any layer x component: resid_pre,
// attn_out, mlp_out, resid_post) with a token position policy:
//   last  - the last continuation token of each text (one row per text);
//   mean  - the mean over the continuation's tokens (one row per text);
//   all   - every continuation token (one row per token).
// Prompt tokens are never used: positive and negative share the prompt, so
// in a causal model their prompt activations are identical.
//
// Methods, all returning a vector in activation units ([hidden], float32):
//   mean  - difference of means, positive minus negative (CAA);
//   pca   - first principal direction of the paired differences
//           pos_i - neg_i, taken uncentred (the RepE construction: centring
//           would subtract the very mean shift that carries the concept),
//           its sign fixed so that positives project higher than their
//           negatives in most pairs (llama.cpp users reported random and
//           inverted signs from sign-agnostic PCA);
//   probe - the weight direction of an L2-regularised logistic regression
//           separating positive from negative rows.
// pca and probe give a direction u; the vector is |m . u| u, with m the
// difference of means, so that its length is the concept's mean separation
// along u and its sign is the method's.

#include "engine/hooks.h"

#include <ATen/Tensor.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sb {

class TransformerModel;
class Tokenizer;
struct ContrastivePair;
struct TokenizedPair;
struct TokenizedText;

enum class ExtractionMethod { MeanDifference, Pca, Probe };
enum class PositionPolicy { LastToken, ContinuationMean, AllTokens };

const char* extractionMethodName(ExtractionMethod m);       ///< "mean", "pca", "probe"
const char* positionPolicyName(PositionPolicy p);           ///< "last", "mean", "all"
std::optional<ExtractionMethod> parseExtractionMethod(const std::string& s); ///< also "caa", "mean_difference"
std::optional<PositionPolicy> parsePositionPolicy(const std::string& s);     ///< also "last_token", "continuation_mean"

/// Activations of the positive and negative texts at one hook point.
/// For last/mean row i of both matrices belongs to pair i; for all, the rows
/// are tokens and positivePair/negativePair give each row's pair.
struct PairedActivations {
    at::Tensor positive; ///< [rows, hidden] float32
    at::Tensor negative; ///< [rows, hidden] float32
    std::vector<int64_t> positivePair;
    std::vector<int64_t> negativePair;
    int64_t numPairs = 0;
    PositionPolicy policy = PositionPolicy::ContinuationMean;
    /// Mean L2 norm of the activation over every non-special token of both
    /// texts of every pair (the point's typical activation size).
    double meanActivationNorm = 0.0;

    /// Per-pair differences [numPairs, hidden]: pos - neg per row (last/mean),
    /// or the difference of each pair's token means (all).
    at::Tensor pairDifferences() const;
};

// --- the methods on given activations (pure functions, double precision inside) ---

/// mean(positive rows) - mean(negative rows). [hidden] float32.
at::Tensor meanDifferenceVector(const at::Tensor& positive, const at::Tensor& negative);

/// Unit first right-singular vector of `differences` ([n, hidden], uncentred),
/// sign chosen so that most rows project positively (ties: the mean projection
/// decides). [hidden] float32.
at::Tensor pcaDirection(const at::Tensor& differences);

struct ProbeOptions {
    /// L2 penalty on the weights, applied after dividing the centred features
    /// by their RMS entry (so it does not depend on the activation scale).
    double l2 = 1e-2;
    int maxIterations = 100; ///< Newton steps
    double tolerance = 1e-10; ///< stop when the Newton decrement^2 / 2 falls below
};

/// Unit weight direction of the logistic regression
///   minimise (1/n) sum log(1 + exp(-y_i (w.z_i + b))) + (l2/2) |w|^2,
///   z_i = (x_i - mean(x)) / rms,   y = +1 positive, -1 negative,
/// solved by damped Newton (Woodbury form when rows < hidden).
/// [hidden] float32, pointing towards the positives.
at::Tensor probeDirection(const at::Tensor& positive, const at::Tensor& negative, const ProbeOptions& options = {});

/// The method applied to collected activations (see the file comment).
at::Tensor extractVector(ExtractionMethod method, const PairedActivations& acts, const ProbeOptions& probe = {});

// --- collecting activations from a model ---

struct CollectOptions {
    PositionPolicy policy = PositionPolicy::ContinuationMean;
    int64_t batchSize = 16; ///< texts per forward
    /// Fraction done in [0,1]; return false to cancel (throws Cancelled).
    std::function<bool(double)> progress;
};

/// Runs the model over both texts of every pair and returns the activations
/// at each requested point.
std::map<HookPoint, PairedActivations> collectPairedActivations(const TransformerModel& model,
                                                               const std::vector<TokenizedPair>& pairs,
                                                               const std::vector<HookPoint>& points,
                                                               const CollectOptions& options = {});

/// Mean L2 norm of the activation at `point` over the non-special tokens of `texts`.
double meanActivationNorm(const TransformerModel& model, const std::vector<TokenizedText>& texts,
                          const HookPoint& point, int64_t batchSize = 16);

} // namespace sb
