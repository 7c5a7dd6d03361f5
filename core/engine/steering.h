#pragma once
// Adding vectors to a model's activations: one or several hook points at
// once, scaled by alpha, at the token positions chosen (prompt, generated,
// both).

#include "engine/hooks.h"

#include <ATen/Tensor.h>

#include <cstdint>
#include <vector>

namespace sb {

/// One vector ([hidden] float32) added at one hook point.
struct SteeringTerm {
    HookPoint point;
    at::Tensor vector;
};

struct Steering {
    std::vector<SteeringTerm> terms;
    double alpha = 1.0;
    PositionFilter positions; ///< All by default; Prompt/Generated use KV-cache slots

    bool empty() const { return terms.empty(); }
    /// Adds one addVectorHook per term to `hooks`.
    void install(HookSet& hooks) const;
    HookSet hooks() const;
};

/// A vector of the same norm as `like` in a uniformly random direction
/// (Gaussian, from a splitmix64 stream: the same on every platform).
at::Tensor randomVectorLike(const at::Tensor& like, uint64_t seed);

/// Terms with every vector replaced by a random one of equal norm (seed + term index).
std::vector<SteeringTerm> randomTermsLike(const std::vector<SteeringTerm>& terms, uint64_t seed);

/// Cosine of two vectors of one width (0 when either is zero).
double cosineSimilarity(const at::Tensor& a, const at::Tensor& b);

} // namespace sb
