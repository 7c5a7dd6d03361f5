#include "engine/preference_vector.h"

#include "engine/errors.h"
#include "engine/safetensors.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <set>

namespace sb {

namespace {
constexpr const char* kMetaKey = "steerbridge.vectors";
constexpr const char* kFormat = "steerbridge-vectors";
constexpr int kVersion = 1;
} // namespace

double PreferenceVector::relativeNorm() const { return meanActivationNorm > 0 ? norm / meanActivationNorm : 0.0; }

nlohmann::json PreferenceVector::metadataJson() const
{
    nlohmann::json j;
    j["point"] = point.name();
    j["layer"] = point.layer;
    j["component"] = HookPoint::componentName(point.site);
    j["model"] = model;
    j["model_type"] = modelType;
    j["hidden_size"] = hiddenSize;
    j["model_layers"] = modelLayers;
    j["stage"] = stage;
    j["method"] = extractionMethodName(method);
    j["position_policy"] = positionPolicyName(policy);
    j["dataset"] = datasetName;
    j["dataset_hash"] = datasetHash;
    j["num_pairs"] = numPairs;
    j["split_seed"] = splitSeed;
    j["heldout_fraction"] = heldOutFraction;
    j["norm"] = norm;
    j["mean_activation_norm"] = meanActivationNorm;
    j["origin"] = origin;
    return j;
}

PreferenceVector PreferenceVector::fromMetadataJson(const nlohmann::json& j, const std::string& where)
{
    if (!j.is_object())
        throw FormatError(where + ": vector metadata must be a JSON object");
    PreferenceVector v;
    auto str = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
    auto num = [&](const char* k) { return j.contains(k) && j[k].is_number() ? j[k].get<double>() : 0.0; };
    auto integer = [&](const char* k) {
        return j.contains(k) && j[k].is_number_integer() ? j[k].get<int64_t>() : int64_t{0};
    };
    const std::string point = str("point");
    if (point.empty())
        throw FormatError(where + ": vector metadata lacks 'point' (a hook point name such as blocks.2.hook_resid_post)");
    try {
        v.point = HookPoint::parse(point);
    } catch (const InputError& e) {
        throw FormatError(where + ": " + e.what());
    }
    v.model = str("model");
    v.modelType = str("model_type");
    v.hiddenSize = integer("hidden_size");
    v.modelLayers = integer("model_layers");
    v.stage = str("stage");
    if (auto m = parseExtractionMethod(str("method")))
        v.method = *m;
    else if (!str("method").empty())
        throw FormatError(where + ": unknown extraction method '" + str("method") + "' (expected mean, pca or probe)");
    if (auto p = parsePositionPolicy(str("position_policy")))
        v.policy = *p;
    v.datasetName = str("dataset");
    v.datasetHash = str("dataset_hash");
    v.numPairs = integer("num_pairs");
    v.splitSeed = j.contains("split_seed") && j["split_seed"].is_number_unsigned() ? j["split_seed"].get<uint64_t>()
                                                                                    : static_cast<uint64_t>(integer("split_seed"));
    v.heldOutFraction = num("heldout_fraction");
    v.norm = num("norm");
    v.meanActivationNorm = num("mean_activation_norm");
    v.origin = str("origin");
    return v;
}

void saveVectors(const std::string& path, const std::vector<PreferenceVector>& vectors)
{
    if (vectors.empty())
        throw InputError(path + ": no vectors to save");
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    nlohmann::json meta;
    meta["format"] = kFormat;
    meta["version"] = kVersion;
    meta["vectors"] = nlohmann::json::array();
    std::set<std::string> names;
    for (const auto& v : vectors) {
        if (!v.vector.defined() || v.vector.dim() != 1)
            throw ShapeError(path + ": the vector at " + v.point.name() + " must be one-dimensional");
        const std::string name = v.point.name();
        if (!names.insert(name).second)
            throw ShapeError(path + ": two vectors at " + name + "; one file holds one vector per hook point");
        auto j = v.metadataJson();
        j["tensor"] = name;
        meta["vectors"].push_back(j);
        tensors.emplace_back(name, v.vector.detach().to(at::kFloat).contiguous());
    }
    std::map<std::string, std::string> md{{kMetaKey, meta.dump()}};
    if (!vectors.front().model.empty())
        md["model"] = vectors.front().model;
    writeSafetensors(path, tensors, md);
}

std::vector<PreferenceVector> loadVectors(const std::string& path)
{
    SafetensorsFile f(path);
    std::vector<PreferenceVector> out;
    auto it = f.metadata().find(kMetaKey);
    if (it != f.metadata().end()) {
        nlohmann::json meta;
        try {
            meta = nlohmann::json::parse(it->second);
        } catch (const nlohmann::json::parse_error& e) {
            throw FormatError(path + ": metadata '" + kMetaKey + "' is not valid JSON (" + e.what() + ")");
        }
        if (!meta.is_object() || !meta.contains("vectors") || !meta["vectors"].is_array())
            throw FormatError(path + ": metadata '" + kMetaKey + "' must hold a 'vectors' list");
        if (meta.value("version", 0) > kVersion)
            throw FormatError(path + ": vector file version " + std::to_string(meta.value("version", 0)) +
                              " is newer than this SteerBridge reads (" + std::to_string(kVersion) + ")");
        for (const auto& j : meta["vectors"]) {
            PreferenceVector v = PreferenceVector::fromMetadataJson(j, path);
            const std::string tensor = j.value("tensor", v.point.name());
            if (!f.contains(tensor))
                throw FormatError(path + ": metadata names tensor '" + tensor + "' but the file does not hold it");
            v.vector = f.tensor(tensor).to(at::kFloat).clone();
            if (v.vector.dim() != 1)
                throw FormatError(path + ": tensor '" + tensor + "' must be one-dimensional");
            if (v.hiddenSize == 0)
                v.hiddenSize = v.vector.size(0);
            else if (v.hiddenSize != v.vector.size(0))
                throw FormatError(path + ": tensor '" + tensor + "' has " + std::to_string(v.vector.size(0)) +
                                  " elements but its metadata says hidden_size " + std::to_string(v.hiddenSize));
            v.norm = v.vector.to(at::kDouble).norm().item<double>();
            out.push_back(std::move(v));
        }
        return out;
    }
    for (const auto& [name, info] : f.tensors()) {
        HookPoint p;
        try {
            p = HookPoint::parse(name);
        } catch (const InputError&) {
            continue;
        }
        at::Tensor t = f.tensor(name);
        if (t.dim() != 1 || !at::isFloatingType(t.scalar_type()))
            continue;
        PreferenceVector v;
        v.vector = t.to(at::kFloat).clone();
        v.point = p;
        v.hiddenSize = v.vector.size(0);
        v.norm = v.vector.to(at::kDouble).norm().item<double>();
        v.origin = "imported from safetensors";
        out.push_back(std::move(v));
    }
    if (out.empty())
        throw FormatError(path + ": no steering vector found (expected SteerBridge metadata '" + std::string(kMetaKey) +
                          "' or 1-D tensors named like blocks.N.hook_resid_post)");
    return out;
}

} // namespace sb
