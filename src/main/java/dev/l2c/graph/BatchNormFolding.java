package dev.l2c.graph;

import dev.l2c.L2cException;
import dev.l2c.model.DType;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.Tensor;
import dev.l2c.model.onnx.proto.AttributeProto;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.ModelProto;
import dev.l2c.model.onnx.proto.NodeProto;
import dev.l2c.model.onnx.proto.TensorProto;
import dev.l2c.model.onnx.proto.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Folds inference-form BatchNormalization nodes into the Conv that feeds them, the usual export
 * step for deployment: with k = scale / sqrt(var + epsilon) per output channel, the convolution's
 * weight becomes W * k (along axis 0) and its bias (b - mean) * k + B. The network computes the same
 * function (up to float rounding) with fewer, larger tensors, so no per-channel vectors are left for
 * a compressor to store exactly.
 *
 * <p>A pair is folded only when it is safe: the Conv's output feeds this BatchNormalization alone
 * and is not a graph output, and the weight, the Conv bias (if any) and the four normalization
 * vectors are float32 initializers used by no other node. Everything else is left as it is.
 */
public final class BatchNormFolding {
    /** The rewritten model and how many BatchNormalization nodes were folded. */
    public record Result(ModelProto model, int folded) {}

    private static final float DEFAULT_EPSILON = 1e-5f;

    private BatchNormFolding() {}

