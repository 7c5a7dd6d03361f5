// Fuzz target: the GGUF reader (header counts, metadata of every type, arrays,
// tensor infos, alignment, F32/F16 data) and the llama.cpp control-vector
// import on top of it, then what the app does with an imported vector: its
// metadata as JSON (written into the vector file and the experiment store).

#include "fuzz_util.h"

#include "engine/gguf.h"
#include "engine/preference_vector.h"
#include "engine/vector_export.h"

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    sb::fuzz::MemFile file(data, size, "fuzz.gguf");
    sb::fuzz::expectOnlyEngineErrors("gguf", [&] {
        const sb::GgufFile f = sb::readGguf(file.path());
        for (const auto& t : f.tensors) {
            if (!t.data.defined())
                continue; // a type the reader lists but does not load
            int64_t n = 1;
            for (int64_t e : t.ne)
                n *= e;
            if (t.data.numel() != n || t.data.dim() != static_cast<int64_t>(t.ne.size()))
                std::abort();
            (void)t.data.sum().item<double>(); // every byte readable
        }
        for (const auto& kv : f.metadata)
            (void)kv.value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    });
    sb::fuzz::expectOnlyEngineErrors("gguf", [&] {
        for (const auto& v : sb::importControlVectorGguf(file.path())) {
            if (!v.vector.defined() || v.vector.dim() != 1 || v.vector.numel() != v.hiddenSize)
                std::abort();
            // The metadata must serialise (vector files, experiment store) and read back.
            const std::string meta = v.metadataJson().dump();
            (void)sb::PreferenceVector::fromMetadataJson(nlohmann::json::parse(meta), "fuzz");
        }
    });
    return 0;
}
