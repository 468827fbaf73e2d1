package dev.l2c.backend;

import dev.l2c.codec.RansCodec;

/** A compute backend: where the native kernels run. Obtain one through {@link Backends#select}. */
public interface Backend {
    /** "cpu" or "cuda". */
    String name();

    /** The rANS codec running on this backend. */
    RansCodec rans();

    /** CPU threads this backend uses for its host-side work. */
    int threads();
}
