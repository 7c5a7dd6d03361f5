#pragma once
// A preference (steering) vector and everything needed to reproduce and scale
// it: which model, hook point, method and position policy, which dataset
// (hash), how many pairs, its norm, and the typical activation norm at its
// point (the Scaled injection strategy rescales by the ratio of those norms).
//
// Files: safetensors, one F32 tensor per vector named by its hook point
// ("blocks.2.hook_resid_post"), the metadata as JSON under the header key
// "steerbridge.vectors" ({"format": "steerbridge-vectors", "version": 1,
// "vectors": [{...}, ...]}), so any safetensors reader sees plain tensors.

#include "engine/extraction.h"
#include "engine/hooks.h"

#include <ATen/Tensor.h>

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sb {

struct PreferenceVector {
    at::Tensor vector;  ///< [hidden] float32
    HookPoint point;    ///< where it was extracted (and is meant to be added)
    std::string model;      ///< model name (directory base name)
    std::string modelType;  ///< config.json model_type ("llama", "gpt2"); the GGUF model_hint
    int64_t hiddenSize = 0;
    int64_t modelLayers = 0;
    std::string stage;      ///< functional stage it was chosen for, if any ("representation")
    ExtractionMethod method = ExtractionMethod::MeanDifference;
    PositionPolicy policy = PositionPolicy::ContinuationMean;
    std::string datasetName;
    std::string datasetHash;   ///< ContrastiveDataset::hash() of the whole file
    int64_t numPairs = 0;      ///< pairs it was extracted from (the train part)
    uint64_t splitSeed = 0;    ///< the seeded split the train part came from
    double heldOutFraction = 0.0;
    double norm = 0.0;         ///< |vector|
    double meanActivationNorm = 0.0; ///< typical |activation| at the point (0 when unknown)
    std::string origin = "extracted"; ///< "extracted", "adapted (...)", "imported from GGUF" ...

    /// norm / meanActivationNorm (0 when unknown).
    double relativeNorm() const;
    nlohmann::json metadataJson() const;
    /// Fills the metadata fields from JSON (the tensor is set separately); FormatError naming `where`.
    static PreferenceVector fromMetadataJson(const nlohmann::json& j, const std::string& where);
};

/// Writes the vectors atomically. Two vectors at the same hook point are refused (ShapeError).
void saveVectors(const std::string& path, const std::vector<PreferenceVector>& vectors);
/// Reads a file written by saveVectors. A plain safetensors file without
/// SteerBridge metadata is accepted too: each 1-D float tensor named like a
/// hook point becomes a vector with unknown provenance.
std::vector<PreferenceVector> loadVectors(const std::string& path);

} // namespace sb
