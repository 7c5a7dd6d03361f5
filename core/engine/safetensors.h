#pragma once
// Reader and writer for the safetensors format
// (u64 LE header length N, N bytes of JSON, then the raw tensor bytes).
// The reader memory-maps the file and validates everything before handing out
// a tensor: header length vs file size, JSON, dtypes, shape x element size vs
// byte span, spans inside the data section, no overlap and no gaps.

#include <ATen/Tensor.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sb {

enum class StDType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool, F8_E4M3, F8_E5M2, U16, U32, U64 };

const char* dtypeName(StDType t);
std::size_t dtypeSize(StDType t);

/// One tensor's entry in a safetensors header. Offsets are relative to the
/// start of the data section, in bytes, [begin, end).
struct TensorInfo {
    std::string name;
    StDType dtype = StDType::F32;
    std::vector<int64_t> shape;
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
    int64_t numel() const;
};

struct FileMapping; // shared by the file and every zero-copy tensor it hands out

/// A validated, memory-mapped safetensors file. Tensors returned by tensor()
/// keep the mapping alive; the object itself may be destroyed first.
class SafetensorsFile {
public:
    explicit SafetensorsFile(const std::string& path);
    ~SafetensorsFile();
    SafetensorsFile(SafetensorsFile&&) noexcept;
    SafetensorsFile& operator=(SafetensorsFile&&) noexcept;

    const std::string& path() const { return m_path; }
    const std::map<std::string, TensorInfo>& tensors() const { return m_tensors; }
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }
    bool contains(const std::string& name) const { return m_tensors.count(name) != 0; }
    const TensorInfo& info(const std::string& name) const;
    std::uint64_t fileSize() const;

    /// The tensor converted to `computeType` if it is a float type (F16/BF16/F64
    /// -> copy; F32 and already matching -> zero-copy view of the mapping).
    /// Integer and bool tensors are returned in their own type, zero-copy.
    at::Tensor tensor(const std::string& name, bool convertFloatToF32 = true) const;

private:
    std::string m_path;
    std::shared_ptr<FileMapping> m_map;
    std::map<std::string, TensorInfo> m_tensors;
    std::map<std::string, std::string> m_metadata;
    std::uint64_t m_dataOffset = 0;
};

/// Writes tensors (any of F32/F16/BF16/F64/I64/I32/U8/Bool, contiguous or not)
/// atomically: temporary file, fsync, rename. Keys are written in sorted order.
void writeSafetensors(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

} // namespace sb
