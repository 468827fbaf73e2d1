package dev.l2c.graph;

import dev.l2c.L2cException;
import java.util.Arrays;

/**
 * The padding of a convolution or pooling window per spatial axis, from ONNX's pads or auto_pad,
 * and the ONNX output size (with ceil_mode) that libtorch's own rule may not reproduce.
 */
final class Pooling {
    final long[] kernel;
    final long[] strides;
    final long[] dilations;
    final long[] begin;
    final long[] end;

    private Pooling(long[] kernel, long[] strides, long[] dilations, long[] begin, long[] end) {
        this.kernel = kernel;
        this.strides = strides;
        this.dilations = dilations;
        this.begin = begin;
        this.end = end;
    }

    /** Attribute values shared by Conv, MaxPool and AveragePool, checked when the node is built. */
    record Attributes(String autoPad, long[] pads, long[] strides, long[] dilations, long[] kernelShape) {
        static Attributes of(OpNode n) throws L2cException {
            String autoPad = n.stringAttr("auto_pad", "NOTSET");
            if (!Arrays.asList("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER").contains(autoPad)) {
                throw n.fail("auto_pad '" + autoPad + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
            }
            long[] pads = n.intsAttr("pads");
            if (pads != null && !autoPad.equals("NOTSET")) throw n.fail("pads and auto_pad " + autoPad + " are exclusive");
            long[] strides = n.intsAttr("strides");
            long[] dilations = n.has("dilations") ? n.intsAttr("dilations") : null;
            long[] kernelShape = n.intsAttr("kernel_shape");
            for (long[] a : new long[][] {strides, dilations, kernelShape}) {
                if (a != null) for (long v : a) if (v < 1) throw n.fail("strides, dilations and kernel_shape must be >= 1");
            }
            if (pads != null) for (long v : pads) if (v < 0) throw n.fail("negative pads " + Arrays.toString(pads));
            return new Attributes(autoPad, pads, strides, dilations, kernelShape);
        }
    }

    /** Resolves the window for an input of spatial sizes {@code in} and a kernel of sizes {@code kernel}. */
    static Pooling resolve(OpNode n, Attributes a, long[] in, long[] kernel) throws L2cException {
        int s = in.length;
        if (a.kernelShape != null && !Arrays.equals(a.kernelShape, kernel)) {
            throw n.fail("kernel_shape " + Arrays.toString(a.kernelShape) + " differs from the weight's "
                    + Arrays.toString(kernel));
        }
        long[] strides = orOnes(n, a.strides, s, "strides");
        long[] dilations = orOnes(n, a.dilations, s, "dilations");
        long[] begin = new long[s];
        long[] end = new long[s];
        if (a.pads != null) {
            if (a.pads.length != 2 * s) {
                throw n.fail("pads " + Arrays.toString(a.pads) + " needs " + 2 * s + " entries for " + s + " spatial axes");
            }
            System.arraycopy(a.pads, 0, begin, 0, s);
            System.arraycopy(a.pads, s, end, 0, s);
        } else if (a.autoPad.startsWith("SAME")) {
            for (int i = 0; i < s; i++) {
                long out = (in[i] + strides[i] - 1) / strides[i];
                long total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in[i]);
                long small = total / 2;
                begin[i] = a.autoPad.equals("SAME_UPPER") ? small : total - small;
                end[i] = total - begin[i];
            }
        }
        return new Pooling(kernel, strides, dilations, begin, end);
    }

    private static long[] orOnes(OpNode n, long[] v, int s, String what) throws L2cException {
        if (v == null) {
            long[] ones = new long[s];
            Arrays.fill(ones, 1);
            return ones;
        }
        if (v.length != s) throw n.fail(what + " " + Arrays.toString(v) + " does not fit " + s + " spatial axes");
        return v;
    }

    boolean symmetric() {
        return Arrays.equals(begin, end);
    }

    /** libtorch pools take a padding of at most half the (dilated) window on each side. */
    boolean torchPaddable() {
        if (!symmetric()) return false;
        for (int i = 0; i < begin.length; i++) {
            if (begin[i] > ((kernel[i] - 1) * dilations[i] + 1) / 2) return false;
        }
        return true;
    }

    /**
     * The end padding, grown so a plain floor-mode pool over the padded input gives ONNX's
     * ceil-mode output size (windows that would start in the end padding are dropped, as ONNX says).
     */
    long[] endForCeil(long[] in) {
        long[] e = end.clone();
        for (int i = 0; i < in.length; i++) {
            long span = (kernel[i] - 1) * dilations[i] + 1;
            long padded = in[i] + begin[i] + end[i];
            if (padded < span) continue;
            long out = ceilDiv(padded - span, strides[i]) + 1;
            if ((out - 1) * strides[i] >= in[i] + begin[i]) out--;
            long needed = (out - 1) * strides[i] + span;
            e[i] += Math.max(0, needed - padded);
        }
        return e;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** libtorch's pad list for constant_pad_nd: (begin, end) pairs from the last axis backwards. */
    static long[] torchPads(long[] begin, long[] end) {
        int s = begin.length;
        long[] p = new long[2 * s];
        for (int i = 0; i < s; i++) {
            p[2 * i] = begin[s - 1 - i];
            p[2 * i + 1] = end[s - 1 - i];
        }
        return p;
    }
}
