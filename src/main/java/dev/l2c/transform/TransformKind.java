package dev.l2c.transform;

/**
 * The lossy transforms (docs/DESIGN.md, "Unified transform"). Parameters per channel c, stored in
 * this order in the container (TransformSpec.params: all channels' first parameter, then all
 * channels' second, ...):
 * <ul>
 *   <li>UNIFORM: s. c(w) = w / s, decode(q) = q * s.</li>
 *   <li>EDGE_SCALE: e, s (e: dead-zone half-width, the pruning threshold). c(w) = w / (2e) for
 *       |w| <= e, else sign(w) * (1/2 + (|w| - e) / s); decode(q) = 0 for q = 0, else
 *       sign(q) * (e + (|q| - 1/2) * s). decode is the exact inverse of encode on reals.</li>
 *   <li>PIECEWISE: e, s1, b, s2: the edge-scale dead zone, then step s1 for e < |w| <= b and step
 *       s2 beyond b (c continuous in w, decode its exact inverse).</li>
 * </ul>
 */
public enum TransformKind {
    UNIFORM(1, 0),
    EDGE_SCALE(2, 1),
    PIECEWISE(4, 2);

    public final int paramsPerChannel;
    /** The kind's number in the native kernels (l2c::transform::Kind in transform_core.h). */
    public final int nativeCode;

    TransformKind(int paramsPerChannel, int nativeCode) {
        this.paramsPerChannel = paramsPerChannel;
        this.nativeCode = nativeCode;
    }

    /** Whether parameter {@code p} (in the order above) is a quantization step: s, s1 or s2. */
    public boolean isStep(int p) {
        return switch (this) {
            case UNIFORM -> p == 0;
            case EDGE_SCALE -> p == 1;
            case PIECEWISE -> p == 1 || p == 3;
        };
    }
}
