// Thread counts of the CPU kernels' OpenMP regions: the caller's request (<= 0: all cores), never
// more than kMaxThreads. The Java side refuses larger --threads values
// (dev.l2c.backend.CpuBackend.MAX_THREADS); the cap here keeps any other caller from reaching
// libgomp with thousands of threads, which crashed it.
#pragma once
#include <omp.h>
#include <stdint.h>

namespace l2c {

constexpr int64_t kMaxThreads = 1024;

inline int64_t requested_threads(int32_t threads) {
    const int64_t want = threads > 0 ? threads : omp_get_max_threads();
    return want < kMaxThreads ? want : kMaxThreads;
}

}  // namespace l2c
