// Fuzz target: the safetensors reader (header length, JSON header, dtypes,
// shapes, offsets) and handing out every tensor it accepted.

#include "fuzz_util.h"

#include "engine/safetensors.h"

#include <ATen/ATen.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    sb::fuzz::MemFile file(data, size, "fuzz.safetensors");
    sb::fuzz::expectOnlyEngineErrors("safetensors", [&] {
        sb::SafetensorsFile st(file.path());
        for (const auto& [name, info] : st.tensors()) {
            // Every accepted tensor must be readable in full: touch each byte.
            at::Tensor t = st.tensor(name);
            if (t.numel() != info.numel())
                std::abort();
            if (t.numel() > 0 && at::isFloatingType(t.scalar_type()))
                (void)t.sum().item<double>();
        }
    });
    return 0;
}
