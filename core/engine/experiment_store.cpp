#include "engine/experiment_store.h"

#include "engine/errors.h"
#include "engine/file_util.h"

#include <hdf5.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <mutex>

namespace sb {

// ============================================================== NumericArray

namespace {

template <typename T>
NumericArray makeArray(NumericArray::Type type, std::vector<int64_t> shape, const std::vector<T>& values)
{
    NumericArray a(type, std::move(shape));
    if (static_cast<std::size_t>(a.elementCount()) != values.size())
        throw ShapeError("experiment store: an array of shape with " + std::to_string(a.elementCount()) +
                         " elements was given " + std::to_string(values.size()) + " values");
    if (!values.empty())
        std::memcpy(a.data(), values.data(), values.size() * sizeof(T));
    return a;
}

template <typename Out>
std::vector<Out> convertAll(const NumericArray& a)
{
    const auto n = static_cast<std::size_t>(a.elementCount());
    std::vector<Out> out(n);
    auto copy = [&](const auto* p) {
        for (std::size_t i = 0; i < n; ++i)
            out[i] = static_cast<Out>(p[i]);
    };
    switch (a.type()) {
    case NumericArray::Type::Float32: copy(static_cast<const float*>(a.data())); break;
    case NumericArray::Type::Float64: copy(static_cast<const double*>(a.data())); break;
    case NumericArray::Type::Int32: copy(static_cast<const int32_t*>(a.data())); break;
    case NumericArray::Type::Int64: copy(static_cast<const int64_t*>(a.data())); break;
    case NumericArray::Type::UInt8: copy(static_cast<const uint8_t*>(a.data())); break;
    }
    return out;
}

} // namespace

NumericArray::NumericArray(Type type, std::vector<int64_t> shape) : m_type(type), m_shape(std::move(shape))
{
    for (int64_t d : m_shape)
        if (d < 0)
            throw ShapeError("experiment store: negative dimension in an array shape");
    m_bytes.assign(static_cast<std::size_t>(elementCount()) * elementSize(type), 0);
}

int64_t NumericArray::elementCount() const
{
    int64_t n = 1;
    for (int64_t d : m_shape)
        n *= d;
    return n;
}

std::size_t NumericArray::elementSize(Type t)
{
    switch (t) {
    case Type::Float32: return 4;
    case Type::Float64: return 8;
    case Type::Int32: return 4;
    case Type::Int64: return 8;
    case Type::UInt8: return 1;
    }
    return 1;
}

const char* NumericArray::typeName(Type t)
{
    switch (t) {
    case Type::Float32: return "float32";
    case Type::Float64: return "float64";
    case Type::Int32: return "int32";
    case Type::Int64: return "int64";
    case Type::UInt8: return "uint8";
    }
    return "?";
}

NumericArray NumericArray::fromFloat32(std::vector<int64_t> shape, const std::vector<float>& v)
{
    return makeArray(Type::Float32, std::move(shape), v);
}
NumericArray NumericArray::fromFloat64(std::vector<int64_t> shape, const std::vector<double>& v)
{
    return makeArray(Type::Float64, std::move(shape), v);
}
NumericArray NumericArray::fromInt64(std::vector<int64_t> shape, const std::vector<int64_t>& v)
{
    return makeArray(Type::Int64, std::move(shape), v);
}
NumericArray NumericArray::fromInt32(std::vector<int64_t> shape, const std::vector<int32_t>& v)
{
    return makeArray(Type::Int32, std::move(shape), v);
}
NumericArray NumericArray::fromUInt8(std::vector<int64_t> shape, const std::vector<uint8_t>& v)
{
    return makeArray(Type::UInt8, std::move(shape), v);
}

std::vector<double> NumericArray::toDoubles() const { return convertAll<double>(*this); }
std::vector<int64_t> NumericArray::toInt64s() const { return convertAll<int64_t>(*this); }
std::vector<float> NumericArray::toFloats() const { return convertAll<float>(*this); }

// ============================================================== ExperimentGroup

namespace {

void checkName(const std::string& name, const std::string& where)
{
    if (name.empty() || name == "." || name.find('/') != std::string::npos)
        throw InputError("experiment store: invalid name '" + name + "' in " + where +
                         " (names must be non-empty, not '.', without '/')");
}

const char* variantTypeName(const AttributeValue& v)
{
    switch (v.index()) {
    case 0: return "string";
    case 1: return "integer";
    case 2: return "float";
    case 3: return "integer array";
    case 4: return "float array";
    case 5: return "string array";
    case 6: return "JSON";
    }
    return "?";
}

} // namespace

ExperimentGroup::ExperimentGroup(std::string path, std::shared_ptr<std::string> file)
    : m_path(std::move(path)), m_file(std::move(file))
{
}

std::string ExperimentGroup::where(const std::string& what) const
{
    const std::string file = m_file->empty() ? std::string("experiment file") : *m_file;
    return file + ": " + (m_path == "/" ? std::string("/") : m_path + "/") + what;
}

bool ExperimentGroup::hasGroup(const std::string& name) const { return m_groups.count(name) != 0; }

ExperimentGroup& ExperimentGroup::group(const std::string& name)
{
    checkName(name, m_path);
    auto it = m_groups.find(name);
    if (it != m_groups.end())
        return *it->second;
    if (m_datasets.count(name))
        throw InputError(where(name) + " is a dataset, not a group");
    auto g = std::unique_ptr<ExperimentGroup>(new ExperimentGroup((m_path == "/" ? "/" : m_path + "/") + name, m_file));
    return *m_groups.emplace(name, std::move(g)).first->second;
}

const ExperimentGroup& ExperimentGroup::child(const std::string& name) const
{
    auto it = m_groups.find(name);
    if (it == m_groups.end())
        throw FormatError(where(name) + ": group is missing");
    return *it->second;
}

ExperimentGroup& ExperimentGroup::child(const std::string& name)
{
    return const_cast<ExperimentGroup&>(static_cast<const ExperimentGroup*>(this)->child(name));
}

const ExperimentGroup& ExperimentGroup::at(const std::string& relativePath) const
{
    const ExperimentGroup* g = this;
    std::size_t start = 0;
    while (start <= relativePath.size()) {
        const std::size_t slash = relativePath.find('/', start);
        const std::string part = relativePath.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (!part.empty())
            g = &g->child(part);
        if (slash == std::string::npos)
            break;
        start = slash + 1;
    }
    return *g;
}

std::vector<std::string> ExperimentGroup::groupNames() const
{
    std::vector<std::string> out;
    for (const auto& [n, g] : m_groups)
        out.push_back(n);
    return out;
}

void ExperimentGroup::removeGroup(const std::string& name) { m_groups.erase(name); }

bool ExperimentGroup::hasAttribute(const std::string& name) const { return m_attributes.count(name) != 0; }

void ExperimentGroup::setAttribute(const std::string& name, AttributeValue value)
{
    checkName(name, m_path);
    m_attributes[name] = std::move(value);
}

const AttributeValue& ExperimentGroup::attribute(const std::string& name) const
{
    auto it = m_attributes.find(name);
    if (it == m_attributes.end())
        throw FormatError(where("@" + name) + ": attribute is missing");
    return it->second;
}

namespace {
[[noreturn]] void wrongType(const std::string& where, const char* want, const AttributeValue& v)
{
    throw FormatError(where + ": expected a " + want + " attribute, found a " + variantTypeName(v));
}
} // namespace

std::string ExperimentGroup::stringAttribute(const std::string& name) const
{
    const auto& v = attribute(name);
    if (const auto* s = std::get_if<std::string>(&v))
        return *s;
    if (const auto* j = std::get_if<JsonAttribute>(&v))
        return j->value.dump();
    wrongType(where("@" + name), "string", v);
}

int64_t ExperimentGroup::intAttribute(const std::string& name) const
{
    const auto& v = attribute(name);
    if (const auto* i = std::get_if<int64_t>(&v))
        return *i;
    wrongType(where("@" + name), "integer", v);
}

double ExperimentGroup::doubleAttribute(const std::string& name) const
{
    const auto& v = attribute(name);
    if (const auto* d = std::get_if<double>(&v))
        return *d;
    if (const auto* i = std::get_if<int64_t>(&v))
        return static_cast<double>(*i);
    wrongType(where("@" + name), "float", v);
}

std::vector<int64_t> ExperimentGroup::intArrayAttribute(const std::string& name) const
{
    const auto& v = attribute(name);
    if (const auto* a = std::get_if<std::vector<int64_t>>(&v))
        return *a;
    if (const auto* i = std::get_if<int64_t>(&v))
        return {*i};
    wrongType(where("@" + name), "integer array", v);
}

std::vector<double> ExperimentGroup::doubleArrayAttribute(const std::string& name) const
{
    const auto& v = attribute(name);
    if (const auto* a = std::get_if<std::vector<double>>(&v))
        return *a;
    if (const auto* a = std::get_if<std::vector<int64_t>>(&v))
        return std::vector<double>(a->begin(), a->end());
    if (const auto* d = std::get_if<double>(&v))
        return {*d};
    wrongType(where("@" + name), "float array", v);
}

std::vector<std::string> ExperimentGroup::stringArrayAttribute(const std::string& name) const
{
    const auto& v = attribute(name);
    if (const auto* a = std::get_if<std::vector<std::string>>(&v))
        return *a;
    if (const auto* s = std::get_if<std::string>(&v))
        return {*s};
    wrongType(where("@" + name), "string array", v);
}

nlohmann::json ExperimentGroup::jsonAttribute(const std::string& name) const
{
    const auto& v = attribute(name);
    if (const auto* j = std::get_if<JsonAttribute>(&v))
        return j->value;
    if (const auto* s = std::get_if<std::string>(&v)) {
        try {
            return nlohmann::json::parse(*s);
        } catch (const nlohmann::json::exception& e) {
            throw FormatError(where("@" + name) + ": attribute is not valid JSON (" + e.what() + ")");
        }
    }
    wrongType(where("@" + name), "JSON (string)", v);
}

std::vector<std::string> ExperimentGroup::attributeNames() const
{
    std::vector<std::string> out;
    for (const auto& [n, v] : m_attributes)
        out.push_back(n);
    return out;
}

void ExperimentGroup::removeAttribute(const std::string& name) { m_attributes.erase(name); }

bool ExperimentGroup::hasDataset(const std::string& name) const { return m_datasets.count(name) != 0; }

void ExperimentGroup::setDataset(const std::string& name, NumericArray array)
{
    checkName(name, m_path);
    if (m_groups.count(name))
        throw InputError(where(name) + " is a group, not a dataset");
    m_datasets[name] = std::move(array);
}

void ExperimentGroup::setStrings(const std::string& name, std::vector<std::string> values)
{
    checkName(name, m_path);
    if (m_groups.count(name))
        throw InputError(where(name) + " is a group, not a dataset");
    m_datasets[name] = std::move(values);
}

const NumericArray& ExperimentGroup::dataset(const std::string& name) const
{
    auto it = m_datasets.find(name);
    if (it == m_datasets.end())
        throw FormatError(where(name) + ": dataset is missing");
    if (const auto* a = std::get_if<NumericArray>(&it->second))
        return *a;
    throw FormatError(where(name) + ": expected a numeric dataset, found strings");
}

const std::vector<std::string>& ExperimentGroup::strings(const std::string& name) const
{
    auto it = m_datasets.find(name);
    if (it == m_datasets.end())
        throw FormatError(where(name) + ": dataset is missing");
    if (const auto* s = std::get_if<std::vector<std::string>>(&it->second))
        return *s;
    throw FormatError(where(name) + ": expected a string dataset, found numbers");
}

bool ExperimentGroup::isStringDataset(const std::string& name) const
{
    auto it = m_datasets.find(name);
    return it != m_datasets.end() && std::holds_alternative<std::vector<std::string>>(it->second);
}

std::vector<std::string> ExperimentGroup::datasetNames() const
{
    std::vector<std::string> out;
    for (const auto& [n, d] : m_datasets)
        out.push_back(n);
    return out;
}

void ExperimentGroup::removeDataset(const std::string& name) { m_datasets.erase(name); }

// ============================================================== HDF5 I/O

namespace {

/// One lock for every HDF5 call of this module: the library's own thread
/// safety depends on how it was built, and this keeps us correct either way.
std::mutex& hdf5Mutex()
{
    static std::mutex m;
    return m;
}

/// Owns an HDF5 identifier and closes it with the matching function.
class Handle {
public:
    using Closer = herr_t (*)(hid_t);
    Handle() = default;
    Handle(hid_t id, Closer c) : m_id(id), m_close(c) {}
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Handle(Handle&& o) noexcept : m_id(o.m_id), m_close(o.m_close) { o.m_id = -1; }
    Handle& operator=(Handle&& o) noexcept
    {
        reset();
        m_id = o.m_id;
        m_close = o.m_close;
        o.m_id = -1;
        return *this;
    }
    ~Handle() { reset(); }
    void reset()
    {
        if (m_id >= 0 && m_close)
            m_close(m_id);
        m_id = -1;
    }
    /// Closes now and reports whether closing succeeded (a file's last flush).
    bool close()
    {
        if (m_id < 0)
            return true;
        const herr_t r = m_close(m_id);
        m_id = -1;
        return r >= 0;
    }
    hid_t get() const { return m_id; }
    bool valid() const { return m_id >= 0; }

private:
    hid_t m_id = -1;
    Closer m_close = nullptr;
};

herr_t walkCallback(unsigned n, const H5E_error2_t* err, void* data)
{
    auto* out = static_cast<std::string*>(data);
    if (err && err->desc && *err->desc) {
        if (n == 0) // the innermost error says most ("file signature not found", errno...)
            *out = err->desc;
    }
    return 0;
}

/// The innermost message on HDF5's error stack, then clears it.
std::string hdf5Message()
{
    std::string msg;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walkCallback, &msg);
    H5Eclear2(H5E_DEFAULT);
    return msg.empty() ? std::string("HDF5 error") : msg;
}

std::string utcNow()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/// Silences HDF5's automatic printing on this thread; errors become exceptions.
void silenceHdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

Handle vlenStringType()
{
    Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(t.get(), H5T_VARIABLE);
    H5Tset_cset(t.get(), H5T_CSET_UTF8);
    return t;
}

// ------------------------------------------------------------ writing

struct Writer {
    std::string file; ///< the destination, for messages

