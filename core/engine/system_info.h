#pragma once
// Process-wide setup and facts about the machine: torch thread counts, which
// BLAS backs torch's matmul, memory.

#include <cstdint>
#include <string>

namespace sb {

struct BlasInfo {
    std::string library;   ///< path of the BLAS shared object torch uses, if found
    bool optimized = false; ///< OpenBLAS / MKL / BLIS rather than the reference BLAS
    std::string warning;   ///< non-empty when matmul will be slow
};

/// Sets torch's intra-op threads (once, from main()): `threads`, else
/// OMP_NUM_THREADS when it is a positive number, else the number of cores;
/// and tunes the allocator (configureAllocator).
void configureThreads(int threads = 0);

/// Keeps freed blocks of up to 64 MB in the heap for reuse instead of handing
/// them back to the OS: a forward pass allocates and frees the same
/// activation-sized blocks layer after layer, and fresh pages from the OS cost
/// a page fault each (6x the time of a small model's prefill in a VM).
void configureAllocator();

/// Hands free heap memory back to the OS (before measuring memory).
void releaseFreeMemory();

/// Limits the OpenMP intra-op threads of the calling thread for one scope (a
/// per-thread setting, so concurrent forwards on other threads are unaffected).
/// Small operations gain nothing from a parallel region, and on a busy machine
/// an OpenMP team that spins after each region steals the cores the BLAS
/// threads need. No effect where torch was built without OpenMP.
class ScopedIntraOpThreads {
public:
    explicit ScopedIntraOpThreads(int threads);
    ~ScopedIntraOpThreads();
    ScopedIntraOpThreads(const ScopedIntraOpThreads&) = delete;
    ScopedIntraOpThreads& operator=(const ScopedIntraOpThreads&) = delete;

private:
    int m_previous = 0;
};

/// Runs a small matmul and inspects the loaded libraries to see which BLAS
/// serves it. The reference BLAS is ~17x slower than OpenBLAS for our sizes.
BlasInfo detectBlas();

/// Peak resident set size of this process so far (VmHWM), in bytes.
uint64_t peakRssBytes();
/// Current resident set size (VmRSS), in bytes.
uint64_t currentRssBytes();
/// Resets the peak (VmHWM) to the current RSS through /proc/self/clear_refs,
/// so that the peak of one phase can be measured; false where not permitted.
bool resetPeakRss();

} // namespace sb
