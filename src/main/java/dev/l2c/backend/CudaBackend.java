package dev.l2c.backend;

import dev.l2c.codec.CudaRansCodec;
import dev.l2c.codec.RansCodec;
import dev.l2c.counter.CounterKernels;
import dev.l2c.counter.CudaCounterKernels;
import dev.l2c.transform.CudaTransformKernels;
import dev.l2c.transform.TransformKernels;

/**
 * The CUDA backend: kernels on device 0. Created only by {@link Backends} after the probe found a
 * usable device, since touching the kernels' class elsewhere fails to load.
 */
public final class CudaBackend implements Backend {
    private final CudaRansCodec rans = new CudaRansCodec();
    private final CudaTransformKernels transforms = new CudaTransformKernels();
    private final CudaCounterKernels counter = new CudaCounterKernels();

    CudaBackend() {}

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public RansCodec rans() {
        return rans;
    }

    @Override
    public TransformKernels transforms() {
        return transforms;
    }

    @Override
    public CounterKernels counter() {
        return counter;
    }

    /** Host-side work (copies, launches) runs on the calling thread. */
    @Override
    public int threads() {
        return 1;
    }
}
