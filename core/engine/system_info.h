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

/// Sets torch's intra-op threads to the number of cores (once, from main()).
void configureThreads(int threads = 0);

/// Runs a small matmul and inspects the loaded libraries to see which BLAS
/// serves it. The reference BLAS is ~17x slower than OpenBLAS for our sizes.
BlasInfo detectBlas();

/// Peak resident set size of this process so far (VmHWM), in bytes.
uint64_t peakRssBytes();
/// Current resident set size (VmRSS), in bytes.
uint64_t currentRssBytes();

} // namespace sb
