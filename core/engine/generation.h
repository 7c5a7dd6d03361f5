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

/// The tokens that end generation for this model: generation_config.json's
/// eos_token_id (a number or a list) when the folder has one, else the
/// config's eos token ids. FormatError for an unreadable generation_config.json.
std::vector<int64_t> stopTokensFor(const TransformerModel& model);

/// Picks the next token from logits [vocab] by the sampling rules (host RNG).
int64_t sampleToken(const at::Tensor& logits, const SamplingParams& p, uint64_t& rngState);

} // namespace sb
