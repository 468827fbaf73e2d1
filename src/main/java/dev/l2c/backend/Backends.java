package dev.l2c.backend;

import dev.l2c.L2cException;
import dev.l2c.nativelib.CudaKernels;
import java.util.function.Consumer;

/** Chooses the backend for a --device option. The CUDA probe runs once, on first need. */
public final class Backends {
    private Backends() {}

    /**
     * CPU for {@code CPU}; CUDA for {@code CUDA}, or L2cException("--device cuda: why") when it is not
     * usable; for {@code AUTO} CUDA when usable, else CPU, logging why CUDA was not taken.
     */
    public static Backend select(Device device, Consumer<String> log) throws L2cException {
        switch (device) {
            case CPU:
                return new CpuBackend();
            case CUDA:
                if (CudaProbe.UNUSABLE != null) throw new L2cException("--device cuda: " + CudaProbe.UNUSABLE);
                return new CudaBackend();
            default:
                if (CudaProbe.UNUSABLE == null) return new CudaBackend();
                log.accept("note: --device auto: using cpu, since " + CudaProbe.UNUSABLE);
                return new CpuBackend();
        }
    }

    /** Why CUDA cannot be used here, or null when it can. */
    public static String cudaUnavailableReason() {
        return CudaProbe.UNUSABLE;
    }

    /** Holder: the probe runs when this class is first touched, once per JVM. */
    private static final class CudaProbe {
        static final String UNUSABLE = probe();

        private static String probe() {
            int count;
            try {
                count = CudaKernels.l2c_cuda_device_count();
            } catch (LinkageError | RuntimeException e) {
                // The library is only built where nvcc was found; elsewhere the class fails to load.
                return "the cuda backend is not built or does not load (" + e + ")";
            }
            return count > 0 ? null : "no usable CUDA device (the CUDA runtime reports none)";
        }
    }
}