    [[noreturn]] void fail(const std::string& what) const
    {
        throw ResourceError(file + ": cannot write " + what + " (" + hdf5Message() + "); the previous file is unchanged");
    }
    void check(herr_t r, const std::string& what) const
    {
        if (r < 0)
            fail(what);
    }
    Handle checkId(hid_t id, Handle::Closer c, const std::string& what) const
    {
        if (id < 0)
            fail(what);
        return Handle(id, c);
    }

    Handle dataspace(const std::vector<int64_t>& shape, bool scalar) const
    {
        if (scalar)
            return checkId(H5Screate(H5S_SCALAR), H5Sclose, "a dataspace");
        std::vector<hsize_t> dims(shape.begin(), shape.end());
        return checkId(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose, "a dataspace");
    }

    static hid_t nativeType(NumericArray::Type t)
    {
        switch (t) {
        case NumericArray::Type::Float32: return H5T_NATIVE_FLOAT;
        case NumericArray::Type::Float64: return H5T_NATIVE_DOUBLE;
        case NumericArray::Type::Int32: return H5T_NATIVE_INT32;
        case NumericArray::Type::Int64: return H5T_NATIVE_INT64;
        case NumericArray::Type::UInt8: return H5T_NATIVE_UINT8;
        }
        return H5T_NATIVE_DOUBLE;
    }
    /// Little-endian file types, as numpy writes them.
    static hid_t fileType(NumericArray::Type t)
    {
        switch (t) {
        case NumericArray::Type::Float32: return H5T_IEEE_F32LE;
        case NumericArray::Type::Float64: return H5T_IEEE_F64LE;
        case NumericArray::Type::Int32: return H5T_STD_I32LE;
        case NumericArray::Type::Int64: return H5T_STD_I64LE;
        case NumericArray::Type::UInt8: return H5T_STD_U8LE;
        }
        return H5T_IEEE_F64LE;
    }

