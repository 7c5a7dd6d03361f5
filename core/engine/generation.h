#pragma once
// Text generation with a KV cache: greedy or sampled (temperature, top-k,
// top-p, seed), stop tokens, hooks active during prefill and on every new
// token, batched prompts of different lengths (left padding).

#include "engine/hooks.h"

#include <ATen/Tensor.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace sb {

class TransformerModel;

struct SamplingParams {
    bool greedy = true;
    double temperature = 1.0;
    int64_t topK = 0;   ///< 0 = off
    double topP = 1.0;  ///< 1 = off
    uint64_t seed = 0;
    int64_t maxNewTokens = 32;
    std::vector<int64_t> stopTokens; ///< generation of a row ends after one of these
};

struct GenerationRequest {
    std::vector<std::vector<int64_t>> prompts; ///< one or more, each non-empty
    SamplingParams params;
    const HookSet* hooks = nullptr;
    bool keepStepLogits = false; ///< record the logits of every step (tests, analysis)
    /// After each step with the new token of every row (-1 for finished rows);
    /// return false to stop early (result.cancelled = true).
    std::function<bool(int64_t step, const std::vector<int64_t>& tokens)> onStep;
};

struct GenerationResult {
    std::vector<std::vector<int64_t>> sequences; ///< prompt + generated, per row (no padding)
    std::vector<std::vector<int64_t>> generated; ///< generated tokens only
    at::Tensor stepLogits;                       ///< [steps, batch, vocab] when requested
    bool cancelled = false;
};

GenerationResult generate(const TransformerModel& model, const GenerationRequest& request);

/// Picks the next token from logits [vocab] by the sampling rules (host RNG).
int64_t sampleToken(const at::Tensor& logits, const SamplingParams& p, uint64_t& rngState);

} // namespace sb
