#include "engine/safetensors.h"

#include "engine/errors.h"
#include "engine/file_util.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <set>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sb {

// Header sizes above this are hostile or broken; the format's own reference
// implementation uses the same 100 MB bound.
constexpr std::uint64_t kMaxHeaderBytes = 100ULL * 1024 * 1024;

struct FileMapping {
    void* addr = nullptr;
    std::size_t size = 0;
    ~FileMapping()
    {
        if (addr && addr != MAP_FAILED)
            ::munmap(addr, size);
    }
};

namespace {

struct DTypeEntry {
    const char* name;
    StDType type;
    std::size_t size;
};

constexpr DTypeEntry kDTypes[] = {
    {"F64", StDType::F64, 8},   {"F32", StDType::F32, 4},       {"F16", StDType::F16, 2},
    {"BF16", StDType::BF16, 2}, {"I64", StDType::I64, 8},       {"I32", StDType::I32, 4},
    {"I16", StDType::I16, 2},   {"I8", StDType::I8, 1},         {"U8", StDType::U8, 1},
    {"BOOL", StDType::Bool, 1}, {"F8_E4M3", StDType::F8_E4M3, 1}, {"F8_E5M2", StDType::F8_E5M2, 1},
    {"U16", StDType::U16, 2},   {"U32", StDType::U32, 4},       {"U64", StDType::U64, 8},
};

std::string knownDtypes()
{
    std::string s;
    for (const auto& d : kDTypes) {
        if (!s.empty())
            s += ", ";
        s += d.name;
    }
    return s;
}

std::string shapeString(const std::vector<int64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i)
            s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

at::ScalarType scalarType(StDType t, const std::string& where)
{
    switch (t) {
    case StDType::F64: return at::kDouble;
    case StDType::F32: return at::kFloat;
    case StDType::F16: return at::kHalf;
    case StDType::BF16: return at::kBFloat16;
    case StDType::I64: return at::kLong;
    case StDType::I32: return at::kInt;
    case StDType::I16: return at::kShort;
    case StDType::I8: return at::kChar;
    case StDType::U8: return at::kByte;
    case StDType::Bool: return at::kBool;
    default: break;
    }
    throw UnsupportedError(where + ": dtype " + dtypeName(t) +
                           " cannot be used for computation (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
}

StDType fromScalarType(at::ScalarType t, const std::string& name)
{
    switch (t) {
    case at::kDouble: return StDType::F64;
    case at::kFloat: return StDType::F32;
    case at::kHalf: return StDType::F16;
    case at::kBFloat16: return StDType::BF16;
    case at::kLong: return StDType::I64;
    case at::kInt: return StDType::I32;
    case at::kShort: return StDType::I16;
    case at::kChar: return StDType::I8;
    case at::kByte: return StDType::U8;
    case at::kBool: return StDType::Bool;
    default: break;
    }
    throw UnsupportedError("tensor '" + name + "': scalar type cannot be written to safetensors");
}

} // namespace

const char* dtypeName(StDType t)
{
    for (const auto& d : kDTypes)
        if (d.type == t)
            return d.name;
    return "?";
}

std::size_t dtypeSize(StDType t)
{
    for (const auto& d : kDTypes)
        if (d.type == t)
            return d.size;
    return 0;
}

int64_t TensorInfo::numel() const
{
    int64_t n = 1;
    for (auto d : shape)
        n *= d;
    return n;
}

SafetensorsFile::~SafetensorsFile() = default;
SafetensorsFile::SafetensorsFile(SafetensorsFile&&) noexcept = default;
SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&&) noexcept = default;

