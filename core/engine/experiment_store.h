#pragma once
// The experiment store: one HDF5 file per experiment (comparison reports,
// similarity matrices, layer mappings, vectors, datasets, evaluations...),
// readable by any HDF5 tool (h5py, h5dump). The schema is in
// docs/experiment-file.md.
//
// The file is held in memory as a tree of groups; each group has attributes
// (strings, integers, floats, their arrays, JSON documents) and datasets
// (numeric arrays of any rank, string lists). load() reads a whole file,
// save() writes a whole file atomically (temporary file + rename): a failed
// save (full disk, read-only folder) raises ResourceError and leaves the old
// file as it was. Experiment files are small (matrices, vectors), so the
// in-memory tree keeps editing simple: load, change, save.
//
// No torch and no HDF5 in this header (the session and GUI include it);
// experiment_tensor.h converts to and from at::Tensor.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace sb {

/// A dense row-major numeric array of any rank (rank 0 = a scalar).
class NumericArray {
public:
    enum class Type { Float32, Float64, Int32, Int64, UInt8 };

    NumericArray() = default;
    /// Zero-filled array of the given type and shape.
    NumericArray(Type type, std::vector<int64_t> shape);

    static NumericArray fromFloat32(std::vector<int64_t> shape, const std::vector<float>& values);
    static NumericArray fromFloat64(std::vector<int64_t> shape, const std::vector<double>& values);
    static NumericArray fromInt64(std::vector<int64_t> shape, const std::vector<int64_t>& values);
    static NumericArray fromInt32(std::vector<int64_t> shape, const std::vector<int32_t>& values);
    static NumericArray fromUInt8(std::vector<int64_t> shape, const std::vector<uint8_t>& values);

    Type type() const { return m_type; }
    const std::vector<int64_t>& shape() const { return m_shape; }
    int64_t rank() const { return static_cast<int64_t>(m_shape.size()); }
    int64_t elementCount() const;
    static std::size_t elementSize(Type t);
    static const char* typeName(Type t);

    void* data() { return m_bytes.data(); }
    const void* data() const { return m_bytes.data(); }
    std::size_t byteSize() const { return m_bytes.size(); }

    /// Values converted to double / int64 (any type).
    std::vector<double> toDoubles() const;
    std::vector<int64_t> toInt64s() const;
    /// Values as float (any type; float64 is rounded).
    std::vector<float> toFloats() const;

private:
    Type m_type = Type::Float64;
    std::vector<int64_t> m_shape;
    std::vector<unsigned char> m_bytes;
};

/// An attribute value. JSON documents are stored as UTF-8 string attributes
/// (docs/experiment-file.md says which attributes hold JSON); after a load they
/// are strings, and jsonAttribute() parses them.
struct JsonAttribute {
    nlohmann::json value;
};
using AttributeValue = std::variant<std::string, int64_t, double, std::vector<int64_t>, std::vector<double>,
                                    std::vector<std::string>, JsonAttribute>;

/// One HDF5 group: attributes, datasets and child groups, each by name.
/// Names may not contain '/' or be empty or "." (InputError).
class ExperimentGroup {
public:
    /// Absolute path in the file ("/", "/comparison/similarity").
    const std::string& path() const { return m_path; }

    // --- child groups
    bool hasGroup(const std::string& name) const;
    /// The child group, created if absent.
    ExperimentGroup& group(const std::string& name);
    /// The child group; FormatError naming the file and path if it is absent.
    const ExperimentGroup& child(const std::string& name) const;
    ExperimentGroup& child(const std::string& name);
    /// Group at a relative path "a/b/c"; FormatError if any part is missing.
    const ExperimentGroup& at(const std::string& relativePath) const;
    std::vector<std::string> groupNames() const;
    void removeGroup(const std::string& name);

    // --- attributes
    bool hasAttribute(const std::string& name) const;
    void setAttribute(const std::string& name, AttributeValue value);
    void setString(const std::string& name, const std::string& v) { setAttribute(name, v); }
    void setInt(const std::string& name, int64_t v) { setAttribute(name, v); }
    void setDouble(const std::string& name, double v) { setAttribute(name, v); }
    void setJson(const std::string& name, nlohmann::json v) { setAttribute(name, JsonAttribute{std::move(v)}); }
    /// The attribute; FormatError naming the file, group and attribute if it
    /// is absent or has another type. Integers read as double where asked.
    const AttributeValue& attribute(const std::string& name) const;
    std::string stringAttribute(const std::string& name) const;
    int64_t intAttribute(const std::string& name) const;
    double doubleAttribute(const std::string& name) const;
    std::vector<int64_t> intArrayAttribute(const std::string& name) const;
    std::vector<double> doubleArrayAttribute(const std::string& name) const;
    std::vector<std::string> stringArrayAttribute(const std::string& name) const;
    nlohmann::json jsonAttribute(const std::string& name) const;
    std::vector<std::string> attributeNames() const;
    void removeAttribute(const std::string& name);

    // --- datasets
    bool hasDataset(const std::string& name) const;
    void setDataset(const std::string& name, NumericArray array);
    void setStrings(const std::string& name, std::vector<std::string> values);
    /// FormatError if absent or not numeric.
    const NumericArray& dataset(const std::string& name) const;
    /// FormatError if absent or not a string list.
    const std::vector<std::string>& strings(const std::string& name) const;
    bool isStringDataset(const std::string& name) const;
    std::vector<std::string> datasetNames() const;
    void removeDataset(const std::string& name);

    /// The file this tree was loaded from (for error messages; empty if new).
    const std::string& sourceFile() const { return *m_file; }

private:
    friend class ExperimentFile;
    friend struct ExperimentIo;
    ExperimentGroup(std::string path, std::shared_ptr<std::string> file);
    std::string where(const std::string& what) const;

    std::string m_path;
    std::shared_ptr<std::string> m_file;
    std::map<std::string, AttributeValue> m_attributes;
    std::map<std::string, std::variant<NumericArray, std::vector<std::string>>> m_datasets;
    std::map<std::string, std::unique_ptr<ExperimentGroup>> m_groups;
};

/// A whole experiment file.
class ExperimentFile {
public:
    /// The schema this build writes. Files with a higher version are refused
    /// (UnsupportedError); lower versions are read as they are.
    static constexpr int64_t kSchemaVersion = 1;
    /// Root attribute holding the schema version.
    static constexpr const char* kSchemaAttribute = "steerbridge_schema_version";

    ExperimentFile();
    ExperimentFile(ExperimentFile&&) noexcept;
    ExperimentFile& operator=(ExperimentFile&&) noexcept;
    ~ExperimentFile();

    /// Reads a file written by save(). FormatError for a file that is not
    /// HDF5, is truncated or corrupt, or lacks the schema attribute;
    /// UnsupportedError for a newer schema; ResourceError if it cannot be opened.
    static ExperimentFile load(const std::string& path);
    /// Writes the whole tree atomically; ResourceError (old file intact) on failure.
    void save(const std::string& path) const;

    ExperimentGroup& root() { return *m_root; }
    const ExperimentGroup& root() const { return *m_root; }
    /// The schema version of the loaded file (kSchemaVersion for a new one).
    int64_t schemaVersion() const { return m_schemaVersion; }

private:
    std::unique_ptr<ExperimentGroup> m_root;
    int64_t m_schemaVersion = kSchemaVersion;
};

} // namespace sb
