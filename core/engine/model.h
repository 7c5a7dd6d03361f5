#pragma once
// A loaded Hugging Face causal LM run by one generic decoder block.
//
// Weights come from safetensors (zero-copy for F32, converted for F16/BF16),
// validated against the ArchitectureSpec: every tensor the configuration
// needs must be present with the implied shape; unexpected tensors are
// reported in LoadReport (or refused with LoadOptions::strict).
//
// forward() is const and thread-safe: all per-call state (KV cache, hooks)
// belongs to the caller. Weights are ordinary (non-inference) tensors, so a
// caller may run forward() with autograd on to differentiate through the
// model with respect to a steering vector.

#include "engine/architecture.h"
#include "engine/hooks.h"
#include "engine/kv_cache.h"

#include <ATen/Tensor.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sb {

class SafetensorsFile;

/// The files of a Hugging Face model directory.
struct ModelDirectory {
    std::string path;
    std::string config;                 ///< config.json
    std::vector<std::string> weights;   ///< model.safetensors or the shards
    std::string shardIndex;             ///< model.safetensors.index.json when sharded
    std::string generationConfig;       ///< optional
    std::string tokenizerJson;          ///< optional tokenizer.json
    std::string tokenizerModel;         ///< optional tokenizer.model
    std::string tokenizerConfig;        ///< optional tokenizer_config.json

    /// Finds the files; FormatError/ResourceError when config or weights are missing.
    static ModelDirectory resolve(const std::string& dir);
};

struct LoadOptions {
    bool strict = false;        ///< unexpected tensors are errors instead of warnings
    bool checkMemory = true;    ///< refuse when the estimate exceeds available memory
    bool checkFinite = true;    ///< scan weights for NaN/Inf
    /// Called with a fraction in [0,1]; return false to cancel (throws Cancelled).
    std::function<bool(double)> progress;
};

struct LoadReport {
    std::vector<std::string> warnings;       ///< unexpected tensors, ignored buffers...
    std::vector<std::string> unexpected;     ///< names of tensors the architecture does not use
    uint64_t weightBytes = 0;                ///< bytes of the weight files' tensors, as stored
    uint64_t computeBytes = 0;               ///< bytes once converted to f32
    int64_t parameterCount = 0;              ///< distinct parameters (tied counted once)
    std::string storedDtype;                 ///< e.g. "F32", "BF16", "F32+BF16"
    double loadSeconds = 0.0;
};

/// Estimated bytes needed to run the model: f32 weights plus a working margin.
uint64_t estimateMemoryBytes(const ArchitectureSpec& spec, uint64_t f32WeightBytes);

struct ForwardOptions {
    const HookSet* hooks = nullptr;
    KvCache* cache = nullptr;         ///< when set: keys/values appended, attention over the cache
    at::Tensor attentionMask;         ///< [batch, seq] 1/0 for this call's tokens (left padding); optional
    bool computeLogits = true;        ///< false: return the final-norm hidden states instead
    bool lastPositionOnly = false;    ///< logits only for the last position ([batch, 1, vocab])
    /// Polled between layers; return false to cancel (throws Cancelled).
    std::function<bool()> keepGoing;
};

class TransformerModel {
public:
    static std::shared_ptr<TransformerModel> load(const std::string& dir, const LoadOptions& options = {});
    ~TransformerModel();

    const ArchitectureSpec& spec() const { return m_spec; }
    const ModelDirectory& files() const { return m_files; }
    const LoadReport& loadReport() const { return m_report; }
    std::string name() const; ///< directory base name

    /// ids [batch, seq] (int64). Returns logits [batch, seq, vocab] (float32),
    /// or the final-norm hidden states when computeLogits is false.
    at::Tensor forward(const at::Tensor& ids, const ForwardOptions& options = {}) const;

    /// A cache sized for `batch` sequences of up to `capacity` tokens.
    KvCache makeCache(int64_t batch, int64_t capacity) const;

    /// Embedding matrix [vocab, hidden] and output head [vocab, hidden].
    at::Tensor embeddingMatrix() const;
    at::Tensor outputHead() const;

    /// Checks ids against the vocabulary and context; InputError naming the position.
    void validateIds(const at::Tensor& ids, int64_t startPosition = 0) const;

    struct Impl;

private:
    TransformerModel();
    ArchitectureSpec m_spec;
    ModelDirectory m_files;
    LoadReport m_report;
    std::unique_ptr<Impl> m_impl;
};

} // namespace sb