    void writeStrings(hid_t obj, const std::string& name, const std::vector<std::string>& values, bool scalar,
                      bool attribute) const
    {
        Handle type = vlenStringType();
        Handle space = dataspace({static_cast<int64_t>(values.size())}, scalar);
        std::vector<const char*> ptrs;
        for (const auto& v : values)
            ptrs.push_back(v.c_str());
        const std::string what = (attribute ? "attribute '" : "dataset '") + name + "'";
        if (attribute) {
            Handle a = checkId(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                               H5Aclose, what);
            if (!values.empty())
                check(H5Awrite(a.get(), type.get(), ptrs.data()), what);
            check(a.close() ? 0 : -1, what);
        } else {
            Handle d = checkId(H5Dcreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                                          H5P_DEFAULT),
                               H5Dclose, what);
            if (!values.empty())
                check(H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), what);
            check(d.close() ? 0 : -1, what);
        }
    }

    template <typename T>
    void writeNumberAttribute(hid_t obj, const std::string& name, hid_t fileT, hid_t memT, const std::vector<T>& v,
                              bool scalar) const
    {
        const std::string what = "attribute '" + name + "'";
        Handle space = dataspace({static_cast<int64_t>(v.size())}, scalar);
        Handle a = checkId(H5Acreate2(obj, name.c_str(), fileT, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose, what);
        if (!v.empty())
            check(H5Awrite(a.get(), memT, v.data()), what);
        check(a.close() ? 0 : -1, what);
    }

    void writeAttribute(hid_t obj, const std::string& name, const AttributeValue& v) const
    {
        switch (v.index()) {
        case 0: writeStrings(obj, name, {std::get<std::string>(v)}, true, true); break;
        case 1:
            writeNumberAttribute(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, std::vector<int64_t>{std::get<int64_t>(v)},
                                 true);
            break;
        case 2:
            writeNumberAttribute(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, std::vector<double>{std::get<double>(v)},
                                 true);
            break;
        case 3:
            writeNumberAttribute(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, std::get<std::vector<int64_t>>(v), false);
            break;
        case 4:
            writeNumberAttribute(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, std::get<std::vector<double>>(v), false);
            break;
        case 5: writeStrings(obj, name, std::get<std::vector<std::string>>(v), false, true); break;
        case 6: writeStrings(obj, name, {std::get<JsonAttribute>(v).value.dump()}, true, true); break;
        }
    }

    void writeArray(hid_t obj, const std::string& name, const NumericArray& a) const
    {
        const std::string what = "dataset '" + name + "'";
        Handle space = dataspace(a.shape(), a.rank() == 0);
        Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
        // Larger arrays are chunked and compressed (gzip, which every HDF5 reader has).
        if (a.rank() > 0 && a.byteSize() >= (64u << 10) && a.elementCount() > 0 &&
            H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
            std::vector<hsize_t> chunk(a.shape().begin(), a.shape().end());
            // Chunks of at most ~256 KiB: shrink leading dimensions first.
            const std::size_t elem = NumericArray::elementSize(a.type());
            auto chunkBytes = [&] {
                std::size_t b = elem;
                for (hsize_t c : chunk)
                    b *= static_cast<std::size_t>(c);
                return b;
            };
            for (std::size_t i = 0; i < chunk.size() && chunkBytes() > (256u << 10); ++i) {
                while (chunk[i] > 1 && chunkBytes() > (256u << 10))
                    chunk[i] = (chunk[i] + 1) / 2;
            }
            H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
            H5Pset_shuffle(dcpl.get());
            H5Pset_deflate(dcpl.get(), 4);
        }
        Handle d = checkId(H5Dcreate2(obj, name.c_str(), fileType(a.type()), space.get(), H5P_DEFAULT, dcpl.get(),
                                      H5P_DEFAULT),
                           H5Dclose, what);
        if (a.elementCount() > 0)
            check(H5Dwrite(d.get(), nativeType(a.type()), H5S_ALL, H5S_ALL, H5P_DEFAULT, a.data()), what);
        check(d.close() ? 0 : -1, what);
    }
};

} // namespace

