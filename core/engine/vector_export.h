#pragma once
// Preference vectors as llama.cpp control vectors (GGUF), the format repeng
// and llama.cpp's control-vector-generator write and llama.cpp's
// --control-vector reads:
//   general.architecture = "controlvector"
//   controlvector.model_hint = model_type ("llama", "gpt2"...)
//   controlvector.layer_count = number of direction tensors (uint32)
//   one F32 tensor "direction.N" ([hidden]) per layer N >= 1.
// llama.cpp adds direction.N to the output of its block N (0-based), i.e.
// our blocks.N.hook_resid_post; block 0 cannot be addressed (direction.0 is
// rejected by llama.cpp's loader). So a vector at
//   resid_post L -> direction.L      (L >= 1)
//   resid_pre  L -> direction.(L-1)  (the same activation; L >= 2)
//   mlp_out    L -> direction.L      (adding to the MLP output adds to the
//                                     block output, the same intervention)
// and attn_out is refused (adding there also changes the MLP's input).
// Vectors landing on one layer are summed, as llama.cpp does on load.

#include "engine/preference_vector.h"

#include <string>
#include <vector>

namespace sb {

/// llama.cpp block index for a vector's hook point; UnsupportedError when it cannot be expressed.
int64_t llamaCppLayerFor(const HookPoint& point);

/// Writes the vectors (one width) as a control-vector GGUF. `modelHint`
/// defaults to the first vector's modelType.
void exportControlVectorGguf(const std::string& path, const std::vector<PreferenceVector>& vectors,
                             const std::string& modelHint = {});

/// Reads a control-vector GGUF: one vector per direction.N at resid_post N,
/// model type from controlvector.model_hint. FormatError for files llama.cpp
/// would also reject (no direction tensors, direction.0, non-F32, not 1-D,
/// differing widths).
std::vector<PreferenceVector> importControlVectorGguf(const std::string& path);

/// Loads vectors from .gguf (control vector) or .safetensors, by content.
std::vector<PreferenceVector> loadVectorFile(const std::string& path);

} // namespace sb
