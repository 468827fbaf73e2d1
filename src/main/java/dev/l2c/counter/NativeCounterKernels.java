package dev.l2c.counter;

import dev.l2c.L2cException;
import dev.l2c.nativelib.NativeStatus;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The Java side shared by the native counter backends: buffer checks, sizing the probability
 * output, and turning status codes into L2cException messages. Subclasses only forward to their
 * kernels (l2c_cpu.h / l2c_cuda.h).
 */
public abstract class NativeCounterKernels implements CounterKernels {
    /** Elements the kernels accept in one call (fixed-point sums stay within int64). */
    public static final long MAX_ELEMENTS = (1L << 31) - 1;

    // First guess for the number of bins; a wider code range costs one more call.
    private static final int FIRST_CAPACITY = 4096;

    private final String name;

    NativeCounterKernels(String name) {
        this.name = name;
    }

    abstract int forward(FloatBuffer c, long n, int kernel, int resolution, double[] bits, long[] minSymbol,
            double[] probs, long capacity, long[] bins, long[] errPos);

    abstract int backward(FloatBuffer c, long n, int kernel, int resolution, float scale, FloatBuffer grad,
            long[] errPos);

    abstract int forwardBackward(FloatBuffer c, long n, int kernel, int resolution, double[] bits, long[] minSymbol,
            double[] probs, long capacity, long[] bins, float scale, FloatBuffer grad, long[] errPos);

    /** One native call that fills probs and more; kErrCapacity asks for a larger probs array. */
    private interface Call {
        int run(double[] probs, long capacity);
    }

    @Override
    public Rate forward(FloatBuffer c, long n, CounterKernel kernel, int resolution) throws L2cException {
        checkArgs(c, n, resolution);
        double[] bits = {0};
        long[] minSymbol = {0};
        long[] bins = {0};
        long[] errPos = {-1};
        return rate("forward", bits, minSymbol, bins, errPos,
                (probs, capacity) -> forward(c, n, kernel.nativeCode, resolution, bits, minSymbol, probs, capacity, bins,
                        errPos));
    }

    @Override
    public Rate forwardBackward(FloatBuffer c, long n, CounterKernel kernel, int resolution, float scale,
            FloatBuffer grad) throws L2cException {
        checkArgs(c, n, resolution);
        checkBuffer(grad, n, "grad");
        double[] bits = {0};
        long[] minSymbol = {0};
        long[] bins = {0};
        long[] errPos = {-1};
        return rate("forward_backward", bits, minSymbol, bins, errPos,
                (probs, capacity) -> forwardBackward(c, n, kernel.nativeCode, resolution, bits, minSymbol, probs,
                        capacity, bins, scale, grad, errPos));
    }

    // Runs call with a first guess of the probs capacity, again with the exact one when the codes
    // span more bins; the kernels write nothing else before they know the size fits.
    private Rate rate(String pass, double[] bits, long[] minSymbol, long[] bins, long[] errPos, Call call)
            throws L2cException {
        double[] probs = new double[FIRST_CAPACITY];
        int status = call.run(probs, probs.length);
        if (status == NativeStatus.ERR_CAPACITY.code) {
            probs = new double[Math.toIntExact(bins[0])];
            status = call.run(probs, probs.length);
        }
        check(pass, errPos, status);
        double[] exact = probs.length == bins[0] ? probs : java.util.Arrays.copyOf(probs, (int) bins[0]);
        return new Rate(bits[0], Math.toIntExact(minSymbol[0]), exact);
    }

    @Override
    public void backward(FloatBuffer c, long n, CounterKernel kernel, int resolution, float scale, FloatBuffer grad)
            throws L2cException {
        checkArgs(c, n, resolution);
        checkBuffer(grad, n, "grad");
        long[] errPos = {-1};
        check("backward", errPos, backward(c, n, kernel.nativeCode, resolution, scale, grad, errPos));
    }

    private static void checkArgs(FloatBuffer c, long n, int resolution) {
        checkArgs(n, resolution);
        checkBuffer(c, n, "c");
    }

    static void checkArgs(long n, int resolution) {
        if (n < 1 || n > MAX_ELEMENTS)
            throw new IllegalArgumentException("element count " + n + " outside [1, " + MAX_ELEMENTS + "]");
        if (resolution < 1) throw new IllegalArgumentException("resolution " + resolution + " must be >= 1");
    }

    static void checkBuffer(FloatBuffer b, long n, String what) {
        if (b == null) throw new IllegalArgumentException(what + " is required");
        if (!b.isDirect()) throw new IllegalArgumentException(what + " must be a direct buffer");
        if (b.order() != ByteOrder.nativeOrder())
            throw new IllegalArgumentException(what + " must be in native byte order");
        if (b.remaining() < n)
            throw new IllegalArgumentException(what + " has " + b.remaining() + " elements left, " + n + " needed");
    }

    private void check(String pass, long[] errPos, int status) throws L2cException {
        check(name, pass, errPos, status);
    }

    static void check(String name, String pass, long[] errPos, int status) throws L2cException {
        if (status == NativeStatus.OK.code) return;
        String where = "counter " + pass + " (" + name + "): ";
        if (status == NativeStatus.ERR_NON_FINITE.code && errPos[0] >= 0)
            throw new L2cException(where + "code " + errPos[0] + ": " + NativeStatus.describe(status));
        throw new L2cException(where + NativeStatus.describe(status));
    }
}