/// Friend of ExperimentGroup: walks the private tree for reading and writing.
struct ExperimentIo {
    /// At the root the schema version is always this build's, whatever the tree holds.
    static void write(const Writer& w, hid_t obj, const ExperimentGroup& g, bool isRoot)
    {
        if (isRoot) {
            w.writeAttribute(obj, ExperimentFile::kSchemaAttribute, AttributeValue(ExperimentFile::kSchemaVersion));
            w.writeAttribute(obj, "steerbridge_version", AttributeValue(std::string(SB_VERSION_STRING)));
            w.writeAttribute(obj, "created", AttributeValue(utcNow()));
        }
        for (const auto& [name, v] : g.m_attributes)
            if (!isRoot || (name != ExperimentFile::kSchemaAttribute && name != "steerbridge_version" && name != "created"))
                w.writeAttribute(obj, name, v);
        for (const auto& [name, d] : g.m_datasets) {
            if (const auto* a = std::get_if<NumericArray>(&d))
                w.writeArray(obj, name, *a);
            else
                w.writeStrings(obj, name, std::get<std::vector<std::string>>(d), false, false);
        }
        for (const auto& [name, child] : g.m_groups) {
            Handle h = w.checkId(H5Gcreate2(obj, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                                 "group '" + child->path() + "'");
            write(w, h.get(), *child, false);
        }
    }

    static void read(hid_t obj, ExperimentGroup& g);
    static std::unique_ptr<ExperimentGroup> makeRoot(std::shared_ptr<std::string> file)
    {
        return std::unique_ptr<ExperimentGroup>(new ExperimentGroup("/", std::move(file)));
    }
};

namespace {

// ------------------------------------------------------------ reading

struct Reader {
    const ExperimentGroup& g;
    [[noreturn]] void fail(const std::string& what) const
    {
        throw FormatError(g.sourceFile() + ": cannot read " + what + " in group " + g.path() + " (" + hdf5Message() +
                          "); the file is corrupt or truncated");
    }
    Handle checkId(hid_t id, Handle::Closer c, const std::string& what) const
    {
        if (id < 0)
            fail(what);
        return Handle(id, c);
    }
    void check(herr_t r, const std::string& what) const
    {
        if (r < 0)
            fail(what);
    }
    [[noreturn]] void unsupported(const std::string& what, const std::string& why) const
    {
        throw FormatError(g.sourceFile() + ": " + what + " in group " + g.path() + " " + why);
    }
};

struct Extent {
    bool scalar = false;
    std::vector<int64_t> shape;
    std::size_t count = 1;
};

Extent extentOf(const Reader& r, hid_t space, const std::string& what)
{
    Extent e;
    const H5S_class_t cls = H5Sget_simple_extent_type(space);
    if (cls == H5S_SCALAR) {
        e.scalar = true;
        return e;
    }
    if (cls == H5S_NULL) {
        e.shape = {0};
        e.count = 0;
        return e;
    }
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0)
        r.fail(what);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (H5Sget_simple_extent_dims(space, dims.data(), nullptr) < 0)
        r.fail(what);
    for (hsize_t d : dims) {
        e.shape.push_back(static_cast<int64_t>(d));
        e.count *= static_cast<std::size_t>(d);
    }
    return e;
}

/// Reads strings (variable or fixed length) from an attribute or dataset.
std::vector<std::string> readStrings(const Reader& r, hid_t obj, hid_t fileType, std::size_t count, bool attribute,
                                     const std::string& what)
{
    std::vector<std::string> out;
    if (count == 0)
        return out;
    const htri_t isVar = H5Tis_variable_str(fileType);
    if (isVar < 0)
        r.fail(what);
    if (isVar > 0) {
        Handle mem = vlenStringType();
        std::vector<char*> ptrs(count, nullptr);
        const herr_t rc = attribute ? H5Aread(obj, mem.get(), ptrs.data())
                                    : H5Dread(obj, mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data());
        if (rc < 0)
            r.fail(what);
        for (char* p : ptrs) {
            out.emplace_back(p ? p : "");
            if (p)
                H5free_memory(p);
        }
        return out;
    }
    const std::size_t len = H5Tget_size(fileType);
    if (len == 0)
        r.fail(what);
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), len);
    H5Tset_strpad(mem.get(), H5T_STR_NULLPAD);
    std::vector<char> buf(len * count);
    const herr_t rc = attribute ? H5Aread(obj, mem.get(), buf.data())
                                : H5Dread(obj, mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
    if (rc < 0)
        r.fail(what);
    for (std::size_t i = 0; i < count; ++i) {
        const char* p = buf.data() + i * len;
        out.emplace_back(p, strnlen(p, len));
    }
    return out;
}

