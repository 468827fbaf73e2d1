package dev.l2c.graph;

import static dev.l2c.graph.Ops.one;

import dev.l2c.L2cException;
import dev.l2c.model.onnx.proto.TensorProto;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Operators on shapes and layout: Shape arithmetic on int64 tensors (so batch size and sequence
 * length stay free), reshaping, indexing, concatenation and constants.
 */
final class ShapeOps {
    private ShapeOps() {}

    static void register(Map<String, Kernel.Factory> m) {
        m.put("Shape", ShapeOps::shape);
        m.put("Size", n -> {
            n.allowAttributes();
            n.checkArity(1, 1, 1, 1);
            return (in, mode) -> one(Tensors.fromLongs(new long[] {in[0].numel()}));
        });
        m.put("Reshape", ShapeOps::reshape);
        m.put("Flatten", ShapeOps::flatten);
        m.put("Transpose", ShapeOps::transpose);
        m.put("Unsqueeze", ShapeOps::unsqueeze);
        m.put("Squeeze", ShapeOps::squeeze);
        m.put("Concat", ShapeOps::concat);
        m.put("Split", ShapeOps::split);
        m.put("Slice", ShapeOps::slice);
        m.put("Gather", ShapeOps::gather);
        m.put("Expand", ShapeOps::expand);
        m.put("Tile", n -> {
            n.allowAttributes();
            n.checkArity(2, 2, 1, 1);
            return (in, mode) -> {
                long[] repeats = Ops.longs(n, in[1], "repeats");
                if (repeats.length != in[0].dim()) {
                    throw n.fail("repeats has " + repeats.length + " entries for a tensor of rank " + in[0].dim());
                }
                return one(in[0].repeat(repeats));
            };
        });
        m.put("Constant", ShapeOps::constant);
        m.put("ConstantOfShape", ShapeOps::constantOfShape);
        m.put("Range", n -> {
            n.allowAttributes();
            n.checkArity(3, 3, 1, 1);
            return (in, mode) -> {
                for (Tensor t : in) if (t.numel() != 1) throw n.fail("start, limit and delta must be scalars");
                ScalarType type = Tensors.type(in[0]);
                Tensor r = Ops.isFloating(type)
                        ? torch.arange(in[0].item(), in[1].item(), in[2].item(), new TensorOptions(type))
                        : torch.arange(new Scalar(in[0].item_long()), new Scalar(in[1].item_long()),
                                new Scalar(in[2].item_long()), new TensorOptions(type));
                return one(r);
            };
        });
        m.put("Pad", ShapeOps::pad);
    }

    private static Kernel shape(OpNode n) throws L2cException {
        n.allowAttributes("start", "end");
        n.checkArity(1, 1, 1, 1);
        long start = n.intAttr("start", 0);
        Long end = n.has("end") ? n.intAttr("end", 0) : null;
        return (in, mode) -> {
            long[] dims = Ops.shape(in[0]);
            int r = dims.length;
            // Out-of-range start/end are clamped (ONNX Shape-15).
            int s = (int) Math.min(Math.max(start < 0 ? start + r : start, 0), r);
            int e = end == null ? r : (int) Math.min(Math.max(end < 0 ? end + r : end, 0), r);
            long[] part = e > s ? Arrays.copyOfRange(dims, s, e) : new long[0];
            return one(Tensors.fromLongs(part, part.length));
        };
    }

    private static Kernel reshape(OpNode n) throws L2cException {
        if (n.opset() < 5) {
            n.allowAttributes("shape");
            n.checkArity(1, 1, 1, 1);
            long[] fixed = n.intsAttr("shape");
            if (fixed == null) throw n.fail("attribute 'shape' is required before opset 5");
            return (in, mode) -> one(in[0].reshape(target(n, Ops.shape(in[0]), fixed, false)));
        }
        n.allowAttributes("allowzero");
        n.checkArity(2, 2, 1, 1);
        boolean allowZero = n.intAttr("allowzero", 0) != 0;
        return (in, mode) -> {
            long[] requested = Ops.longs(n, in[1], "shape");
            return one(in[0].reshape(target(n, Ops.shape(in[0]), requested, allowZero)));
        };
    }

