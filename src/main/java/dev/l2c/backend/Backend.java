package dev.l2c.backend;

import dev.l2c.codec.RansCodec;
import dev.l2c.counter.CounterKernels;
import dev.l2c.transform.TransformKernels;

/** A compute backend: where the native kernels run. Obtain one through {@link Backends#select}. */
public interface Backend {
    /** "cpu" or "cuda". */
    String name();

    /** The rANS codec running on this backend. */
    RansCodec rans();

    /** The transform kernels (encode, round, decode and their STE backward) on this backend. */
    TransformKernels transforms();

    /** The differentiable counter on this backend. */
    CounterKernels counter();

    /** CPU threads this backend uses for its host-side work. */
    int threads();
}