    public static Result fold(OnnxModel model) throws L2cException {
        GraphProto graph = model.proto().getGraph();
        Map<String, TensorProto> initializers = new LinkedHashMap<>();
        for (TensorProto t : graph.getInitializerList()) initializers.put(t.getName(), t);
        Map<String, Integer> uses = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            for (String in : n.getInputList()) uses.merge(in, 1, Integer::sum);
        }
        Set<String> graphOutputs = new HashSet<>();
        for (ValueInfoProto v : graph.getOutputList()) graphOutputs.add(v.getName());
        Map<String, NodeProto> producer = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            for (String out : n.getOutputList()) producer.put(out, n);
        }

        Map<NodeProto, NodeProto> foldedConv = new HashMap<>(); // conv -> its replacement
        Set<NodeProto> removed = new HashSet<>();
        Set<String> dropped = new HashSet<>();
        Map<String, TensorProto> replaced = new HashMap<>();
        for (NodeProto bn : graph.getNodeList()) {
            if (!bn.getOpType().equals("BatchNormalization") || !bn.getDomain().isEmpty()) continue;
            if (bn.getInputCount() != 5 || bn.getOutputCount() != 1 || trainingMode(bn)) continue;
            NodeProto conv = producer.get(bn.getInput(0));
            if (conv == null || !conv.getOpType().equals("Conv") || !conv.getDomain().isEmpty()) continue;
            if (conv.getOutputCount() != 1 || graphOutputs.contains(conv.getOutput(0)) || uses.get(conv.getOutput(0)) != 1) continue;
            List<String> params = new ArrayList<>(bn.getInputList().subList(1, 5));
            params.add(conv.getInput(1));
            boolean hasBias = conv.getInputCount() > 2 && !conv.getInput(2).isEmpty();
            if (hasBias) params.add(conv.getInput(2));
            if (!params.stream().allMatch(p -> isPrivateFloat(p, initializers, uses))) continue;

            float[] scale = floats(model, initializers.get(bn.getInput(1)));
            float[] shift = floats(model, initializers.get(bn.getInput(2)));
            float[] mean = floats(model, initializers.get(bn.getInput(3)));
            float[] variance = floats(model, initializers.get(bn.getInput(4)));
            TensorProto weightProto = initializers.get(conv.getInput(1));
            float[] weight = floats(model, weightProto);
            int channels = scale.length;
            if (weightProto.getDimsCount() < 1 || weightProto.getDims(0) != channels || shift.length != channels
                    || mean.length != channels || variance.length != channels) {
                continue; // shapes that do not line up are the runtime's to report, not ours to guess
            }
            float[] bias = hasBias ? floats(model, initializers.get(conv.getInput(2))) : new float[channels];
            if (bias.length != channels) continue;
            float epsilon = epsilon(bn);
            int perChannel = weight.length / channels;
            for (int c = 0; c < channels; c++) {
                double k = scale[c] / Math.sqrt((double) variance[c] + epsilon);
                for (int i = c * perChannel; i < (c + 1) * perChannel; i++) weight[i] = (float) (weight[i] * k);
                bias[c] = (float) ((bias[c] - (double) mean[c]) * k + shift[c]);
            }
            String weightName = conv.getInput(1);
            String biasName = hasBias ? conv.getInput(2) : freshBiasName(weightName, initializers.keySet(), replaced.keySet());
            replaced.put(weightName, GraphBuilder.floatTensor(weightName, weight, dims(weightProto)));
            replaced.put(biasName, GraphBuilder.floatTensor(biasName, bias, channels));
            for (int p = 1; p < 5; p++) dropped.add(bn.getInput(p));
            NodeProto.Builder rewritten = conv.toBuilder().clearInput().addInput(conv.getInput(0)).addInput(weightName)
                    .addInput(biasName).setOutput(0, bn.getOutput(0));
            foldedConv.put(conv, rewritten.build());
            removed.add(bn);
        }
        if (removed.isEmpty()) return new Result(model.proto(), 0);

        GraphProto.Builder out = graph.toBuilder().clearNode().clearInitializer();
        for (NodeProto n : graph.getNodeList()) {
            if (removed.contains(n)) continue;
            out.addNode(foldedConv.getOrDefault(n, n));
        }
        Set<String> written = new HashSet<>();
        for (TensorProto t : graph.getInitializerList()) {
            if (dropped.contains(t.getName())) continue;
            out.addInitializer(replaced.getOrDefault(t.getName(), t));
            written.add(t.getName());
        }
        for (Map.Entry<String, TensorProto> e : replaced.entrySet()) {
            if (!written.contains(e.getKey())) out.addInitializer(e.getValue());
        }
        // Graph inputs that named the dropped initializers (older exporters list them) go too.
        List<ValueInfoProto> inputs = new ArrayList<>(graph.getInputList());
        inputs.removeIf(v -> dropped.contains(v.getName()));
        out.clearInput().addAllInput(inputs);
        return new Result(model.proto().toBuilder().setGraph(out).build(), removed.size());
    }

    /** "x.weight" gives "x.bias", anything else "<name>.bias"; a taken name gets a number. */
    private static String freshBiasName(String weight, Set<String> taken, Set<String> added) {
        String stem = weight.endsWith(".weight") ? weight.substring(0, weight.length() - ".weight".length()) : weight;
        String name = stem + ".bias";
        for (int i = 2; taken.contains(name) || added.contains(name); i++) name = stem + ".bias" + i;
        return name;
    }

    private static boolean trainingMode(NodeProto bn) {
        for (AttributeProto a : bn.getAttributeList()) {
            if (a.getName().equals("training_mode") && a.getI() != 0) return true;
        }
        return false;
    }

    private static float epsilon(NodeProto bn) {
        for (AttributeProto a : bn.getAttributeList()) {
            if (a.getName().equals("epsilon")) return a.getF();
        }
        return DEFAULT_EPSILON;
    }

    private static boolean isPrivateFloat(String name, Map<String, TensorProto> initializers, Map<String, Integer> uses) {
        TensorProto t = initializers.get(name);
        Optional<DType> dtype = t == null ? Optional.empty() : DType.fromOnnxCode(t.getDataType());
        return dtype.isPresent() && dtype.get() == DType.F32 && uses.getOrDefault(name, 0) == 1;
    }

    private static float[] floats(OnnxModel model, TensorProto t) throws L2cException {
        Tensor tensor = model.tensor(t);
        return tensor.toFloatArray();
    }

    private static long[] dims(TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }
}