    /** ONNX Reshape's target: 0 copies the input's dimension (unless allowzero), one -1 is inferred. */
    private static long[] target(OpNode n, long[] input, long[] requested, boolean allowZero) throws L2cException {
        long[] out = requested.clone();
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0 && !allowZero) {
                if (i >= input.length) throw n.fail("shape " + Arrays.toString(requested) + " copies dimension " + i
                        + " (0) of an input of rank " + input.length);
                out[i] = input[i];
            }
            if (out[i] == -1) {
                if (inferred >= 0) throw n.fail("shape " + Arrays.toString(requested) + " has more than one -1");
                inferred = i;
            } else if (out[i] < 0) {
                throw n.fail("shape " + Arrays.toString(requested) + " has a negative dimension");
            } else {
                known *= out[i];
            }
        }
        long total = Ops.product(input, 0, input.length);
        if (inferred >= 0) {
            if (known == 0 || total % known != 0) {
                throw n.fail("cannot reshape " + Arrays.toString(input) + " to " + Arrays.toString(requested));
            }
            out[inferred] = total / known;
        } else if (known != total) {
            throw n.fail("cannot reshape " + Arrays.toString(input) + " (" + total + " elements) to "
                    + Arrays.toString(out) + " (" + known + ")");
        }
        return out;
    }

    private static Kernel flatten(OpNode n) throws L2cException {
        n.allowAttributes("axis");
        n.checkArity(1, 1, 1, 1);
        long axis = n.intAttr("axis", 1);
        return (in, mode) -> {
            long[] dims = Ops.shape(in[0]);
            long a = axis < 0 ? axis + dims.length : axis;
            if (a < 0 || a > dims.length) throw n.fail("axis " + axis + " is out of range for rank " + dims.length);
            return one(in[0].reshape(Ops.product(dims, 0, (int) a), Ops.product(dims, (int) a, dims.length)));
        };
    }

    private static Kernel transpose(OpNode n) throws L2cException {
        n.allowAttributes("perm");
        n.checkArity(1, 1, 1, 1);
        long[] perm = n.intsAttr("perm");
        return (in, mode) -> {
            int r = (int) in[0].dim();
            long[] p = perm;
            if (p == null) {
                p = new long[r];
                for (int i = 0; i < r; i++) p[i] = r - 1 - i;
            }
            if (p.length != r) throw n.fail("perm " + Arrays.toString(p) + " does not fit a tensor of rank " + r);
            return one(in[0].permute(Ops.axes(n, p, r, "perm entry")));
        };
    }

    private static Kernel unsqueeze(OpNode n) throws L2cException {
        n.checkArity(n.opset() < 13 ? 1 : 2, n.opset() < 13 ? 1 : 2, 1, 1);
        long[] attrAxes = axesAttribute(n, 13, true);
        return (in, mode) -> {
            long[] axes = attrAxes != null ? attrAxes : Ops.longs(n, in[1], "axes");
            long outRank = in[0].dim() + axes.length;
            long[] norm = Ops.axes(n, axes, outRank, "axis");
            Arrays.sort(norm);
            Tensor t = in[0];
            for (long a : norm) t = t.unsqueeze(a); // ascending: each axis is final once inserted
            return one(t);
        };
    }

    private static Kernel squeeze(OpNode n) throws L2cException {
        n.checkArity(1, n.opset() < 13 ? 1 : 2, 1, 1);
        long[] attrAxes = axesAttribute(n, 13, false);
        return (in, mode) -> {
            long[] dims = Ops.shape(in[0]);
            long[] axes = attrAxes != null ? attrAxes : in.length > 1 && in[1] != null ? Ops.longs(n, in[1], "axes") : null;
            if (axes == null) {
                long[] kept = Arrays.stream(dims).filter(d -> d != 1).toArray();
                return one(in[0].reshape(kept));
            }
            long[] norm = Ops.axes(n, axes, dims.length, "axis");
            for (long a : norm) {
                if (dims[(int) a] != 1) throw n.fail("cannot squeeze axis " + a + " of shape " + Arrays.toString(dims));
            }
            long[] kept = new long[dims.length - norm.length];
            int k = 0;
            outer:
            for (int i = 0; i < dims.length; i++) {
                for (long a : norm) if (a == i) continue outer;
                kept[k++] = dims[i];
            }
            return one(in[0].reshape(kept));
        };
    }

    /** Axes as an attribute before {@code inputSince}; from then on they are an input. */
    private static long[] axesAttribute(OpNode n, int inputSince, boolean required) throws L2cException {
        if (n.opset() < inputSince) {
            n.allowAttributes("axes");
            long[] axes = n.intsAttr("axes");
            if (axes == null && required) throw n.fail("attribute 'axes' is required before opset " + inputSince);
            return axes;
        }
        n.allowAttributes();
        return null;
    }

    private static Kernel concat(OpNode n) throws L2cException {
        n.allowAttributes("axis");
        n.checkArity(1, Integer.MAX_VALUE, 1, 1);
        if (!n.has("axis") && n.opset() >= 4) throw n.fail("attribute 'axis' is required");
        long axis = n.intAttr("axis", 1);
        return (in, mode) -> {
            long a = Ops.axis(n, axis, in[0].dim(), "axis");
            return one(torch.cat(new TensorVector(in), a));
        };
    }

    private static Kernel split(OpNode n) throws L2cException {
        boolean splitAttr = n.opset() < 13;
        if (splitAttr) n.allowAttributes("axis", "split");
        else n.allowAttributes("axis", "num_outputs");
        n.checkArity(1, splitAttr ? 1 : 2, 1, Integer.MAX_VALUE);
        long axis = n.intAttr("axis", 0);
        long[] fixed = splitAttr ? n.intsAttr("split") : null;
        int outputs = n.proto().getOutputCount();
        return (in, mode) -> {
            long a = Ops.axis(n, axis, in[0].dim(), "axis");
            long dim = in[0].size(a);
            long[] sizes = fixed != null ? fixed : in.length > 1 && in[1] != null ? Ops.longs(n, in[1], "split") : null;
            if (sizes == null) {
                // Equal parts, the last one smaller when the axis does not divide (ONNX Split-18).
                long part = (dim + outputs - 1) / outputs;
                sizes = new long[outputs];
                for (int i = 0; i < outputs; i++) sizes[i] = Math.max(0, Math.min(part, dim - i * part));
            }
            if (sizes.length != outputs || Arrays.stream(sizes).sum() != dim) {
                throw n.fail("split " + Arrays.toString(sizes) + " does not divide an axis of " + dim + " into " + outputs
                        + " outputs");
            }
            return in[0].split_with_sizes(sizes, a).get();
        };
    }

    private static Kernel slice(OpNode n) throws L2cException {
        if (n.opset() < 10) {
            n.allowAttributes("starts", "ends", "axes");
            n.checkArity(1, 1, 1, 1);
            long[] starts = n.intsAttr("starts");
            long[] ends = n.intsAttr("ends");
            long[] axes = n.intsAttr("axes");
            if (starts == null || ends == null) throw n.fail("attributes 'starts' and 'ends' are required");
            return (in, mode) -> one(slice(n, in[0], starts, ends, axes, null));
        }
        n.allowAttributes();
        n.checkArity(3, 5, 1, 1);
        return (in, mode) -> {
            long[] starts = Ops.longs(n, in[1], "starts");
            long[] ends = Ops.longs(n, in[2], "ends");
            long[] axes = in.length > 3 && in[3] != null ? Ops.longs(n, in[3], "axes") : null;
            long[] steps = in.length > 4 && in[4] != null ? Ops.longs(n, in[4], "steps") : null;
            return one(slice(n, in[0], starts, ends, axes, steps));
        };
    }

    private static Tensor slice(OpNode n, Tensor x, long[] starts, long[] ends, long[] axes, long[] steps)
            throws L2cException {
        int k = starts.length;
        if (ends.length != k || axes != null && axes.length != k || steps != null && steps.length != k) {
            throw n.fail("starts, ends, axes and steps differ in length");
        }
        long rank = x.dim();
        long[] ax = axes;
        if (ax == null) {
            ax = new long[k];
            for (int i = 0; i < k; i++) ax[i] = i;
        }
        ax = Ops.axes(n, ax, rank, "axis");
        Tensor t = x;
        for (int i = 0; i < k; i++) {
            long dim = t.size(ax[i]);
            long step = steps == null ? 1 : steps[i];
            if (step == 0) throw n.fail("step 0 on axis " + ax[i]);
            long start = starts[i] < 0 ? starts[i] + dim : starts[i];
            long end = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (step > 0) {
                start = clamp(start, 0, dim);
                end = clamp(end, 0, dim);
                if (start == 0 && end == dim && step == 1) continue;
                t = t.slice(ax[i], new LongOptional(start), new LongOptional(Math.max(start, end)), step);
            } else {
                // Negative steps walk backwards: gather the indices start, start+step, ... above end.
                start = clamp(start, -1, dim - 1);
                end = clamp(end, -1, dim - 1);
                long count = start > end ? (start - end - step - 1) / -step : 0;
                Tensor index = torch.arange(new Scalar(start), new Scalar(start + count * step), new Scalar(step),
                        new TensorOptions(ScalarType.Long));
                t = t.index_select(ax[i], index);
            }
        }
        return t;
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static Kernel gather(OpNode n) throws L2cException {
        n.allowAttributes("axis");
        n.checkArity(2, 2, 1, 1);
        long axis = n.intAttr("axis", 0);
        return (in, mode) -> {
            Tensor data = in[0];
            long a = Ops.axis(n, axis, data.dim(), "axis");
            Tensor idx = in[1];
            if (Ops.isFloating(idx)) throw n.fail("indices must be integers");
            if (Tensors.type(idx) != ScalarType.Long) idx = idx.to(ScalarType.Long);
            long dim = data.size(a);
            // Negative indices count from the end.
            Tensor flat = idx.reshape(-1);
            flat = torch.where(flat.lt(new Scalar(0L)), flat.add(new Scalar(dim)), flat);
            Tensor picked = data.index_select(a, flat);
            long[] dataDims = Ops.shape(data);
            long[] idxDims = Ops.shape(idx);
            long[] out = new long[dataDims.length - 1 + idxDims.length];
            System.arraycopy(dataDims, 0, out, 0, (int) a);
            System.arraycopy(idxDims, 0, out, (int) a, idxDims.length);
            System.arraycopy(dataDims, (int) a + 1, out, (int) a + idxDims.length, dataDims.length - (int) a - 1);
            return one(picked.reshape(out));
        };
    }

    private static Kernel expand(OpNode n) throws L2cException {
        n.allowAttributes();
        n.checkArity(2, 2, 1, 1);
        return (in, mode) -> {
            long[] requested = Ops.longs(n, in[1], "shape");
            long[] dims = Ops.shape(in[0]);
            // ONNX Expand broadcasts both ways: a 1 in the requested shape keeps the input's dimension.
            int r = Math.max(dims.length, requested.length);
            long[] out = new long[r];
            for (int i = 0; i < r; i++) {
                long a = i - (r - dims.length) >= 0 ? dims[i - (r - dims.length)] : 1;
                long b = i - (r - requested.length) >= 0 ? requested[i - (r - requested.length)] : 1;
                if (a != b && a != 1 && b != 1) {
                    throw n.fail("cannot broadcast " + Arrays.toString(dims) + " to " + Arrays.toString(requested));
                }
                out[i] = a == 1 ? b : a;
            }
            return one(in[0].expand(out));
        };
    }

    private static Kernel constant(OpNode n) throws L2cException {
        n.allowAttributes("value", "value_float", "value_floats", "value_int", "value_ints");
        n.checkArity(0, 0, 1, 1);
        if (n.proto().getAttributeCount() != 1) throw n.fail("needs exactly one value attribute");
        Tensor value;
        if (n.has("value")) {
            value = n.constant(n.tensorAttr("value"), "value");
        } else if (n.has("value_float")) {
            value = n.own(Tensors.fromFloats(new float[] {n.floatAttr("value_float", 0)}));
        } else if (n.has("value_floats")) {
            float[] v = n.floatsAttr("value_floats");
            value = n.own(Tensors.fromFloats(v, v.length));
        } else if (n.has("value_int")) {
            value = n.own(Tensors.fromLongs(new long[] {n.intAttr("value_int", 0)}));
        } else {
            long[] v = n.intsAttr("value_ints");
            value = n.own(Tensors.fromLongs(v, v.length));
        }
        return (in, mode) -> one(value);
    }

    private static Kernel constantOfShape(OpNode n) throws L2cException {
        n.allowAttributes("value");
        n.checkArity(1, 1, 1, 1);
        TensorProto valueProto = n.tensorAttr("value");
        Tensor value = valueProto == null ? null : n.constant(valueProto, "value");
        if (value != null && value.numel() != 1) throw n.fail("value must hold one element, holds " + value.numel());
        return (in, mode) -> {
            long[] dims = Ops.longs(n, in[0], "shape");
            for (long d : dims) if (d < 0) throw n.fail("negative dimension in shape " + Arrays.toString(dims));
            if (value == null) return one(torch.zeros(dims, new TensorOptions(ScalarType.Float)));
            return one(value.reshape().expand(dims).contiguous());
        };
    }

    private static Kernel pad(OpNode n) throws L2cException {
        boolean attrs = n.opset() < 11;
        if (attrs) n.allowAttributes("mode", "pads", "value");
        else n.allowAttributes("mode");
        n.checkArity(attrs ? 1 : 2, attrs ? 1 : 4, 1, 1);
        String padMode = n.stringAttr("mode", "constant");
        if (!List.of("constant", "reflect", "edge", "wrap").contains(padMode)) {
            throw n.fail("mode '" + padMode + "' is not one of constant, reflect, edge, wrap");
        }
        long[] attrPads = attrs ? n.intsAttr("pads") : null;
        float attrValue = attrs ? n.floatAttr("value", 0f) : 0f;
        if (attrs && attrPads == null) throw n.fail("attribute 'pads' is required before opset 11");
        return (in, mode) -> {
            Tensor x = in[0];
            int r = (int) x.dim();
            long[] pads = attrPads != null ? attrPads : Ops.longs(n, in[1], "pads");
            double value = attrs ? attrValue : in.length > 2 && in[2] != null ? in[2].item().toDouble() : 0.0;
            long[] axes = in.length > 3 && in[3] != null ? Ops.axes(n, Ops.longs(n, in[3], "axes"), r, "axis") : null;
            int k = axes == null ? r : axes.length;
            if (pads.length != 2 * k) throw n.fail("pads has " + pads.length + " entries, expected " + 2 * k);
            long[] begin = new long[r];
            long[] end = new long[r];
            for (int i = 0; i < k; i++) {
                int a = axes == null ? i : (int) axes[i];
                begin[a] = pads[i];
                end[a] = pads[i + k];
            }
            if (padMode.equals("constant")) {
                // Negative pads crop, as in ONNX.
                return one(torch.constant_pad_nd(x, Pooling.torchPads(begin, end), new Scalar(value)));
            }
            Tensor t = x;
            for (int a = 0; a < r; a++) {
                if (begin[a] == 0 && end[a] == 0) continue;
                t = padAxis(n, t, a, begin[a], end[a], padMode);
            }
            return one(t);
        };
    }

    /** Reflect, edge or wrap padding of one axis, as a gather of source indices (any rank, differentiable). */
    private static Tensor padAxis(OpNode n, Tensor t, int axis, long before, long after, String padMode)
            throws L2cException {
        if (before < 0) {
            t = t.narrow(axis, -before, t.size(axis) + before);
            before = 0;
        }
        if (after < 0) {
            t = t.narrow(axis, 0, t.size(axis) + after);
            after = 0;
        }
        long dim = t.size(axis);
        if (dim == 0) throw n.fail("cannot " + padMode + "-pad an empty axis " + axis);
        if (padMode.equals("reflect") && (before >= dim || after >= dim)) {
            throw n.fail("reflect padding of " + Math.max(before, after) + " needs an axis longer than that, axis " + axis
                    + " has " + dim);
        }
        long[] index = new long[(int) (before + dim + after)];
        for (int j = 0; j < index.length; j++) {
            long src = j - before;
            index[j] = switch (padMode) {
                case "edge" -> Math.max(0, Math.min(dim - 1, src));
                case "wrap" -> Math.floorMod(src, dim);
                default -> src < 0 ? -src : src >= dim ? 2 * (dim - 1) - src : src; // reflect, edge not repeated
            };
        }
        return t.index_select(axis, Tensors.fromLongs(index, index.length));
    }
}
