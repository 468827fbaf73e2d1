package dev.l2c.graph;

import static dev.l2c.graph.Ops.one;

import dev.l2c.L2cException;
import java.util.Arrays;
import java.util.Map;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** Network layers: convolution, normalization, pooling, dense products, softmax. */
final class NnOps {
    private NnOps() {}

    static void register(Map<String, Kernel.Factory> m) {
        m.put("Conv", NnOps::conv);
        m.put("BatchNormalization", NnOps::batchNorm);
        m.put("LayerNormalization", NnOps::layerNorm);
        m.put("MaxPool", NnOps::maxPool);
        m.put("AveragePool", NnOps::averagePool);
        m.put("GlobalAveragePool", n -> {
            n.allowAttributes();
            n.checkArity(1, 1, 1, 1);
            return (in, mode) -> one(in[0].mean(spatialAxes(n, in[0]), true, null));
        });
        m.put("GlobalMaxPool", n -> {
            n.allowAttributes();
            n.checkArity(1, 1, 1, 1);
            return (in, mode) -> one(in[0].amax(spatialAxes(n, in[0]), true));
        });
        m.put("Gemm", NnOps::gemm);
        m.put("MatMul", n -> {
            n.allowAttributes();
            n.checkArity(2, 2, 1, 1);
            return (in, mode) -> one(torch.matmul(in[0], in[1]));
        });
        m.put("Softmax", n -> softmax(n, false));
        m.put("LogSoftmax", n -> softmax(n, true));
    }

    private static long[] spatialAxes(OpNode n, Tensor x) throws L2cException {
        int r = (int) x.dim();
        if (r < 3) throw n.fail("expects an input of rank >= 3 (N, C, spatial...), got rank " + r);
        long[] axes = new long[r - 2];
        for (int i = 0; i < axes.length; i++) axes[i] = i + 2;
        return axes;
    }

    private static long[] spatialSizes(Tensor x) {
        long[] dims = Ops.shape(x);
        return Arrays.copyOfRange(dims, 2, dims.length);
    }

    private static int spatialRank(OpNode n, Tensor x) throws L2cException {
        int s = (int) x.dim() - 2;
        if (s < 1 || s > 3) throw n.fail("supports 1 to 3 spatial axes, the input has rank " + x.dim());
        return s;
    }

    private static Kernel conv(OpNode n) throws L2cException {
        n.allowAttributes("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides");
        n.checkArity(2, 3, 1, 1);
        Pooling.Attributes attrs = Pooling.Attributes.of(n);
        long group = n.intAttr("group", 1);
        if (group < 1) throw n.fail("group must be >= 1, got " + group);
        return (in, mode) -> {
            Tensor x = in[0];
            Tensor w = in[1];
            int s = spatialRank(n, x);
            if (w.dim() != x.dim()) throw n.fail("weight of rank " + w.dim() + " for an input of rank " + x.dim());
            long[] wDims = Ops.shape(w);
            Pooling p = Pooling.resolve(n, attrs, spatialSizes(x), Arrays.copyOfRange(wDims, 2, wDims.length));
            long[] pad = p.begin;
            if (!p.symmetric()) {
                // libtorch pads both sides alike; other paddings are applied to the input first.
                x = torch.constant_pad_nd(x, Pooling.torchPads(p.begin, p.end), new Scalar(0.0));
                pad = new long[s];
            }
            TensorOptional bias = in.length > 2 && in[2] != null ? new TensorOptional(in[2]) : new TensorOptional();
            Tensor y = switch (s) {
                case 1 -> torch.conv1d(x, w, bias, p.strides, pad, p.dilations, group);
                case 2 -> torch.conv2d(x, w, bias, p.strides, pad, p.dilations, group);
                default -> torch.conv3d(x, w, bias, p.strides, pad, p.dilations, group);
            };
            return one(y);
        };
    }

