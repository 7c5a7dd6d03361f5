#include "engine/file_util.h"

#include "engine/errors.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <vector>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace sb {

namespace {
std::string sysError(int err) { return std::strerror(err); }

std::string directoryOf(const std::string& path)
{
    auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    if (slash == 0)
        return "/";
    return path.substr(0, slash);
}
} // namespace

AtomicFile::AtomicFile(std::string path) : m_path(std::move(path))
{
    std::string templ = m_path + ".tmp-XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    m_fd = ::mkstemp(buf.data());
    if (m_fd < 0)
        throw ResourceError(m_path + ": cannot create a temporary file in " + directoryOf(m_path) + " (" +
                            sysError(errno) + ")");
    m_tmpPath = buf.data();
    // mkstemp creates 0600; saved files should follow the umask like any other.
    mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(m_fd, 0666 & ~mask);
}

AtomicFile::~AtomicFile()
{
    if (m_fd >= 0)
        ::close(m_fd);
    if (!m_committed && !m_tmpPath.empty())
        ::unlink(m_tmpPath.c_str());
}

void AtomicFile::write(const void* data, std::size_t size)
{
    if (m_fd < 0)
        throw ResourceError(m_path + ": write after the file was released");
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        ssize_t n = ::write(m_fd, p, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw ResourceError(m_path + ": write failed (" + sysError(errno) + "); the previous file is unchanged");
        }
        p += n;
        size -= static_cast<std::size_t>(n);
    }
}

void AtomicFile::releaseDescriptor()
{
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

void AtomicFile::commit()
{
    if (m_fd >= 0) {
        if (::fsync(m_fd) != 0)
            throw ResourceError(m_path + ": flushing to disk failed (" + sysError(errno) +
                                "); the previous file is unchanged");
        if (::close(m_fd) != 0) {
            m_fd = -1;
            throw ResourceError(m_path + ": closing failed (" + sysError(errno) + "); the previous file is unchanged");
        }
        m_fd = -1;
    } else {
        // Written by another library: make sure it reached the disk.
        int fd = ::open(m_tmpPath.c_str(), O_RDONLY);
        if (fd >= 0) {
            ::fsync(fd);
            ::close(fd);
        }
    }
    if (::rename(m_tmpPath.c_str(), m_path.c_str()) != 0)
        throw ResourceError(m_path + ": cannot replace the file (" + sysError(errno) +
                            "); the previous file is unchanged");
    m_committed = true;
    int dfd = ::open(directoryOf(m_path).c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

std::string readWholeFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ResourceError(path + ": cannot open file (" + sysError(errno) + ")");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad())
        throw ResourceError(path + ": read failed");
    return ss.str();
}

std::uint64_t availableMemoryBytes()
{
    std::ifstream in("/proc/meminfo");
    std::string key;
    std::uint64_t value = 0;
    std::string unit;
    while (in >> key >> value) {
        std::getline(in, unit);
        if (key == "MemAvailable:")
            return value * 1024ULL;
    }
    long pages = ::sysconf(_SC_AVPHYS_PAGES);
    long pageSize = ::sysconf(_SC_PAGESIZE);
    if (pages > 0 && pageSize > 0)
        return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(pageSize);
    return 0;
}

} // namespace sb