SafetensorsFile::SafetensorsFile(const std::string& path) : m_path(path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw ResourceError(path + ": cannot open (" + std::strerror(errno) + ")");
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int err = errno;
        ::close(fd);
        throw ResourceError(path + ": cannot stat (" + std::strerror(err) + ")");
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw FormatError(path + ": not a regular file");
    }
    const auto fileSize = static_cast<std::uint64_t>(st.st_size);
    if (fileSize < 8) {
        ::close(fd);
        throw FormatError(path + ": file is " + std::to_string(fileSize) +
                          " bytes, too short for a safetensors header (expected at least 8 bytes for the header length)");
    }
    m_map = std::make_shared<FileMapping>();
    m_map->size = static_cast<std::size_t>(fileSize);
    m_map->addr = ::mmap(nullptr, m_map->size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (m_map->addr == MAP_FAILED) {
        m_map->addr = nullptr;
        throw ResourceError(path + ": cannot memory-map (" + std::strerror(errno) + ")");
    }
    const auto* bytes = static_cast<const unsigned char*>(m_map->addr);
    std::uint64_t headerLen = 0;
    for (int i = 7; i >= 0; --i)
        headerLen = (headerLen << 8) | bytes[i];
    if (headerLen > kMaxHeaderBytes)
        throw FormatError(path + ": header length " + std::to_string(headerLen) +
                          " bytes exceeds the 100 MB limit (corrupt or not a safetensors file)");
    if (8 + headerLen > fileSize)
        throw FormatError(path + ": header length " + std::to_string(headerLen) + " runs past the end of the file (" +
                          std::to_string(fileSize) + " bytes; expected header length <= " +
                          std::to_string(fileSize - 8) + ")");
    m_dataOffset = 8 + headerLen;
    const std::uint64_t dataSize = fileSize - m_dataOffset;

    std::string headerText(reinterpret_cast<const char*>(bytes + 8), static_cast<std::size_t>(headerLen));
    // Duplicate tensor names would silently shadow each other in a JSON object.
    std::set<std::string> seen;
    std::string duplicate;
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(
            headerText,
            [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
                if (depth == 1 && event == nlohmann::json::parse_event_t::key) {
                    auto key = parsed.get<std::string>();
                    if (!seen.insert(key).second && duplicate.empty())
                        duplicate = key;
                }
                return true;
            });
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(path + ": header is not valid JSON (" + e.what() + ")");
    }
    if (!duplicate.empty())
        throw FormatError(path + ": tensor '" + duplicate + "' appears twice in the header");
    if (!header.is_object())
        throw FormatError(path + ": header must be a JSON object, got " + std::string(header.type_name()));

    struct Span {
        std::uint64_t begin, end;
        const std::string* name;
    };
    std::vector<Span> spans;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        const auto& entry = it.value();
        if (name == "__metadata__") {
            if (!entry.is_object())
                throw FormatError(path + ": __metadata__ must be an object of strings");
            for (auto m = entry.begin(); m != entry.end(); ++m) {
                if (!m.value().is_string())
                    throw FormatError(path + ": __metadata__ field '" + m.key() + "' must be a string, got " +
                                      m.value().type_name());
                m_metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        const std::string where = path + ": tensor '" + name + "'";
        if (!entry.is_object())
            throw FormatError(where + ": entry must be an object with dtype, shape, data_offsets");
        TensorInfo info;
        info.name = name;
        auto dt = entry.find("dtype");
        if (dt == entry.end() || !dt->is_string())
            throw FormatError(where + ": missing or non-string 'dtype'");
        const auto dtName = dt->get<std::string>();
        auto found = std::find_if(std::begin(kDTypes), std::end(kDTypes),
                                  [&](const DTypeEntry& d) { return dtName == d.name; });
        if (found == std::end(kDTypes))
            throw FormatError(where + ": unknown dtype '" + dtName + "' (expected one of " + knownDtypes() + ")");
        info.dtype = found->type;
        auto sh = entry.find("shape");
        if (sh == entry.end() || !sh->is_array())
            throw FormatError(where + ": missing or non-array 'shape'");
        // Element count with overflow checks: a hostile shape must not wrap around.
        // At most 2^60 elements: times at most 8 bytes each still fits in 64 bits.
        constexpr std::uint64_t kMaxElements = std::uint64_t{1} << 60;
        std::uint64_t elems = 1;
        for (const auto& d : *sh) {
            if (!d.is_number_integer() || d.get<int64_t>() < 0)
                throw FormatError(where + ": shape entries must be non-negative integers, got " + sh->dump());
            info.shape.push_back(d.get<int64_t>());
            const auto extent = d.get<std::uint64_t>();
            if (elems != 0 && extent > kMaxElements / elems)
                throw FormatError(where + ": shape " + sh->dump() + " is absurdly large");
            elems *= extent;
        }
        auto off = entry.find("data_offsets");
        if (off == entry.end() || !off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned() ||
            !(*off)[1].is_number_unsigned())
            throw FormatError(where + ": 'data_offsets' must be [begin, end] with non-negative integers");
        info.begin = (*off)[0].get<std::uint64_t>();
        info.end = (*off)[1].get<std::uint64_t>();
        if (info.end < info.begin)
            throw FormatError(where + ": data_offsets [" + std::to_string(info.begin) + ", " +
                              std::to_string(info.end) + "] end before begin");
        const auto expectBytes = elems * found->size;
        if (expectBytes != info.end - info.begin)
            throw FormatError(where + ": shape " + shapeString(info.shape) + " x " + std::to_string(found->size) +
                              " bytes (" + dtName + ") = " + std::to_string(expectBytes) +
                              " bytes, but data_offsets span " + std::to_string(info.end - info.begin) + " bytes");
        if (info.end > dataSize)
            throw FormatError(where + ": data_offsets [" + std::to_string(info.begin) + ", " +
                              std::to_string(info.end) + "] run past the data section (" + std::to_string(dataSize) +
                              " bytes; the file may be truncated)");
        auto [pos, ok] = m_tensors.emplace(name, std::move(info));
        (void)ok;
        spans.push_back({pos->second.begin, pos->second.end, &pos->first});
    }
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    std::uint64_t cursor = 0;
    const std::string* prev = nullptr;
    for (const auto& s : spans) {
        if (s.begin < cursor)
            throw FormatError(path + ": tensor '" + *s.name + "' bytes [" + std::to_string(s.begin) + ", " +
                              std::to_string(s.end) + ") overlap tensor '" + (prev ? *prev : std::string()) +
                              "' (which ends at " + std::to_string(cursor) + ")");
        if (s.begin > cursor)
            throw FormatError(path + ": " + std::to_string(s.begin - cursor) + " unindexed bytes before tensor '" +
                              *s.name + "' at data offset " + std::to_string(cursor) +
                              " (expected tensors back to back)");
        cursor = s.end;
        prev = s.name;
    }
    if (cursor != dataSize)
        throw FormatError(path + ": data section is " + std::to_string(dataSize) + " bytes but the tensors cover " +
                          std::to_string(cursor) + " (trailing bytes or a truncated header)");
}