struct NameList {
    std::vector<std::string> names;
};

herr_t collectAttribute(hid_t, const char* name, const H5A_info_t*, void* data)
{
    static_cast<NameList*>(data)->names.emplace_back(name);
    return 0;
}

herr_t collectLink(hid_t, const char* name, const H5L_info_t* info, void* data)
{
    if (info && info->type == H5L_TYPE_HARD) // soft and external links are not followed
        static_cast<NameList*>(data)->names.emplace_back(name);
    return 0;
}

void readAttributes(const Reader& r, hid_t obj, ExperimentGroup& g)
{
    NameList list;
    hsize_t idx = 0;
    r.check(H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, collectAttribute, &list), "the attribute list");
    for (const auto& name : list.names) {
        const std::string what = "attribute '" + name + "'";
        Handle a = r.checkId(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, what);
        Handle type = r.checkId(H5Aget_type(a.get()), H5Tclose, what);
        Handle space = r.checkId(H5Aget_space(a.get()), H5Sclose, what);
        const Extent e = extentOf(r, space.get(), what);
        switch (H5Tget_class(type.get())) {
        case H5T_STRING: {
            auto v = readStrings(r, a.get(), type.get(), e.count, true, what);
            if (e.scalar)
                g.setAttribute(name, v.empty() ? std::string() : v[0]);
            else
                g.setAttribute(name, std::move(v));
            break;
        }
        case H5T_INTEGER: {
            std::vector<int64_t> v(e.count);
            if (e.count)
                r.check(H5Aread(a.get(), H5T_NATIVE_INT64, v.data()), what);
            if (e.scalar)
                g.setAttribute(name, v[0]);
            else
                g.setAttribute(name, std::move(v));
            break;
        }
        case H5T_FLOAT: {
            std::vector<double> v(e.count);
            if (e.count)
                r.check(H5Aread(a.get(), H5T_NATIVE_DOUBLE, v.data()), what);
            if (e.scalar)
                g.setAttribute(name, v[0]);
            else
                g.setAttribute(name, std::move(v));
            break;
        }
        default:
            r.unsupported(what, "has an HDF5 type SteerBridge does not read (strings, integers and floats only)");
        }
    }
}

