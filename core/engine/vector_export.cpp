#include "engine/vector_export.h"

#include "engine/errors.h"
#include "engine/file_util.h"
#include "engine/gguf.h"
#include "engine/tokenizers/unicode.h"

#include <ATen/ATen.h>

#include <fstream>
#include <map>

namespace sb {

int64_t llamaCppLayerFor(const HookPoint& point)
{
    int64_t layer = -1;
    switch (point.site) {
    case HookSite::ResidPost:
    case HookSite::MlpOut: layer = point.layer; break;
    case HookSite::ResidPre: layer = point.layer - 1; break;
    default:
        throw UnsupportedError("a vector at " + point.name() +
                               " cannot be written as a llama.cpp control vector (llama.cpp adds directions to block "
                               "outputs: use resid_post, resid_pre or mlp_out)");
    }
    if (layer < 1)
        throw UnsupportedError("a vector at " + point.name() +
                               " would be llama.cpp's direction." + std::to_string(layer) +
                               ", which llama.cpp cannot apply (its control vectors start at the output of block 1)");
    return layer;
}

void exportControlVectorGguf(const std::string& path, const std::vector<PreferenceVector>& vectors,
                             const std::string& modelHint)
{
    if (vectors.empty())
        throw InputError(path + ": no vectors to export");
    std::map<int64_t, at::Tensor> byLayer;
    const int64_t width = vectors.front().vector.numel();
    for (const auto& v : vectors) {
        if (!v.vector.defined() || v.vector.dim() != 1)
            throw ShapeError(path + ": the vector at " + v.point.name() + " must be one-dimensional");
        if (v.vector.numel() != width)
            throw ShapeError(path + ": vectors of different widths (" + std::to_string(width) + " and " +
                             std::to_string(v.vector.numel()) + ") cannot share one control-vector file");
        const int64_t layer = llamaCppLayerFor(v.point);
        at::Tensor t = v.vector.detach().to(at::kFloat);
        auto it = byLayer.find(layer);
        if (it == byLayer.end())
            byLayer.emplace(layer, t.clone());
        else
            it->second = it->second + t;
    }
    GgufFile f;
    std::string hint = modelHint.empty() ? vectors.front().modelType : modelHint;
    if (hint.empty())
        hint = vectors.front().model;
    f.metadata.push_back({"general.architecture", GgufType::String, GgufType::Uint8, "controlvector"});
    f.metadata.push_back({"controlvector.model_hint", GgufType::String, GgufType::Uint8, hint});
    f.metadata.push_back(
        {"controlvector.layer_count", GgufType::Uint32, GgufType::Uint8, static_cast<uint32_t>(byLayer.size())});
    for (const auto& [layer, t] : byLayer)
        f.tensors.push_back({"direction." + std::to_string(layer), {t.numel()}, kGgmlTypeF32, 0, t});
    writeGguf(path, f);
}

std::vector<PreferenceVector> importControlVectorGguf(const std::string& path)
{
    GgufFile f = readGguf(path);
    const auto arch = f.string("general.architecture");
    if (arch && *arch != "controlvector")
        throw FormatError(path + ": general.architecture is '" + *arch + "', not 'controlvector' (this is a model, "
                          "not a control vector)");
    const std::string hint = f.string("controlvector.model_hint").value_or("");
    // The hint becomes the vector's model name, stored as JSON metadata (vector
    // files, experiment store): refuse bytes JSON cannot hold here, with the key.
    if (const std::size_t bad = tok::findInvalidUtf8(hint); bad != std::string::npos)
        throw FormatError(path + ": metadata 'controlvector.model_hint' is not valid UTF-8 (byte " +
                          std::to_string(bad) + "; GGUF strings must be UTF-8)");
    std::vector<PreferenceVector> out;
    int64_t width = -1;
    for (const auto& t : f.tensors) {
        const std::string prefix = "direction.";
        if (t.name.rfind(prefix, 0) != 0)
            continue;
        const std::string num = t.name.substr(prefix.size());
        if (num.empty() || num.size() > 6 || num.find_first_not_of("0123456789") != std::string::npos)
            throw FormatError(path + ": tensor '" + t.name + "' has no valid layer index");
        const int64_t layer = std::stoll(num);
        if (layer == 0)
            throw FormatError(path + ": tensor 'direction.0' is invalid (llama.cpp control vectors start at layer 1)");
        if (t.ggmlType != kGgmlTypeF32)
            throw FormatError(path + ": tensor '" + t.name + "' is not F32 (ggml type " + std::to_string(t.ggmlType) +
                              ")");
        if (t.ne.size() != 1)
            throw FormatError(path + ": tensor '" + t.name + "' is not one-dimensional");
        if (width >= 0 && t.ne[0] != width)
            throw FormatError(path + ": tensor '" + t.name + "' has " + std::to_string(t.ne[0]) +
                              " elements, the earlier directions " + std::to_string(width));
        width = t.ne[0];
        PreferenceVector v;
        v.vector = t.data.clone();
        v.point = {HookSite::ResidPost, layer};
        v.model = hint;
        v.modelType = hint;
        v.hiddenSize = width;
        v.norm = v.vector.to(at::kDouble).norm().item<double>();
        v.origin = "imported from GGUF control vector";
        out.push_back(std::move(v));
    }
    if (out.empty())
        throw FormatError(path + ": no direction.N tensors (not a llama.cpp control vector)");
    return out;
}

std::vector<PreferenceVector> loadVectorFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ResourceError(path + ": cannot open file");
    char magic[4] = {0, 0, 0, 0};
    in.read(magic, 4);
    // A file named .gguf is read as GGUF even when its magic is wrong, so that
    // the user hears "not a GGUF file" rather than a safetensors complaint.
    const bool ggufName = path.size() > 5 && path.compare(path.size() - 5, 5, ".gguf") == 0;
    if (ggufName || (in.gcount() == 4 && std::string(magic, 4) == "GGUF"))
        return importControlVectorGguf(path);
    return loadVectors(path);
}

} // namespace sb
