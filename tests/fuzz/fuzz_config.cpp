// Fuzz target: config.json -> ArchitectureSpec, then the derived quantities
// the model and the reports compute from it.

#include "fuzz_util.h"

#include "engine/architecture.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    // Only the architecture parser is under test: invalid JSON never reaches it
    // (json_util::readFile turns it into a FormatError first).
    nlohmann::json config = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
    if (config.is_discarded())
        return 0;
    sb::fuzz::expectOnlyEngineErrors("config", [&] {
        sb::ArchitectureSpec spec = sb::parseArchitecture(config, "fuzz/config.json");
        (void)spec.attentionKind();
        (void)spec.rotaryDims();
        for (int64_t layer = 0; layer < std::min<int64_t>(spec.numLayers, 4); ++layer) {
            (void)spec.attentionScale(layer);
            (void)spec.layerUsesSlidingWindow(layer);
        }
    });
    return 0;
}