void readDataset(const Reader& r, hid_t parent, const std::string& name, ExperimentGroup& g)
{
    const std::string what = "dataset '" + name + "'";
    Handle d = r.checkId(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, what);
    Handle type = r.checkId(H5Dget_type(d.get()), H5Tclose, what);
    Handle space = r.checkId(H5Dget_space(d.get()), H5Sclose, what);
    const Extent e = extentOf(r, space.get(), what);
    const H5T_class_t cls = H5Tget_class(type.get());
    if (cls == H5T_STRING) {
        g.setStrings(name, readStrings(r, d.get(), type.get(), e.count, false, what));
        return;
    }
    NumericArray::Type t;
    hid_t mem;
    const std::size_t size = H5Tget_size(type.get());
    if (cls == H5T_FLOAT) {
        t = size <= 4 ? NumericArray::Type::Float32 : NumericArray::Type::Float64;
        mem = size <= 4 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
    } else if (cls == H5T_INTEGER) {
        const bool isSigned = H5Tget_sign(type.get()) == H5T_SGN_2;
        if (size == 1 && !isSigned) {
            t = NumericArray::Type::UInt8;
            mem = H5T_NATIVE_UINT8;
        } else if (size < 4 || (size == 4 && isSigned)) {
            t = NumericArray::Type::Int32;
            mem = H5T_NATIVE_INT32;
        } else {
            t = NumericArray::Type::Int64;
            mem = H5T_NATIVE_INT64;
        }
    } else {
        r.unsupported(what, "has an HDF5 type SteerBridge does not read (numeric arrays and strings only)");
    }
    NumericArray a(t, e.scalar ? std::vector<int64_t>{} : e.shape);
    if (a.elementCount() > 0)
        r.check(H5Dread(d.get(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.data()), what);
    g.setDataset(name, std::move(a));
}

} // namespace

