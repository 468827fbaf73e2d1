package dev.l2c.nativelib;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Platform;

/** JNI binding of the CPU kernels (src/main/cpp). Callers go through dev.l2c.backend, not here. */
@Platform(include = {"l2c_cpu.h"})
public final class CpuKernels {
    static {
        Loader.load();
    }

    private CpuKernels() {}

    public static native int l2c_cpu_max_threads();
}
