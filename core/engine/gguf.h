#pragma once
// A small reader and writer for GGUF (version 3, as ggml's gguf.cpp and the
// gguf Python package write it), enough for llama.cpp control vectors:
// key-value metadata of every GGUF type and F32 / F16 tensors.
//
// Layout (little-endian): "GGUF", u32 version, u64 tensor count, u64 kv
// count; each kv: string key, u32 type, value (strings are u64 length +
// bytes; arrays are u32 element type, u64 count, elements); each tensor info:
// string name, u32 n_dims, u64 ne[n_dims] (fastest-varying first), u32 ggml
// type, u64 offset into the data section; padding to the alignment
// (general.alignment, default 32); the data section, each tensor's data
// starting at a multiple of the alignment.

#include <ATen/Tensor.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb {

enum class GgufType : uint32_t {
    Uint8 = 0, Int8 = 1, Uint16 = 2, Int16 = 3, Uint32 = 4, Int32 = 5, Float32 = 6, Bool = 7,
    String = 8, Array = 9, Uint64 = 10, Int64 = 11, Float64 = 12,
};
const char* ggufTypeName(GgufType t);

/// ggml tensor types SteerBridge reads (others are listed but not loaded).
constexpr uint32_t kGgmlTypeF32 = 0;
constexpr uint32_t kGgmlTypeF16 = 1;

struct GgufKeyValue {
    std::string key;
    GgufType type = GgufType::String;
    GgufType arrayType = GgufType::Uint8; ///< element type when type is Array
    nlohmann::json value;                 ///< number, bool, string, or array of them
};

struct GgufTensor {
    std::string name;
    std::vector<int64_t> ne; ///< ggml dims, fastest-varying first (a torch shape reversed)
    uint32_t ggmlType = kGgmlTypeF32;
    uint64_t offset = 0;     ///< into the data section
    at::Tensor data;         ///< float32 (shape = ne reversed); undefined for types not loaded
};

struct GgufFile {
    uint32_t version = 3;
    uint64_t alignment = 32;
    std::vector<GgufKeyValue> metadata;
    std::vector<GgufTensor> tensors;

    const GgufKeyValue* find(const std::string& key) const;
    std::optional<std::string> string(const std::string& key) const;
    std::optional<int64_t> integer(const std::string& key) const;
};

/// Reads and validates a GGUF file (versions 2 and 3). FormatError with the
/// file, the field and what was expected.
GgufFile readGguf(const std::string& path);

/// Writes version 3 atomically. Tensors must be float32 (written F32); their
/// offsets are assigned here. general.alignment is written only when it is
/// not 32, as ggml does.
void writeGguf(const std::string& path, const GgufFile& file);

} // namespace sb
