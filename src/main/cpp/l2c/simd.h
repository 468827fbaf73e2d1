// The one SIMD level of every CPU kernel family (the rANS coder, the transforms, the counter),
// chosen at run time: the transform and counter loops are compiled three times (baseline x86-64,
// AVX2 + FMA, AVX-512 F/DQ/VL/BW) from one body, the rANS coder has AVX2 paths; the best level
// the CPU runs is used, capped by set_limit (L2C_SIMD / --simd, and tests that run every path).
// The build disables floating-point contraction (-ffp-contract=off), the transform math has no
// fma and the counter's polynomials use explicit fma only (hardware or libm: one rounding either
// way), so every level performs the same IEEE operations and gives the same bits
// (docs/FORMAT.md, "Determinism").
#pragma once
#include <stdint.h>

#include <atomic>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define L2C_X86_SIMD 1
#include <immintrin.h>
#define L2C_ALWAYS_INLINE __attribute__((always_inline)) inline
#define L2C_TARGET_AVX2 __attribute__((target("avx2,fma,bmi,bmi2,popcnt")))
#define L2C_TARGET_AVX512 \
    __attribute__((target("avx2,fma,bmi,bmi2,popcnt,avx512f,avx512dq,avx512vl,avx512bw")))
#else
#define L2C_X86_SIMD 0
#define L2C_ALWAYS_INLINE inline
#endif

namespace l2c {
namespace simd {

enum Level : int32_t { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

// The best level this CPU runs: AVX2 with FMA (and BMI2, POPCNT), AVX-512 on top.
inline int32_t supported() {
#if L2C_X86_SIMD
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma") || !__builtin_cpu_supports("bmi2") ||
        !__builtin_cpu_supports("popcnt"))
        return kScalar;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw"))
        return kAvx512;
    return kAvx2;
#else
    return kScalar;
#endif
}

inline std::atomic<int32_t>& limit() {
    static std::atomic<int32_t> value{kAvx512};
    return value;
}

// The level in use now: what the CPU supports, capped by the limit.
inline int32_t level() {
    static const int32_t best = supported();
    const int32_t cap = limit().load(std::memory_order_relaxed);
    return best < cap ? best : cap;
}

// Caps the level (clamped to [kScalar, kAvx512]); returns the level now in effect.
inline int32_t set_limit(int32_t cap) {
    limit().store(cap < kScalar ? kScalar : cap > kAvx512 ? kAvx512 : cap, std::memory_order_relaxed);
    return level();
}

}  // namespace simd
}  // namespace l2c
