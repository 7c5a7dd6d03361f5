#include "engine/synthetic_model.h"

#include "engine/architecture.h"
#include "engine/families.h"
#include "engine/file_util.h"
#include "engine/safetensors.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>
#include <nlohmann/json.hpp>

#include <filesystem>

namespace sb {

SyntheticModelInfo writeRandomModel(const std::string& dir, const nlohmann::json& config, uint64_t seed, double stddev)
{
    namespace fs = std::filesystem;
    c10::InferenceMode guard;
    fs::create_directories(dir);
    const std::string configPath = (fs::path(dir) / "config.json").string();
    const ArchitectureSpec spec = parseArchitecture(config, configPath);
    const FamilyTensorTable& table = tensorTable(spec.family);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);

    std::vector<std::pair<std::string, at::Tensor>> tensors;
    SyntheticModelInfo info;
    for (int64_t layer = 0; layer < spec.numLayers; ++layer) {
        for (const auto& p : table.slots) {
            if (!slotUsed(spec, p.slot) || (!isLayerSlot(p.slot) && layer > 0))
                continue;
            const auto shape = expectedShape(spec, p.slot, p.inOutLayout);
            at::Tensor t;
            const bool isNormWeight = p.slot == WeightSlot::AttnNormW || p.slot == WeightSlot::MlpNormW
                || p.slot == WeightSlot::FinalNormW || p.slot == WeightSlot::PostAttnNormW
                || p.slot == WeightSlot::PostMlpNormW;
            if (isNormWeight)
                t = spec.norm == NormKind::RMSNormPlusOne ? at::zeros(shape) : at::ones(shape);
            else if (shape.size() == 1)
                t = at::zeros(shape);
            else
                t = at::normal(0.0, stddev, shape, gen);
            info.parameterCount += t.numel();
            tensors.emplace_back(tensorName(table, p, layer, table.basePrefix), std::move(t));
        }
    }
    writeSafetensors((fs::path(dir) / "model.safetensors").string(), tensors, { { "format", "pt" } });
    tensors.clear();
    AtomicFile cfg(configPath);
    cfg.write(config.dump(2));
    cfg.commit();
    info.fileBytes = fs::file_size(fs::path(dir) / "model.safetensors");
    return info;
}

} // namespace sb
