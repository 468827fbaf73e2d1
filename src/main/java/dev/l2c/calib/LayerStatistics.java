package dev.l2c.calib;

import dev.l2c.L2cException;
import dev.l2c.model.onnx.proto.AttributeProto;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.NodeProto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Collects, for every calibrated weight that a linear node consumes, the Gram matrix of the inputs
 * it multiplies ({@link LayerGram}), from the node inputs the executor reports while it runs the
 * calibration batches. Modelled consumers: MatMul (the weight as either operand, rank 2), Gemm
 * (the weight as B, transA/transB honoured) and Conv 1D/2D (groups, strides, dilations, explicit
 * or automatic pads, through im2col). A weight with any other consumer (a Gather table, an Add,
 * a weight that is transposed or cast first, ...) is listed in {@link #fallbacks()} with the
 * reason; the layer-wise objective keeps the data-free term for it.
 */
public final class LayerStatistics implements AutoCloseable {
    /** One node that multiplies a weight: how to turn its inputs into rows of X. */
    private record Consumer(NodeProto node, int weightInput, LayerGram gram) {}

    private final Map<String, LayerGram> grams = new LinkedHashMap<>();
    private final Map<String, String> fallbacks = new LinkedHashMap<>();
    private final Map<String, List<Consumer>> byOutput = new LinkedHashMap<>();
    private Tensor rowWeights;

    /** {@code weights}: the calibrated weights and their shapes, in calibration order. */
    public LayerStatistics(GraphProto graph, Map<String, long[]> weights) {
        Map<String, List<NodeProto>> users = new LinkedHashMap<>();
        Map<String, List<Integer>> slots = new LinkedHashMap<>();
        for (String w : weights.keySet()) {
            users.put(w, new ArrayList<>());
            slots.put(w, new ArrayList<>());
        }
        for (NodeProto node : graph.getNodeList()) {
            for (int i = 0; i < node.getInputCount(); i++) {
                List<NodeProto> u = users.get(node.getInput(i));
                if (u != null) {
                    u.add(node);
                    slots.get(node.getInput(i)).add(i);
                }
            }
        }
        for (String o : graph.getOutputList().stream().map(v -> v.getName()).toList()) {
            if (weights.containsKey(o)) fallbacks.put(o, "it is a graph output");
        }
        for (var e : weights.entrySet()) {
            String name = e.getKey();
            if (fallbacks.containsKey(name)) continue;
            List<NodeProto> u = users.get(name);
            if (u.isEmpty()) {
                fallbacks.put(name, "no node of the main graph uses it");
                continue;
            }
            LayerGram gram = null;
            String reason = null;
            for (int j = 0; j < u.size() && reason == null; j++) {
                Shape s = shapeOf(u.get(j), slots.get(name).get(j), e.getValue());
                if (s.reason != null) {
                    reason = s.reason;
                } else if (gram == null) {
                    gram = new LayerGram(name, s.view, s.groups, s.k);
                } else if (gram.view() != s.view || gram.groups() != s.groups || gram.k() != s.k) {
                    reason = "its consumers view it differently";
                }
            }
            if (reason != null) {
                if (gram != null) gram.close();
                fallbacks.put(name, reason);
                continue;
            }
            grams.put(name, gram);
            for (int j = 0; j < u.size(); j++) {
                NodeProto node = u.get(j);
                byOutput.computeIfAbsent(key(node), x -> new ArrayList<>()).add(new Consumer(node, slots.get(name).get(j), gram));
            }
        }
    }

    /** Gram matrices of the modelled weights (owned by this object). */
    public Map<String, LayerGram> grams() {
        return grams;
    }

    /** Weights the layer-wise objective cannot model, and why. */
    public Map<String, String> fallbacks() {
        return fallbacks;
    }

    /**
     * Weights of the positions of the next batch ([B, S], e.g. an attention mask), or null: a
     * MatMul input [B, S, in] then counts each row with its weight, so padding adds nothing to H.
     * Inputs whose leading dimensions are not [B, S] are taken unweighted.
     */
    public void rowWeights(Tensor weights) {
        this.rowWeights = weights;
    }

    /**
     * Accumulates the inputs of {@code node} if it multiplies a calibrated weight; {@code inputs}
     * are the node's input values in order (the signature of the executor's NodeObserver).
     */
    public void node(NodeProto node, List<Tensor> inputs, List<Tensor> outputs) throws L2cException {
        List<Consumer> cs = byOutput.get(key(node));
        if (cs == null) return;
        for (Consumer c : cs) {
            try (PointerScope scope = new PointerScope()) {
                c.gram.add(rows(c, inputs, rowWeights));
            } catch (RuntimeException e) {
                throw new L2cException("layer statistics of " + c.gram.tensor() + " at " + c.node.getOpType() + " node '"
                        + c.node.getName() + "': " + e.getMessage(), e);
            }
        }
    }

    /**
     * One pass over {@code data} in batches of {@code batch}, accumulating every Gram matrix;
     * {@code forwardNanos} receives each batch's executor time, {@code advanced} its sample count.
     */
    public void collect(dev.l2c.graph.OnnxExecutor executor, CalibrationData data, int batch,
            java.util.function.LongConsumer forwardNanos, java.util.function.IntConsumer advanced) throws L2cException {
        for (int from = 0; from < data.size(); from += batch) {
            int[] idx = BatchSampler.range(from, batch, data.size());
            try (PointerScope scope = new PointerScope()) {
                rowWeights(data.positionWeights(idx));
                long t0 = System.nanoTime();
                executor.run(data.inputs(idx), executor.outputNames(), this::node);
                forwardNanos.accept(System.nanoTime() - t0);
            }
            advanced.accept(idx.length);
        }
    }

    @Override
    public void close() {
        for (LayerGram g : grams.values()) g.close();
    }

    private static String key(NodeProto node) {
        return node.getOutputCount() > 0 ? node.getOutput(0) : "";
    }

    /** How a consumer views the weight, or why it cannot be modelled. */
    private record Shape(LayerGram.View view, int groups, int k, String reason) {
        static Shape no(String reason) {
            return new Shape(null, 0, 0, reason);
        }
    }

    private static Shape shapeOf(NodeProto node, int slot, long[] w) {
        String op = node.getOpType();
        String where = "used by " + op + " node '" + node.getName() + "' (input " + slot + ")";
        if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) return Shape.no(where + " of domain " + node.getDomain());
        switch (op) {
            case "MatMul":
                if (w.length != 2) return Shape.no(where + " with rank " + w.length);
                return slot == 1 ? new Shape(LayerGram.View.IN_OUT, 1, toInt(w[0]), null)
                        : new Shape(LayerGram.View.OUT_IN, 1, toInt(w[1]), null);
            case "Gemm":
                if (slot != 1 || w.length != 2) return Shape.no(where);
                return intAttr(node, "transB", 0) != 0 ? new Shape(LayerGram.View.OUT_IN, 1, toInt(w[1]), null)
                        : new Shape(LayerGram.View.IN_OUT, 1, toInt(w[0]), null);
            case "Conv": {
                if (slot != 1 || (w.length != 3 && w.length != 4)) return Shape.no(where + (slot == 1 ? " with rank " + w.length : ""));
                long group = intAttr(node, "group", 1);
                if (group < 1 || w[0] % group != 0) return Shape.no(where + " with group " + group);
                long k = 1;
                for (int d = 1; d < w.length; d++) k *= w[d];
                return new Shape(LayerGram.View.OUT_IN, toInt(group), toInt(k), null);
            }
            default:
                return Shape.no(where);
        }
    }

    /** The rows of X, [R, groups * k], for one consumer. */
    private static Tensor rows(Consumer c, List<Tensor> inputs, Tensor rowWeights) {
        NodeProto node = c.node;
        int k = c.gram.k();
        switch (node.getOpType()) {
            case "MatMul": {
                if (c.weightInput == 1) {
                    Tensor x = inputs.get(0);
                    if (rowWeights != null && leads(rowWeights, x)) {
                        // H = X^T diag(w) X: each row scaled by sqrt(w) (w is 0 or 1 for masks).
                        x = x.mul(rowWeights.to(x.scalar_type()).sqrt().unsqueeze(-1));
                    }
                    return x.reshape(-1, k);
                }
                Tensor x = inputs.get(1);
                return x.dim() == 1 ? x.reshape(1, k) : x.transpose(-1, -2).reshape(-1, k);
            }
            case "Gemm": {
                Tensor a = inputs.get(0);
                return intAttr(node, "transA", 0) != 0 ? a.t() : a;
            }
            case "Conv":
                return convRows(node, inputs.get(0), inputs.get(1).sizes().vec().get());
            default:
                throw new IllegalStateException(node.getOpType());
        }
    }

    /** im2col of a Conv input: [N * L, C * kernel elements], the padding applied as the node does. */
    private static Tensor convRows(NodeProto node, Tensor x, long[] w) {
        boolean oneD = w.length == 3;
        int spatial = w.length - 2;
        long[] kernel = new long[2];
        long[] stride = new long[2];
        long[] dilation = new long[2];
        long[] begin = new long[2];
        long[] end = new long[2];
        long[] strides = ints(node, "strides", spatial, 1);
        long[] dilations = ints(node, "dilations", spatial, 1);
        long[] pads = ints(node, "pads", 2 * spatial, 0);
        String autoPad = stringAttr(node, "auto_pad", "NOTSET");
        if (oneD) x = x.unsqueeze(2);
        long[] in = x.sizes().vec().get();
        for (int d = 0; d < 2; d++) {
            int s = d - (2 - spatial); // index into the node's spatial dims; negative for the added one
            kernel[d] = s < 0 ? 1 : w[2 + s];
            stride[d] = s < 0 ? 1 : strides[s];
            dilation[d] = s < 0 ? 1 : dilations[s];
            if (s < 0) continue;
            long size = in[2 + d];
            switch (autoPad) {
                case "SAME_UPPER", "SAME_LOWER" -> {
                    long out = (size + stride[d] - 1) / stride[d];
                    long total = Math.max(0, (out - 1) * stride[d] + (kernel[d] - 1) * dilation[d] + 1 - size);
                    begin[d] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                    end[d] = total - begin[d];
                }
                case "VALID" -> {
                    begin[d] = 0;
                    end[d] = 0;
                }
                default -> {
                    begin[d] = pads[s];
                    end[d] = pads[s + spatial];
                }
            }
        }
        Tensor padded = begin[0] == 0 && begin[1] == 0 && end[0] == 0 && end[1] == 0 ? x
                : torch.constant_pad_nd(x, begin[1], end[1], begin[0], end[0]);
        Tensor cols = torch.im2col(padded, kernel, dilation, new long[] {0, 0}, stride);
        return cols.transpose(1, 2).reshape(-1, cols.size(1));
    }

    /** Whether w's shape equals all but the last dimension of x. */
    private static boolean leads(Tensor w, Tensor x) {
        long[] ws = w.sizes().vec().get();
        long[] xs = x.sizes().vec().get();
        return ws.length == xs.length - 1 && java.util.Arrays.equals(ws, java.util.Arrays.copyOf(xs, ws.length));
    }

    private static long intAttr(NodeProto node, String name, long fallback) {
        for (AttributeProto a : node.getAttributeList()) if (a.getName().equals(name)) return a.getI();
        return fallback;
    }

    private static String stringAttr(NodeProto node, String name, String fallback) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) return a.getS().toStringUtf8();
        }
        return fallback;
    }

    private static long[] ints(NodeProto node, String name, int count, long fallback) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name) && a.getIntsCount() == count) {
                long[] out = new long[count];
                for (int i = 0; i < count; i++) out[i] = a.getInts(i);
                return out;
            }
        }
        long[] out = new long[count];
        java.util.Arrays.fill(out, fallback);
        return out;
    }

    private static int toInt(long v) {
        return Math.toIntExact(v);
    }
}
