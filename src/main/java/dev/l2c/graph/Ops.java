package dev.l2c.graph;

import dev.l2c.L2cException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The operator registry (ONNX op_type of the default domain to kernel factory) and the small
 * helpers kernels share.
 */
final class Ops {
    private static final Map<String, Kernel.Factory> FACTORIES;

    static {
        Map<String, Kernel.Factory> m = new HashMap<>();
        ElementwiseOps.register(m);
        ShapeOps.register(m);
        NnOps.register(m);
        ReduceOps.register(m);
        FACTORIES = Collections.unmodifiableMap(m);
    }

    private Ops() {}

    /** The factory of a default-domain operator, or null when the executor lacks it. */
    static Kernel.Factory factory(String opType) {
        return FACTORIES.get(opType);
    }

    /** The operators the executor runs, sorted. */
    static Set<String> supported() {
        return new java.util.TreeSet<>(FACTORIES.keySet());
    }

    static Tensor[] one(Tensor t) {
        return new Tensor[] {t};
    }

    static boolean isFloating(ScalarType t) {
        return t == ScalarType.Float || t == ScalarType.Double || t == ScalarType.Half || t == ScalarType.BFloat16;
    }

    static boolean isFloating(Tensor t) {
        return isFloating(Tensors.type(t));
    }

    /** {@code axis} in [-rank, rank) made non-negative, else an error naming what it is. */
    static long axis(OpNode node, long axis, long rank, String what) throws L2cException {
        if (axis < -rank || axis >= rank) {
            throw node.fail(what + " " + axis + " is out of range for a tensor of rank " + rank);
        }
        return axis < 0 ? axis + rank : axis;
    }

    /** Each of {@code axes} normalized against {@code rank}, checked, and free of repeats. */
    static long[] axes(OpNode node, long[] axes, long rank, String what) throws L2cException {
        long[] out = new long[axes.length];
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] < -rank || axes[i] >= rank) {
                throw node.fail(what + " " + axes[i] + " is out of range for a tensor of rank " + rank);
            }
            out[i] = axes[i] < 0 ? axes[i] + rank : axes[i];
        }
        long[] sorted = out.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) throw node.fail(what + " repeat axis " + sorted[i] + ": " + Arrays.toString(axes));
        }
        return out;
    }

    /** The values of a small integer tensor input (shapes, axes, pads), which must be 0-D or 1-D. */
    static long[] longs(OpNode node, Tensor t, String what) throws L2cException {
        if (t.dim() > 1) throw node.fail(what + " must be a scalar or 1-D, got rank " + t.dim());
        if (isFloating(t)) throw node.fail(what + " must be an integer tensor, got " + Tensors.onnxName(Tensors.type(t)));
        return Tensors.toLongs(t);
    }

    static long[] shape(Tensor t) {
        return Tensors.shape(t);
    }

    static long product(long[] dims, int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) n *= dims[i];
        return n;
    }
}