std::uint64_t SafetensorsFile::fileSize() const { return m_map ? m_map->size : 0; }

const TensorInfo& SafetensorsFile::info(const std::string& name) const
{
    auto it = m_tensors.find(name);
    if (it == m_tensors.end())
        throw FormatError(m_path + ": no tensor named '" + name + "'");
    return it->second;
}

at::Tensor SafetensorsFile::tensor(const std::string& name, bool convertFloatToF32) const
{
    const TensorInfo& ti = info(name);
    const std::string where = m_path + ": tensor '" + name + "'";
    const at::ScalarType st = scalarType(ti.dtype, where);
    auto* ptr = static_cast<char*>(m_map->addr) + m_dataOffset + ti.begin;
    const bool aligned = reinterpret_cast<std::uintptr_t>(ptr) % dtypeSize(ti.dtype) == 0;
    at::Tensor view;
    if (ti.numel() == 0) {
        view = at::empty(ti.shape, at::TensorOptions().dtype(st));
    } else if (aligned) {
        auto keep = m_map;
        view = at::from_blob(
            ptr, ti.shape, [keep](void*) mutable { keep.reset(); }, at::TensorOptions().dtype(st));
    } else {
        view = at::empty(ti.shape, at::TensorOptions().dtype(st));
        std::memcpy(view.data_ptr(), ptr, ti.end - ti.begin);
    }
    if (convertFloatToF32 && at::isFloatingType(st) && st != at::kFloat) {
        at::Tensor converted = view.to(at::kFloat);
        // The stored bytes are not needed again: drop their pages from this
        // process (a private, never-written mapping re-reads the file if they
        // are touched) so a bf16 model costs its f32 weights, not 1.5x that.
        if (aligned && ti.numel() > 0) {
            const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
            const auto first = reinterpret_cast<std::uintptr_t>(ptr) / page * page;
            const auto last = (reinterpret_cast<std::uintptr_t>(ptr) + (ti.end - ti.begin)) / page * page;
            if (last > first)
                ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
        }
        return converted;
    }
    return view;
}

void writeSafetensors(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata)
{
    std::vector<std::pair<std::string, at::Tensor>> sorted;
    sorted.reserve(tensors.size());
    std::set<std::string> names;
    for (const auto& [name, t] : tensors) {
        if (name == "__metadata__" || !names.insert(name).second)
            throw InputError(path + ": tensor name '" + name + "' is reserved or duplicated");
        sorted.emplace_back(name, t.detach().to(at::kCPU).contiguous());
    }
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) {
        nlohmann::ordered_json meta = nlohmann::ordered_json::object();
        for (const auto& [k, v] : metadata)
            meta[k] = v;
        header["__metadata__"] = meta;
    }
    std::uint64_t offset = 0;
    for (const auto& [name, t] : sorted) {
        const StDType dt = fromScalarType(t.scalar_type(), name);
        const std::uint64_t bytes = static_cast<std::uint64_t>(t.numel()) * dtypeSize(dt);
        header[name] = {{"dtype", dtypeName(dt)}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    while (text.size() % 8 != 0)
        text.push_back(' ');
    AtomicFile out(path);
    unsigned char len[8];
    std::uint64_t n = text.size();
    for (int i = 0; i < 8; ++i)
        len[i] = static_cast<unsigned char>((n >> (8 * i)) & 0xff);
    out.write(len, 8);
    out.write(text);
    for (const auto& [name, t] : sorted)
        if (t.numel() > 0)
            out.write(t.data_ptr(), static_cast<std::size_t>(t.numel()) * t.element_size());
    out.commit();
}

} // namespace sb