void ExperimentIo::read(hid_t obj, ExperimentGroup& g)
{
    Reader r{g};
    readAttributes(r, obj, g);
    NameList links;
    hsize_t idx = 0;
    r.check(H5Literate(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, collectLink, &links), "the member list");
    for (const auto& name : links.names) {
        Handle o = r.checkId(H5Oopen(obj, name.c_str(), H5P_DEFAULT), H5Oclose, "member '" + name + "'");
        switch (H5Iget_type(o.get())) {
        case H5I_GROUP: read(o.get(), g.group(name)); break;
        case H5I_DATASET: readDataset(r, obj, name, g); break;
        default: break; // named datatypes: nothing SteerBridge stores
        }
    }
}

// ============================================================== ExperimentFile

ExperimentFile::ExperimentFile() : m_root(ExperimentIo::makeRoot(std::make_shared<std::string>())) {}
ExperimentFile::ExperimentFile(ExperimentFile&&) noexcept = default;
ExperimentFile& ExperimentFile::operator=(ExperimentFile&&) noexcept = default;
ExperimentFile::~ExperimentFile() = default;

ExperimentFile ExperimentFile::load(const std::string& path)
{
    {
        std::ifstream probe(path, std::ios::binary);
        if (!probe)
            throw ResourceError(path + ": cannot open the experiment file (" + std::strerror(errno) + ")");
    }
    std::lock_guard<std::mutex> lock(hdf5Mutex());
    silenceHdf5();
    const htri_t isHdf5 = H5Fis_hdf5(path.c_str());
    if (isHdf5 <= 0) {
        H5Eclear2(H5E_DEFAULT);
        throw FormatError(path + ": not an HDF5 file (no HDF5 signature); expected a SteerBridge experiment file");
    }
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
    const hid_t fid = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get());
    if (fid < 0)
        throw FormatError(path + ": cannot open as HDF5 (" + hdf5Message() + "); the file is corrupt or truncated");
    Handle file(fid, H5Fclose);
    Handle rootGroup(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose);
    if (!rootGroup.valid())
        throw FormatError(path + ": cannot open the root group (" + hdf5Message() + ")");

    ExperimentFile out;
    *out.m_root->m_file = path;
    ExperimentIo::read(rootGroup.get(), *out.m_root);
    if (!out.m_root->hasAttribute(kSchemaAttribute))
        throw FormatError(path + ": an HDF5 file but not a SteerBridge experiment (no root attribute '" +
                          std::string(kSchemaAttribute) + "')");
    const auto& v = out.m_root->attribute(kSchemaAttribute);
    if (!std::holds_alternative<int64_t>(v))
        throw FormatError(path + ": root attribute '" + std::string(kSchemaAttribute) + "' must be an integer");
    out.m_schemaVersion = std::get<int64_t>(v);
    if (out.m_schemaVersion > kSchemaVersion)
        throw UnsupportedError(path + ": written with experiment schema version " +
                               std::to_string(out.m_schemaVersion) + ", this SteerBridge reads up to version " +
                               std::to_string(kSchemaVersion) + "; update SteerBridge");
    if (out.m_schemaVersion < 1)
        throw FormatError(path + ": invalid experiment schema version " + std::to_string(out.m_schemaVersion));
    return out;
}