    private static Kernel batchNorm(OpNode n) throws L2cException {
        n.allowAttributes("epsilon", "momentum", "spatial", "training_mode");
        n.checkArity(5, 5, 1, 1);
        if (n.intAttr("spatial", 1) != 1) throw n.fail("spatial=0 (per-activation statistics) is not supported");
        if (n.intAttr("training_mode", 0) != 0) {
            throw n.fail("training_mode=1 graphs are not supported (OnnxExecutor.setTraining switches batch statistics on)");
        }
        double eps = n.floatAttr("epsilon", 1e-5f);
        double momentum = n.floatAttr("momentum", 0.9f);
        return (in, mode) -> {
            // torch's momentum weights the new batch statistic; ONNX's weights the running value.
            Tensor y = torch.batch_norm(in[0], new TensorOptional(in[1]), new TensorOptional(in[2]),
                    new TensorOptional(in[3]), new TensorOptional(in[4]), mode.training(), 1.0 - momentum, eps, false);
            return one(y);
        };
    }

    private static Kernel layerNorm(OpNode n) throws L2cException {
        n.allowAttributes("axis", "epsilon", "stash_type");
        n.checkArity(2, 3, 1, 1);
        long axis = n.intAttr("axis", -1);
        double eps = n.floatAttr("epsilon", 1e-5f);
        return (in, mode) -> {
            Tensor x = in[0];
            long[] dims = Ops.shape(x);
            int a = (int) Ops.axis(n, axis, dims.length, "axis");
            long[] normalized = Arrays.copyOfRange(dims, a, dims.length);
            Tensor scale = in[1];
            Tensor bias = in.length > 2 ? in[2] : null;
            boolean exact = Arrays.equals(Ops.shape(scale), normalized) && (bias == null || Arrays.equals(Ops.shape(bias), normalized));
            if (exact) {
                return one(torch.layer_norm(x, normalized, new TensorOptional(scale),
                        bias == null ? new TensorOptional() : new TensorOptional(bias), eps, false));
            }
            // Scale or bias that only broadcast to the normalized shape: the formula itself.
            long[] axes = new long[dims.length - a];
            for (int i = 0; i < axes.length; i++) axes[i] = a + i;
            Tensor centered = torch.sub(x, x.mean(axes, true, null));
            Tensor var = torch.mul(centered, centered).mean(axes, true, null);
            Tensor y = torch.mul(torch.div(centered, torch.sqrt(var.add(new Scalar(eps)))), scale);
            return one(bias == null ? y : torch.add(y, bias));
        };
    }

    private static Kernel maxPool(OpNode n) throws L2cException {
        n.allowAttributes("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides");
        n.checkArity(1, 1, 1, 1);
        Pooling.Attributes attrs = Pooling.Attributes.of(n);
        if (attrs.kernelShape() == null) throw n.fail("attribute 'kernel_shape' is required");
        boolean ceil = n.intAttr("ceil_mode", 0) != 0;
        return (in, mode) -> {
            Tensor x = in[0];
            int s = spatialRank(n, x);
            long[] sizes = spatialSizes(x);
            Pooling p = Pooling.resolve(n, attrs, sizes, attrs.kernelShape());
            long[] pad = p.begin;
            if (ceil || !p.torchPaddable()) {
                // Pad with -inf so padding never wins; the end padding also realizes ceil_mode.
                long[] end = ceil ? p.endForCeil(sizes) : p.end;
                x = torch.constant_pad_nd(x, Pooling.torchPads(p.begin, end), new Scalar(Double.NEGATIVE_INFINITY));
                pad = new long[s];
            }
            Tensor y = switch (s) {
                case 1 -> torch.max_pool1d(x, p.kernel, p.strides, pad, p.dilations, false);
                case 2 -> torch.max_pool2d(x, p.kernel, p.strides, pad, p.dilations, false);
                default -> torch.max_pool3d(x, p.kernel, p.strides, pad, p.dilations, false);
            };
            return one(y);
        };
    }

