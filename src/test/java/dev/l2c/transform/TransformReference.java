package dev.l2c.transform;

/**
 * The transforms of TransformKind written out in double, straight from docs/DESIGN.md ("Unified
 * transform"), as the oracle of the native kernels. Parameters of one channel: {s} (UNIFORM),
 * {e, s} (EDGE_SCALE), {e, s1, b, s2} (PIECEWISE).
 */
final class TransformReference {
    private TransformReference() {}

    static double encode(TransformKind kind, double[] p, double w) {
        if (kind == TransformKind.UNIFORM) return w / p[0];
        double e = p[0], s1 = p[1], a = Math.abs(w), sg = w < 0 ? -1 : 1;
        if (a <= e) return w / (2 * e);
        if (kind == TransformKind.EDGE_SCALE || a <= p[2]) return sg * (0.5 + (a - e) / s1);
        return sg * (0.5 + (p[2] - e) / s1 + (a - p[2]) / p[3]);
    }

    /** decode on the reals: the exact inverse of encode. */
    static double decode(TransformKind kind, double[] p, double x) {
        if (kind == TransformKind.UNIFORM) return x * p[0];
        double e = p[0], s1 = p[1], m = Math.abs(x), sg = x < 0 ? -1 : 1;
        if (m <= 0.5) return 2 * e * x;
        if (kind == TransformKind.EDGE_SCALE) return sg * (e + (m - 0.5) * s1);
        double knee = 0.5 + (p[2] - e) / s1;
        if (m <= knee) return sg * (e + (m - 0.5) * s1);
        return sg * (p[2] + (m - knee) * p[3]);
    }

    /** Half away from zero on the float code; the dead zone is always 0. */
    static int symbol(TransformKind kind, double[] p, double w) {
        if (kind != TransformKind.UNIFORM && Math.abs(w) <= p[0]) return 0;
        float c = (float) encode(kind, p, w);
        double r = Math.floor(Math.abs((double) c) + 0.5);
        return (int) (c < 0 ? -r : r);
    }
}
