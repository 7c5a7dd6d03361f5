#pragma once
// Random-weight Hugging Face model folders of any supported shape, for
// benchmarks at realistic sizes (a GPT-2-124M or Qwen2-0.5B shape) without
// downloading anything. The folder is a real one: config.json as given and
// model.safetensors with every tensor the family table names, in HF layout.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>

namespace sb {

struct SyntheticModelInfo {
    int64_t parameterCount = 0; ///< elements written
    uint64_t fileBytes = 0; ///< size of model.safetensors
};

/// Writes `dir`/config.json (the given config) and `dir`/model.safetensors with
/// weights ~ N(0, stddev^2), norm weights at their identity value and biases 0.
/// Throws what parseArchitecture throws for a bad config.
SyntheticModelInfo writeRandomModel(
    const std::string& dir, const nlohmann::json& config, uint64_t seed = 0, double stddev = 0.02);

} // namespace sb