void ExperimentFile::save(const std::string& path) const
{
    // HDF5 builds the file in memory (core driver, no backing store); the
    // bytes then go through AtomicFile. So every disk error (full disk,
    // read-only folder, size limit) comes from one place with the system's
    // reason, and HDF5 never holds a half-written file open.
    std::vector<unsigned char> image;
    {
        std::lock_guard<std::mutex> lock(hdf5Mutex());
        silenceHdf5();
        Writer w{path};
        Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
        if (!fapl.valid() || H5Pset_fapl_core(fapl.get(), 1 << 20, 0) < 0)
            w.fail("the file (in-memory driver)");
        H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
        const hid_t fid = H5Fcreate((path + ".in-memory").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
        if (fid < 0)
            w.fail("the file");
        Handle file(fid, H5Fclose);
        ExperimentIo::write(w, file.get(), *m_root, true);
        w.check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "the file (flush)");
        const ssize_t size = H5Fget_file_image(file.get(), nullptr, 0);
        if (size <= 0)
            w.fail("the file image");
        image.resize(static_cast<std::size_t>(size));
        if (H5Fget_file_image(file.get(), image.data(), image.size()) != size)
            w.fail("the file image");
        if (!file.close())
            w.fail("the file (close)");
    }
    AtomicFile atomic(path); // ResourceError if the folder is not writable
    atomic.write(image.data(), image.size());
    atomic.commit();
}

} // namespace sb
