package dev.l2c.transform;

import dev.l2c.L2cException;
import dev.l2c.nativelib.NativeStatus;
import java.nio.Buffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * The Java side shared by the native transform backends: buffer checks and turning status codes
 * into L2cException messages that name the element at fault. Subclasses only forward to their
 * kernels, which share one calling convention (l2c_cpu.h / l2c_cuda.h).
 */
public abstract class NativeTransformKernels implements TransformKernels {
    private final String name;

    NativeTransformKernels(String name) {
        this.name = name;
    }

    abstract int forward(int kind, FloatBuffer w, long n, int count, long inner, FloatBuffer params,
            FloatBuffer c, IntBuffer q, FloatBuffer wHat, long[] errPos);

    abstract int backward(int kind, FloatBuffer w, long n, int count, long inner, FloatBuffer params,
            FloatBuffer gWHat, FloatBuffer gC, double gCScale, FloatBuffer gW, FloatBuffer gParams, long[] errPos);

    @Override
    public void forward(TransformKind kind, FloatBuffer w, long n, Channels channels, FloatBuffer params,
            FloatBuffer c, IntBuffer q, FloatBuffer wHat) throws L2cException {
        checkCommon(kind, w, n, channels, params);
        requireRoom(c, n, "c", true);
        requireRoom(q, n, "q", true);
        requireRoom(wHat, n, "wHat", true);
        long[] errPos = {-1};
        check(kind, "forward", errPos, forward(kind.nativeCode, w, n, channels.count(), channels.inner(), params,
                c, q, wHat, errPos));
    }

    @Override
    public void backward(TransformKind kind, FloatBuffer w, long n, Channels channels, FloatBuffer params,
            FloatBuffer gWHat, FloatBuffer gC, double gCScale, FloatBuffer gW, FloatBuffer gParams)
            throws L2cException {
        if (!Double.isFinite(gCScale)) throw new IllegalArgumentException("gC scale " + gCScale + " is not finite");
        checkCommon(kind, w, n, channels, params);
        requireRoom(gWHat, n, "gWHat", true);
        requireRoom(gC, n, "gC", true);
        requireRoom(gW, n, "gW", true);
        requireRoom(gParams, (long) kind.paramsPerChannel * channels.count(), "gParams", true);
        long[] errPos = {-1};
        check(kind, "backward", errPos, backward(kind.nativeCode, w, n, channels.count(), channels.inner(), params,
                gWHat, gC, gCScale, gW, gParams, errPos));
    }

    private static void checkCommon(TransformKind kind, FloatBuffer w, long n, Channels channels, FloatBuffer params) {
        checkLayout(n, channels);
        requireRoom(w, n, "w", false);
        requireRoom(params, (long) kind.paramsPerChannel * channels.count(), "params", false);
    }

    static void checkLayout(long n, Channels channels) {
        if (n < 0) throw new IllegalArgumentException("element count " + n + " is negative");
        if (channels.count() < 1 || channels.inner() < 1)
            throw new IllegalArgumentException("channel layout " + channels + " needs count >= 1 and inner >= 1");
    }

    static void requireRoom(Buffer b, long n, String what, boolean optional) {
        if (b == null) {
            if (optional) return;
            throw new IllegalArgumentException(what + " is required");
        }
        if (!b.isDirect()) throw new IllegalArgumentException(what + " must be a direct buffer");
        boolean nativeOrder = b instanceof FloatBuffer f ? f.order() == ByteOrder.nativeOrder()
                : !(b instanceof IntBuffer i) || i.order() == ByteOrder.nativeOrder();
        if (!nativeOrder) throw new IllegalArgumentException(what + " must be in native byte order");
        if (b.remaining() < n)
            throw new IllegalArgumentException(what + " has " + b.remaining() + " elements left, " + n + " needed");
    }

    private void check(TransformKind kind, String pass, long[] errPos, int status) throws L2cException {
        check(name, kind, pass, errPos, status);
    }

    static void check(String name, TransformKind kind, String pass, long[] errPos, int status) throws L2cException {
        if (status == NativeStatus.OK.code) return;
        String where = "transform " + kind + " " + pass + " (" + name + "): ";
        if ((status == NativeStatus.ERR_NON_FINITE.code || status == NativeStatus.ERR_CODE_RANGE.code) && errPos[0] >= 0)
            throw new L2cException(where + "element " + errPos[0] + ": " + NativeStatus.describe(status));
        throw new L2cException(where + NativeStatus.describe(status));
    }
}