    private static Kernel averagePool(OpNode n) throws L2cException {
        n.allowAttributes("auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides");
        n.checkArity(1, 1, 1, 1);
        Pooling.Attributes attrs = Pooling.Attributes.of(n);
        if (attrs.kernelShape() == null) throw n.fail("attribute 'kernel_shape' is required");
        if (attrs.dilations() != null) {
            for (long d : attrs.dilations()) if (d != 1) throw n.fail("dilations other than 1 are not supported");
        }
        boolean ceil = n.intAttr("ceil_mode", 0) != 0;
        boolean includePad = n.intAttr("count_include_pad", 0) != 0;
        return (in, mode) -> {
            Tensor x = in[0];
            int s = spatialRank(n, x);
            long[] sizes = spatialSizes(x);
            Pooling p = Pooling.resolve(n, attrs, sizes, attrs.kernelShape());
            if (!ceil && p.torchPaddable()) return one(avgPool(s, x, p, p.begin, includePad));
            // General case: window sums over the zero-padded input divided by the number of
            // counted cells (inside the input, or inside the pads with count_include_pad).
            long[] end = ceil ? p.endForCeil(sizes) : p.end;
            long[] none = new long[s];
            Tensor xp = torch.constant_pad_nd(x, Pooling.torchPads(p.begin, end), new Scalar(0.0));
            long[] oneDims = new long[s + 2];
            Arrays.fill(oneDims, 1);
            System.arraycopy(sizes, 0, oneDims, 2, s);
            Tensor ones = torch.ones_like(x.narrow(0, 0, 1).narrow(1, 0, 1).detach());
            Tensor counted = includePad
                    ? torch.constant_pad_nd(torch.constant_pad_nd(ones, Pooling.torchPads(p.begin, p.end), new Scalar(1.0)),
                            Pooling.torchPads(none, minus(end, p.end)), new Scalar(0.0))
                    : torch.constant_pad_nd(ones, Pooling.torchPads(p.begin, end), new Scalar(0.0));
            Tensor sums = avgPool(s, xp, p, none, true);
            Tensor counts = avgPool(s, counted, p, none, true);
            return one(torch.div(sums, counts));
        };
    }

    private static long[] minus(long[] a, long[] b) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] - b[i];
        return out;
    }

    private static Tensor avgPool(int s, Tensor x, Pooling p, long[] pad, boolean includePad) {
        return switch (s) {
            case 1 -> torch.avg_pool1d(x, p.kernel, p.strides, pad, false, includePad);
            case 2 -> torch.avg_pool2d(x, p.kernel, p.strides, pad, false, includePad, new LongOptional());
            default -> torch.avg_pool3d(x, p.kernel, p.strides, pad, false, includePad, new LongOptional());
        };
    }

    private static Kernel gemm(OpNode n) throws L2cException {
        n.allowAttributes("alpha", "beta", "transA", "transB");
        n.checkArity(2, 3, 1, 1);
        double alpha = n.floatAttr("alpha", 1f);
        double beta = n.floatAttr("beta", 1f);
        boolean transA = n.intAttr("transA", 0) != 0;
        boolean transB = n.intAttr("transB", 0) != 0;
        return (in, mode) -> {
            if (in[0].dim() != 2 || in[1].dim() != 2) {
                throw n.fail("A and B must be matrices, got ranks " + in[0].dim() + " and " + in[1].dim());
            }
            Tensor a = transA ? in[0].t() : in[0];
            Tensor b = transB ? in[1].t() : in[1];
            if (in.length > 2 && in[2] != null) {
                return one(torch.addmm(in[2], a, b, new Scalar(beta), new Scalar(alpha)));
            }
            Tensor y = torch.mm(a, b);
            return one(alpha == 1.0 ? y : y.mul(new Scalar(alpha)));
        };
    }

    /** Softmax and LogSoftmax: before opset 13 over the input flattened to 2-D at axis (default 1). */
    private static Kernel softmax(OpNode n, boolean log) throws L2cException {
        n.allowAttributes("axis");
        n.checkArity(1, 1, 1, 1);
        boolean flattening = n.opset() < 13;
        long axis = n.intAttr("axis", flattening ? 1 : -1);
        return (in, mode) -> {
            Tensor x = in[0];
            long[] dims = Ops.shape(x);
            int a = (int) Ops.axis(n, axis, dims.length, "axis");
            if (!flattening || a == dims.length - 1) {
                return one(log ? torch.log_softmax(x, a) : torch.softmax(x, a));
            }
            Tensor flat = x.reshape(Ops.product(dims, 0, a), Ops.product(dims, a, dims.length));
            Tensor y = log ? torch.log_softmax(flat, 1) : torch.softmax(flat, 1);
            return one(y.reshape(dims));
        };
    }
}
