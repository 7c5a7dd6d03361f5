#pragma once
// Crash-safe file writing: every save goes to a temporary file in the target
// directory, is flushed to disk, and only then renamed over the old file, so a
// failed or interrupted save never destroys the previous version.

#include <cstdint>
#include <string>
#include <string_view>

namespace sb {

/// Writes into "<path>.tmp-XXXXXX" and renames it over `path` on commit().
/// If commit() is never reached (exception, cancel), the destructor removes the
/// temporary file and the old `path` is untouched. Errors (full disk, read-only
/// directory) raise ResourceError naming the file and the system's reason.
class AtomicFile {
public:
    explicit AtomicFile(std::string path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(const void* data, std::size_t size);
    void write(std::string_view s) { write(s.data(), s.size()); }
    /// Temporary path, for writers (HDF5) that need to open the file themselves.
    const std::string& temporaryPath() const { return m_tmpPath; }
    /// Closes our descriptor without committing so another library can write the temp file.
    void releaseDescriptor();
    void commit();

private:
    std::string m_path;
    std::string m_tmpPath;
    int m_fd = -1;
    bool m_committed = false;
};

/// Reads a whole file; ResourceError if it cannot be read.
std::string readWholeFile(const std::string& path);

/// Bytes of memory the OS says are available for a new allocation (MemAvailable).
std::uint64_t availableMemoryBytes();

} // namespace sb
