#include "engine/system_info.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace sb {

void configureThreads(int threads)
{
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    try {
        at::set_num_interop_threads(1);
    } catch (...) {
        // Already set (it may only be set once per process); harmless.
    }
}

BlasInfo detectBlas()
{
    BlasInfo info;
    {
        at::Tensor a = at::ones({64, 64});
        (void)at::mm(a, a); // make sure the BLAS is loaded
    }
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        auto slash = line.find('/');
        if (slash == std::string::npos)
            continue;
        const std::string path = line.substr(slash);
        if (path.find("openblas") != std::string::npos || path.find("libmkl") != std::string::npos ||
            path.find("blis") != std::string::npos) {
            info.library = path;
            info.optimized = true;
            break;
        }
        if (path.find("libblas.so") != std::string::npos && info.library.empty())
            info.library = path;
    }
    if (!info.optimized)
        info.warning = "torch is not using an optimised BLAS (" +
                       (info.library.empty() ? std::string("none found") : info.library) +
                       "); matrix products will be about 17x slower. Install libopenblas0-pthread.";
    return info;
}

namespace {
uint64_t statusField(const char* key)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string k = key;
    while (std::getline(in, line)) {
        if (line.compare(0, k.size(), k) == 0) {
            std::istringstream ss(line.substr(k.size()));
            uint64_t kb = 0;
            ss >> kb;
            return kb * 1024;
        }
    }
    return 0;
}
} // namespace

uint64_t peakRssBytes() { return statusField("VmHWM:"); }
uint64_t currentRssBytes() { return statusField("VmRSS:"); }

} // namespace sb
