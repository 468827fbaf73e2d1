package dev.l2c.calib;

import dev.l2c.nativelib.CpuKernels;
import dev.l2c.nativelib.NativeStatus;
import java.nio.FloatBuffer;

/**
 * The L2 distortion of a transform's output against the original weights, on the CPU kernels
 * (src/main/cpp/l2c/transform_cpu.h): the squared difference and a gradient's inner product with
 * the difference, summed in a fixed order (the same bits for any thread count and SIMD level),
 * and the scaled difference (the gradient). Buffers are direct and read
 * from index 0 to their limit.
 */
final class Distortion {
    /** All cores; the sums do not depend on the count. */
    private static final int ALL_THREADS = 0;

    private Distortion() {}

    /** sum_i (a_i - b_i)^2 over the first {@code a.limit()} elements. */
    static double squaredDifference(FloatBuffer a, FloatBuffer b) {
        int n = a.limit();
        requireRoom(b, n);
        double[] out = {0};
        check(CpuKernels.l2c_squared_difference(fromZero(a), fromZero(b), n, ALL_THREADS, out));
        return out[0];
    }

    /** sum_i g_i (a_i - b_i) over the first {@code a.limit()} elements. */
    static double dotDifference(FloatBuffer g, FloatBuffer a, FloatBuffer b) {
        int n = a.limit();
        requireRoom(b, n);
        requireRoom(g, n);
        double[] out = {0};
        check(CpuKernels.l2c_dot_difference(fromZero(g), fromZero(a), fromZero(b), n, ALL_THREADS, out));
        return out[0];
    }

    /** g_i = (a_i - b_i) * scale over the first {@code a.limit()} elements. */
    static void scaledDifference(FloatBuffer a, FloatBuffer b, double scale, FloatBuffer g) {
        int n = a.limit();
        requireRoom(b, n);
        requireRoom(g, n);
        check(CpuKernels.l2c_scaled_difference(fromZero(a), fromZero(b), n, scale, fromZero(g), ALL_THREADS));
    }

    private static FloatBuffer fromZero(FloatBuffer b) {
        if (!b.isDirect()) throw new IllegalArgumentException("distortion buffers must be direct");
        return b.duplicate().position(0);
    }

    private static void requireRoom(FloatBuffer b, int n) {
        if (b.limit() < n) throw new IllegalArgumentException("buffer of " + b.limit() + " floats for " + n);
    }

    private static void check(int status) {
        if (status != NativeStatus.OK.code)
            throw new IllegalStateException("distortion kernel: " + NativeStatus.describe(status));
    }
}
