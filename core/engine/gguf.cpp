#include "engine/gguf.h"

#include "engine/errors.h"
#include "engine/file_util.h"

#include <ATen/ATen.h>

#include <cmath>
#include <cstring>
#include <set>

namespace sb {

const char* ggufTypeName(GgufType t)
{
    switch (t) {
    case GgufType::Uint8: return "uint8";
    case GgufType::Int8: return "int8";
    case GgufType::Uint16: return "uint16";
    case GgufType::Int16: return "int16";
    case GgufType::Uint32: return "uint32";
    case GgufType::Int32: return "int32";
    case GgufType::Float32: return "float32";
    case GgufType::Bool: return "bool";
    case GgufType::String: return "string";
    case GgufType::Array: return "array";
    case GgufType::Uint64: return "uint64";
    case GgufType::Int64: return "int64";
    case GgufType::Float64: return "float64";
    }
    return "?";
}

const GgufKeyValue* GgufFile::find(const std::string& key) const
{
    for (const auto& kv : metadata)
        if (kv.key == key)
            return &kv;
    return nullptr;
}

std::optional<std::string> GgufFile::string(const std::string& key) const
{
    const auto* kv = find(key);
    if (!kv || kv->type != GgufType::String)
        return std::nullopt;
    return kv->value.get<std::string>();
}

std::optional<int64_t> GgufFile::integer(const std::string& key) const
{
    const auto* kv = find(key);
    if (!kv || !kv->value.is_number_integer())
        return std::nullopt;
    return kv->value.get<int64_t>();
}

namespace {

constexpr uint32_t kMagic = 0x46554747; // "GGUF" little-endian

class Reader {
public:
    Reader(const std::string& data, const std::string& path) : m_d(data), m_path(path) {}
    template <typename T>
    T pod(const char* what)
    {
        need(sizeof(T), what);
        T v;
        std::memcpy(&v, m_d.data() + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return v;
    }
    std::string str(const char* what)
    {
        const auto n = pod<uint64_t>(what);
        need(n, what);
        std::string s = m_d.substr(m_pos, n);
        m_pos += n;
        return s;
    }
    void need(uint64_t n, const char* what) const
    {
        if (n > m_d.size() - m_pos)
            throw FormatError(m_path + ": truncated GGUF file: " + what + " at byte " + std::to_string(m_pos) +
                              " needs " + std::to_string(n) + " bytes, " + std::to_string(m_d.size() - m_pos) +
                              " left");
    }
    std::size_t pos() const { return m_pos; }

private:
    const std::string& m_d;
    const std::string& m_path;
    std::size_t m_pos = 0;
};

nlohmann::json readScalar(Reader& r, GgufType t, const std::string& key, const std::string& path)
{
    switch (t) {
    case GgufType::Uint8: return r.pod<uint8_t>(key.c_str());
    case GgufType::Int8: return r.pod<int8_t>(key.c_str());
    case GgufType::Uint16: return r.pod<uint16_t>(key.c_str());
    case GgufType::Int16: return r.pod<int16_t>(key.c_str());
    case GgufType::Uint32: return r.pod<uint32_t>(key.c_str());
    case GgufType::Int32: return r.pod<int32_t>(key.c_str());
    case GgufType::Float32: return r.pod<float>(key.c_str());
    case GgufType::Bool: {
        const auto b = r.pod<uint8_t>(key.c_str());
        if (b > 1)
            throw FormatError(path + ": metadata '" + key + "': bool value " + std::to_string(b) + " (expected 0 or 1)");
        return b == 1;
    }
    case GgufType::String: return r.str(key.c_str());
    case GgufType::Uint64: return r.pod<uint64_t>(key.c_str());
    case GgufType::Int64: return r.pod<int64_t>(key.c_str());
    case GgufType::Float64: return r.pod<double>(key.c_str());
    case GgufType::Array: break;
    }
    throw FormatError(path + ": metadata '" + key + "' has unknown value type " +
                      std::to_string(static_cast<uint32_t>(t)));
}

bool knownType(uint32_t t) { return t <= static_cast<uint32_t>(GgufType::Float64); }

float halfToFloat(uint16_t h)
{
    const uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    float v;
    if (exp == 0)
        v = std::ldexp(static_cast<float>(mant), -24);
    else if (exp == 31)
        v = mant ? NAN : INFINITY;
    else
        v = std::ldexp(static_cast<float>(mant | 0x400), static_cast<int>(exp) - 25);
    return sign ? -v : v;
}

template <typename T>
void putPod(std::string& out, T v)
{
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out.append(b, sizeof(T));
}

void putString(std::string& out, const std::string& s)
{
    putPod<uint64_t>(out, s.size());
    out += s;
}

void putScalar(std::string& out, GgufType t, const nlohmann::json& v, const std::string& key)
{
    try {
        switch (t) {
        case GgufType::Uint8: putPod(out, v.get<uint8_t>()); return;
        case GgufType::Int8: putPod(out, v.get<int8_t>()); return;
        case GgufType::Uint16: putPod(out, v.get<uint16_t>()); return;
        case GgufType::Int16: putPod(out, v.get<int16_t>()); return;
        case GgufType::Uint32: putPod(out, v.get<uint32_t>()); return;
        case GgufType::Int32: putPod(out, v.get<int32_t>()); return;
        case GgufType::Float32: putPod(out, v.get<float>()); return;
        case GgufType::Bool: putPod<uint8_t>(out, v.get<bool>() ? 1 : 0); return;
        case GgufType::String: putString(out, v.get<std::string>()); return;
        case GgufType::Uint64: putPod(out, v.get<uint64_t>()); return;
        case GgufType::Int64: putPod(out, v.get<int64_t>()); return;
        case GgufType::Float64: putPod(out, v.get<double>()); return;
        case GgufType::Array: break;
        }
    } catch (const nlohmann::json::exception& e) {
        throw InputError("GGUF metadata '" + key + "': value " + v.dump() + " does not fit type " + ggufTypeName(t));
    }
    throw InputError("GGUF metadata '" + key + "': nested arrays are not supported");
}

uint64_t alignUp(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

std::string shapeText(const std::vector<int64_t>& ne)
{
    std::string s;
    for (std::size_t i = 0; i < ne.size(); ++i)
        s += (i ? " x " : "") + std::to_string(ne[i]);
    return s;
}

} // namespace

GgufFile readGguf(const std::string& path)
{
    const std::string data = readWholeFile(path);
    Reader r(data, path);
    GgufFile f;
    const auto magic = r.pod<uint32_t>("magic");
    if (magic != kMagic)
        throw FormatError(path + ": not a GGUF file (the first four bytes are not 'GGUF')");
    f.version = r.pod<uint32_t>("version");
    if (f.version != 2 && f.version != 3)
        throw FormatError(path + ": GGUF version " + std::to_string(f.version) + " is not supported (expected 2 or 3)");
    const auto nTensors = r.pod<uint64_t>("tensor count");
    const auto nKv = r.pod<uint64_t>("metadata count");
    // Every entry takes at least 8 bytes; reject counts the file cannot hold before allocating.
    if (nTensors > data.size() / 8 || nKv > data.size() / 8)
        throw FormatError(path + ": GGUF header claims " + std::to_string(nTensors) + " tensors and " +
                          std::to_string(nKv) + " metadata entries, more than the file can hold");
    std::set<std::string> keys;
    for (uint64_t i = 0; i < nKv; ++i) {
        GgufKeyValue kv;
        kv.key = r.str("metadata key");
        if (!keys.insert(kv.key).second)
            throw FormatError(path + ": metadata key '" + kv.key + "' appears twice");
        const auto t = r.pod<uint32_t>("metadata type");
        if (!knownType(t))
            throw FormatError(path + ": metadata '" + kv.key + "' has unknown type " + std::to_string(t));
        kv.type = static_cast<GgufType>(t);
        if (kv.type == GgufType::Array) {
            const auto et = r.pod<uint32_t>("array type");
            if (!knownType(et) || et == static_cast<uint32_t>(GgufType::Array))
                throw FormatError(path + ": metadata '" + kv.key + "' is an array of unsupported type " +
                                  std::to_string(et));
            kv.arrayType = static_cast<GgufType>(et);
            const auto n = r.pod<uint64_t>("array length");
            if (n > data.size())
                throw FormatError(path + ": metadata '" + kv.key + "' claims " + std::to_string(n) + " elements");
            kv.value = nlohmann::json::array();
            for (uint64_t k = 0; k < n; ++k)
                kv.value.push_back(readScalar(r, kv.arrayType, kv.key, path));
        } else {
            kv.value = readScalar(r, kv.type, kv.key, path);
        }
        if (kv.key == "general.alignment") {
            if (kv.type != GgufType::Uint32 || kv.value.get<uint64_t>() == 0 ||
                (kv.value.get<uint64_t>() & (kv.value.get<uint64_t>() - 1)) != 0)
                throw FormatError(path + ": general.alignment must be a uint32 power of two");
            f.alignment = kv.value.get<uint64_t>();
        }
        f.metadata.push_back(std::move(kv));
    }
    std::set<std::string> names;
    for (uint64_t i = 0; i < nTensors; ++i) {
        GgufTensor t;
        t.name = r.str("tensor name");
        if (!names.insert(t.name).second)
            throw FormatError(path + ": tensor '" + t.name + "' appears twice");
        const auto nd = r.pod<uint32_t>("tensor dims");
        if (nd == 0 || nd > 4)
            throw FormatError(path + ": tensor '" + t.name + "' has " + std::to_string(nd) + " dims (expected 1-4)");
        for (uint32_t k = 0; k < nd; ++k) {
            const auto ne = r.pod<uint64_t>("tensor dim");
            if (ne == 0 || ne > (uint64_t{1} << 40))
                throw FormatError(path + ": tensor '" + t.name + "' has dimension " + std::to_string(ne));
            t.ne.push_back(static_cast<int64_t>(ne));
        }
        t.ggmlType = r.pod<uint32_t>("tensor type");
        t.offset = r.pod<uint64_t>("tensor offset");
        if (t.offset % f.alignment != 0)
            throw FormatError(path + ": tensor '" + t.name + "' offset " + std::to_string(t.offset) +
                              " is not a multiple of the alignment " + std::to_string(f.alignment));
        f.tensors.push_back(std::move(t));
    }
    const uint64_t dataStart = alignUp(r.pos(), f.alignment);
    for (auto& t : f.tensors) {
        uint64_t elem = t.ggmlType == kGgmlTypeF32 ? 4 : t.ggmlType == kGgmlTypeF16 ? 2 : 0;
        if (elem == 0)
            continue; // quantised or integer types: listed, not loaded
        // Up to four dimensions of 2^40 each: multiply with a bound, or the
        // product wraps and a huge shape passes the size check below.
        uint64_t un = 1;
        for (auto e : t.ne) {
            if (un > data.size() / static_cast<uint64_t>(e))
                throw FormatError(path + ": tensor '" + t.name + "' has " + shapeText(t.ne) +
                                  " elements, more than the file's " + std::to_string(data.size()) + " bytes can hold");
            un *= static_cast<uint64_t>(e);
        }
        const auto n = static_cast<int64_t>(un);
        const uint64_t bytes = un * elem;
        if (dataStart > data.size() || t.offset > data.size() - dataStart || bytes > data.size() - dataStart - t.offset)
            throw FormatError(path + ": tensor '" + t.name + "' data (" + std::to_string(bytes) + " bytes at offset " +
                              std::to_string(t.offset) + ") runs past the end of the file");
        std::vector<int64_t> shape(t.ne.rbegin(), t.ne.rend());
        at::Tensor out = at::empty(shape, at::kFloat);
        const char* src = data.data() + dataStart + t.offset;
        if (t.ggmlType == kGgmlTypeF32) {
            std::memcpy(out.data_ptr<float>(), src, bytes);
        } else {
            float* dst = out.data_ptr<float>();
            for (int64_t k = 0; k < n; ++k) {
                uint16_t h;
                std::memcpy(&h, src + 2 * k, 2);
                dst[k] = halfToFloat(h);
            }
        }
        t.data = out;
    }
    return f;
}

void writeGguf(const std::string& path, const GgufFile& file)
{
    const uint64_t align = file.alignment;
    if (align == 0 || (align & (align - 1)) != 0)
        throw InputError(path + ": GGUF alignment must be a power of two");
    std::string out;
    putPod<uint32_t>(out, kMagic);
    putPod<uint32_t>(out, 3);
    putPod<uint64_t>(out, file.tensors.size());
    std::vector<GgufKeyValue> kvs = file.metadata;
    bool hasAlign = false;
    for (const auto& kv : kvs)
        hasAlign = hasAlign || kv.key == "general.alignment";
    if (!hasAlign && align != 32)
        kvs.push_back({"general.alignment", GgufType::Uint32, GgufType::Uint8, align});
    putPod<uint64_t>(out, kvs.size());
    for (const auto& kv : kvs) {
        putString(out, kv.key);
        putPod<uint32_t>(out, static_cast<uint32_t>(kv.type));
        if (kv.type == GgufType::Array) {
            putPod<uint32_t>(out, static_cast<uint32_t>(kv.arrayType));
            putPod<uint64_t>(out, kv.value.size());
            for (const auto& e : kv.value)
                putScalar(out, kv.arrayType, e, kv.key);
        } else {
            putScalar(out, kv.type, kv.value, kv.key);
        }
    }
    uint64_t offset = 0;
    std::vector<at::Tensor> payloads;
    for (const auto& t : file.tensors) {
        if (!t.data.defined() || !at::isFloatingType(t.data.scalar_type()))
            throw InputError(path + ": tensor '" + t.name + "' must be a floating tensor to write as F32");
        at::Tensor d = t.data.detach().to(at::kFloat).contiguous();
        putString(out, t.name);
        putPod<uint32_t>(out, static_cast<uint32_t>(d.dim()));
        for (int64_t k = d.dim() - 1; k >= 0; --k)
            putPod<uint64_t>(out, static_cast<uint64_t>(d.size(k)));
        putPod<uint32_t>(out, kGgmlTypeF32);
        putPod<uint64_t>(out, offset);
        offset = alignUp(offset + static_cast<uint64_t>(d.numel()) * 4, align);
        payloads.push_back(d);
    }
    out.append(alignUp(out.size(), align) - out.size(), '\0');
    for (const auto& d : payloads) {
        out.append(reinterpret_cast<const char*>(d.data_ptr<float>()), static_cast<std::size_t>(d.numel()) * 4);
        out.append(alignUp(out.size(), align) - out.size(), '\0');
    }
    AtomicFile f(path);
    f.write(out);
    f.commit();
}

} // namespace sb
