#pragma once
// Gradient training of a LearnedAdapter (the SGD variant of the linear
// adapter, and fine-tuning of any fitted adapter) with the seed's losses:
//
//   mapping      relative MSE of adapt(x) against y on paired activations
//                (sum |adapt(x) - y|^2 / sum |y - mean(y)|^2 over the batch),
//                or 1 - cosine of the centred rows;
//   effect       effect preservation: the adapted vector injected into the
//                target at the mapped point should shift the target's
//                preference score (log p(pos) - log p(neg)) on a batch of
//                pairs as much as the source vector shifts the source's on
//                the same pairs; squared difference of the batch-mean shifts,
//                divided by the mean |source shift|^2. Differentiable through
//                the target's forward pass;
//   consistency  architectural consistency over a set of source vectors:
//                mean squared change of their pairwise cosines plus of their
//                norms relative to the set's mean norm.
//   total = w_map mapping + w_effect effect + w_cons consistency (0.1 by default).
//
// AdamW with linear warm-up and cosine decay, global-norm gradient clipping,
// seeded mini-batches, a validation split with early stopping (the best
// parameters are restored), and a per-step callback that can cancel: on
// cancel the parameters of the best step so far are kept and the result says so.

#include "engine/hooks.h"
#include "engine/pair_tokens.h"

#include <ATen/Tensor.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sb {

class LearnedAdapter;
class TransformerModel;

enum class MappingLoss { Mse, Cosine };

/// What effect preservation needs: the target model, the pairs (tokenised for
/// the target), where to inject, the source vector and its measured shift of
/// each pair in the source model (same pair order).
struct EffectData {
    const TransformerModel* target = nullptr;
    HookPoint targetPoint;
    std::vector<TokenizedPair> pairs;
    std::vector<double> sourceShifts;  ///< per pair: source gap steered - unsteered
    at::Tensor sourceVector;           ///< [d_s]
    double alpha = 1.0;
};

struct TrainingData {
    at::Tensor sourceActivations; ///< [n, d_s] paired with
    at::Tensor targetActivations; ///< [n, d_t]
    EffectData effect;            ///< used when effect.target is set and the effect weight > 0
    /// Source vectors whose relative norms and angles the adapter should keep ([k, d_s], k >= 2).
    at::Tensor consistencyVectors;
};

struct TrainingOptions {
    MappingLoss mapping = MappingLoss::Mse;
    double mappingWeight = 1.0;
    double effectWeight = 1.0;
    double consistencyWeight = 0.1;
    int maxSteps = 200;
    int64_t batchSize = 256;        ///< activation rows per step
    int64_t effectPairsPerStep = 4; ///< pairs per effect-loss batch
    double learningRate = 1e-3;
    double weightDecay = 0.0;
    double warmupFraction = 0.05;   ///< of maxSteps, linear from 0
    double minLearningRateFraction = 0.1; ///< cosine decay floor
    double gradientClip = 1.0;      ///< global L2 norm; <= 0 disables
    double validationFraction = 0.2;
    int validateEvery = 10;         ///< steps between validations
    int patience = 5;               ///< validations without improvement before stopping
    uint64_t seed = 1;
    /// Polled between steps and between the target's layers; false cancels
    /// like a callback returning false (the best parameters are kept).
    std::function<bool()> keepGoing;
};

/// One step's numbers (train), or one validation's (validation = true).
struct TrainingStep {
    int step = 0;
    bool validation = false;
    double learningRate = 0.0;
    double total = 0.0;
    double mapping = 0.0;
    double effect = 0.0;      ///< 0 when not used
    double consistency = 0.0; ///< 0 when not used
    double gradientNorm = 0.0; ///< before clipping (train steps)
};

struct TrainingResult {
    std::vector<TrainingStep> history;
    int steps = 0;            ///< optimisation steps taken
    int bestStep = 0;         ///< step whose parameters the adapter now holds
    double bestValidation = 0.0;
    bool stoppedEarly = false;
    bool cancelled = false;
    double seconds = 0.0;
};

/// Per-step callback (train and validation steps); return false to cancel.
using TrainingCallback = std::function<bool(const TrainingStep&)>;

/// Trains the adapter's parameters() in place. InputError when it has none
/// or the data do not fit its widths.
TrainingResult trainAdapter(LearnedAdapter& adapter, const TrainingData& data, const TrainingOptions& options,
                            const TrainingCallback& onStep = {});

/// The losses at the adapter's current parameters on the given rows (no
/// training; the test checks them against direct computations).
double mappingLoss(const at::Tensor& predicted, const at::Tensor& target, MappingLoss kind);
double consistencyLoss(const at::Tensor& sourceVectors, const at::Tensor& adaptedVectors);

} // namespace sb
