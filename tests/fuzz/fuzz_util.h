#pragma once
// Helpers shared by the fuzz targets.
//
// A fuzz target calls an engine entry point on arbitrary bytes. Errors the
// engine throws on purpose (sb::Error and subclasses) are the expected outcome
// for bad input; anything else escaping (a json or c10 exception, a crash, a
// sanitizer report, a hang) is a finding: the user would get a crash or a
// message without the file and field.

#include "engine/errors.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <sys/mman.h>
#include <typeinfo>
#include <unistd.h>

namespace sb::fuzz {

/// An anonymous in-memory file holding `data`, openable by path
/// (/proc/self/fd/N) like a file on disk, without touching the disk.
class MemFile {
public:
    MemFile(const std::uint8_t* data, std::size_t size, const char* name = "fuzz")
    {
        m_fd = ::memfd_create(name, MFD_CLOEXEC);
        if (m_fd < 0) {
            std::perror("memfd_create");
            std::abort();
        }
        std::size_t done = 0;
        while (done < size) {
            ssize_t n = ::write(m_fd, data + done, size - done);
            if (n <= 0) {
                std::perror("write");
                std::abort();
            }
            done += static_cast<std::size_t>(n);
        }
        m_path = "/proc/self/fd/" + std::to_string(m_fd);
    }
    ~MemFile() { ::close(m_fd); }
    MemFile(const MemFile&) = delete;
    MemFile& operator=(const MemFile&) = delete;
    const std::string& path() const { return m_path; }

private:
    int m_fd = -1;
    std::string m_path;
};

/// Runs `fn`; sb::Error is the expected rejection, any other exception aborts
/// with its type and message so libFuzzer records the input.
template <typename Fn>
void expectOnlyEngineErrors(const char* target, Fn&& fn)
{
    try {
        fn();
    } catch (const sb::Error&) {
        // The engine refused the input with a typed, user-facing error: fine.
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: non-engine exception escaped (%s): %s\n", target, typeid(e).name(), e.what());
        std::abort();
    }
}

} // namespace sb::fuzz
