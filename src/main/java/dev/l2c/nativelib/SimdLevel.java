package dev.l2c.nativelib;

import java.util.Locale;

/**
 * SIMD level of the CPU kernels (rANS coder, transforms, counter; src/main/cpp/l2c/simd.h): one
 * process-wide level, the best the CPU runs capped by {@link #limit}. Every level computes the same
 * bits (docs/FORMAT.md, "Determinism"); only the speed differs.
 */
public enum SimdLevel {
    SCALAR(0),
    AVX2(1),
    AVX512(2);

    /** The level's number in the native code (l2c::simd::Level in simd.h). */
    public final int nativeCode;

    SimdLevel(int nativeCode) {
        this.nativeCode = nativeCode;
    }

    private static SimdLevel ofCode(int code) {
        for (SimdLevel level : values()) if (level.nativeCode == code) return level;
        throw new IllegalStateException("the native kernels report SIMD level " + code + ", which this build does not know");
    }

    /** The name used by L2C_SIMD and --simd. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The level named {@code text} (scalar, avx2 or avx512, any case), or null when none is. */
    public static SimdLevel parse(String text) {
        for (SimdLevel level : values()) {
            if (level.label().equalsIgnoreCase(text.strip())) return level;
        }
        return null;
    }

    /** The names accepted by {@link #parse}, for messages. */
    public static String choices() {
        return "scalar, avx2 or avx512";
    }

    /** The best level this CPU runs. */
    public static SimdLevel supported() {
        return ofCode(CpuKernels.l2c_cpu_simd_supported());
    }

    /** The level the kernels use now. */
    public static SimdLevel inUse() {
        return ofCode(CpuKernels.l2c_cpu_simd_level());
    }

    /** Caps the level of the whole process at {@code cap} and returns the level now in use (at most the supported one). */
    public static SimdLevel limit(SimdLevel cap) {
        return ofCode(CpuKernels.l2c_cpu_set_simd_limit(cap.nativeCode));
    }
}
