#include "engine/paths.h"

#include <cstdlib>
#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;

namespace sb {

namespace {
std::string selfExecutable()
{
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0)
        return {};
    buf[n] = '\0';
    return buf;
}
bool looksLikeResources(const fs::path& p)
{
    std::error_code ec;
    return fs::is_directory(p / "models", ec);
}
} // namespace

std::string resourceDirectory(const std::string& executablePath)
{
    if (const char* env = std::getenv("SB_RESOURCE_DIR"); env && *env && looksLikeResources(env))
        return env;
    const std::string exe = executablePath.empty() ? selfExecutable() : executablePath;
    if (!exe.empty()) {
        const fs::path installed = fs::path(exe).parent_path().parent_path() / "share" / "steerbridge";
        if (looksLikeResources(installed))
            return installed.string();
    }
#ifdef SB_SOURCE_RESOURCE_DIR
    if (looksLikeResources(SB_SOURCE_RESOURCE_DIR))
        return SB_SOURCE_RESOURCE_DIR;
#endif
    return {};
}

std::string resourcePath(const std::string& relative, const std::string& executablePath)
{
    const std::string dir = resourceDirectory(executablePath);
    if (dir.empty())
        return {};
    const fs::path p = fs::path(dir) / relative;
    std::error_code ec;
    return fs::exists(p, ec) ? p.string() : std::string();
}

} // namespace sb
