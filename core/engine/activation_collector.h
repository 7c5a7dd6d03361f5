#pragma once
// Runs a model over many short token sequences and keeps the activations of
// selected positions at selected hook sites of every layer, packed into one
// [positions, hidden] matrix per (site, layer). Sequences are sorted by
// length and batched with right padding: attention is causal, so the real
// tokens of a shorter sequence never see its padding and need no mask.

#include "engine/hooks.h"

#include <ATen/Tensor.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace sb {

class TransformerModel;

struct ActivationCollectOptions {
    std::vector<HookSite> sites = {HookSite::ResidPost}; ///< ResidPre/AttnOut/MlpOut/ResidPost
    int64_t batchSize = 32;
    /// Called with the fraction done; false cancels (throws Cancelled).
    std::function<bool(double)> progress;
};

struct CollectedActivations {
    /// activations[s][l]: site options.sites[s], layer l: [kept positions, hidden] float32,
    /// rows in the order of the sequences and, within one, of its positions.
    std::vector<std::vector<at::Tensor>> activations;
    int64_t tokens = 0;        ///< real tokens run through the model (padding excluded)
    int64_t paddedTokens = 0;  ///< tokens computed including padding
    double seconds = 0.0;
};

/// ids[i]: the tokens of sequence i; positions[i]: which of its token indices
/// to keep (any order; duplicates allowed). InputError for an empty sequence,
/// a position outside it or a sequence longer than the model's context.
CollectedActivations collectActivations(const TransformerModel& model, const std::vector<std::vector<int64_t>>& ids,
                                        const std::vector<std::vector<int64_t>>& positions,
                                        const ActivationCollectOptions& options = {});

} // namespace sb
