#include "engine/system_info.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <c10/core/CPUAllocator.h>

#include <cstdlib>
#include <dlfcn.h>
#include <fstream>
#include <malloc.h>
#include <mutex>
#include <sstream>
#include <sys/mman.h>
#include <thread>

namespace sb {

void configureThreads(int threads)
{
    if (threads <= 0) {
        // OMP_NUM_THREADS, when set to a positive number, is the user's choice
        // (and the sanitizer presets' one thread); else one per core.
        const char* env = std::getenv("OMP_NUM_THREADS");
        char* end = nullptr;
        const long fromEnv = env ? std::strtol(env, &end, 10) : 0;
        if (env && end != env && *end == '\0' && fromEnv > 0 && fromEnv <= 4096)
            threads = static_cast<int>(fromEnv);
        else
            threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }
    at::set_num_threads(threads);
    try {
        at::set_num_interop_threads(1);
    } catch (...) {
        // Already set (it may only be set once per process); harmless.
    }
    configureAllocator();
}

namespace {
constexpr std::size_t kMmapThreshold = 64u << 20;

/// torch's CPU allocator, plus a transparent-huge-page hint on blocks big
/// enough to come fresh from the OS (full-sequence logits: 0.2-0.6 GB): one
/// fault per 2 MB instead of per 4 KB. The memory itself is the default
/// allocator's, untouched until the hint is given.
class HugePageHintAllocator final : public c10::Allocator {
public:
    explicit HugePageHintAllocator(c10::Allocator* base) : m_base(base) {}
    c10::DataPtr allocate(std::size_t bytes) const override
    {
        c10::DataPtr p = m_base->allocate(bytes);
        constexpr std::uintptr_t kHuge = 2u << 20;
        if (bytes >= kMmapThreshold && p.get()) {
            const auto begin = (reinterpret_cast<std::uintptr_t>(p.get()) + kHuge - 1) / kHuge * kHuge;
            const auto end = (reinterpret_cast<std::uintptr_t>(p.get()) + bytes) / kHuge * kHuge;
            if (end > begin)
                ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
        }
        return p;
    }
    c10::DeleterFnPtr raw_deleter() const override { return m_base->raw_deleter(); }

private:
    c10::Allocator* m_base;
};
} // namespace

void configureAllocator()
{
    static std::once_flag once;
    std::call_once(once, [] {
        // Fixed thresholds also switch off glibc's dynamic threshold, which
        // would otherwise keep trimming the heap top after each large free.
        ::mallopt(M_MMAP_THRESHOLD, static_cast<int>(kMmapThreshold));
        ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
        static HugePageHintAllocator allocator(c10::GetDefaultCPUAllocator());
        c10::SetCPUAllocator(&allocator, /*priority=*/1);
    });
}

void releaseFreeMemory() { ::malloc_trim(0); }

namespace {
// The OpenMP runtime torch links (libgomp on Debian) is found at run time, so
// the engine needs no OpenMP flags of its own.
struct OmpApi {
    void (*setNumThreads)(int) = nullptr;
    int (*getMaxThreads)() = nullptr;
};
const OmpApi& ompApi()
{
    static const OmpApi api = [] {
        OmpApi a;
        a.setNumThreads = reinterpret_cast<void (*)(int)>(::dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
        a.getMaxThreads = reinterpret_cast<int (*)()>(::dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
        if (!a.setNumThreads || !a.getMaxThreads)
            a = OmpApi{};
        return a;
    }();
    return api;
}
} // namespace

ScopedIntraOpThreads::ScopedIntraOpThreads(int threads)
{
    const OmpApi& omp = ompApi();
    if (!omp.setNumThreads || threads <= 0)
        return;
    (void)at::get_num_threads(); // torch's lazy per-thread set-up first, so it cannot undo ours
    const int current = omp.getMaxThreads();
    if (threads < current) {
        m_previous = current;
        omp.setNumThreads(threads);
    }
}

ScopedIntraOpThreads::~ScopedIntraOpThreads()
{
    if (m_previous > 0)
        ompApi().setNumThreads(m_previous);
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

bool resetPeakRss()
{
    std::ofstream out("/proc/self/clear_refs");
    if (!out)
        return false;
    out << "5";
    out.flush();
    return static_cast<bool>(out);
}

} // namespace sb
