package dev.l2c.calib;

import dev.l2c.L2cException;
import dev.l2c.eval.TextTokenizer;
import dev.l2c.eval.TokenBatch;
import dev.l2c.graph.Tensors;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.TensorProto;
import dev.l2c.model.onnx.proto.ValueInfoProto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;

/**
 * Sentences for a BERT-style encoder, tokenized once with the model's tokenizer: each batch is
 * padded on the right to its longest sentence, with the attention mask (also the position weights
 * of the KD loss, so padding never counts) and all-zero token types.
 */
public final class TextCalibrationData implements CalibrationData {
    /** The inputs an encoder may take; input_ids is required. */
    private static final Set<String> KNOWN = Set.of("input_ids", "attention_mask", "token_type_ids");
    private static final String DATA_SHAPE = "int64 input_ids, attention_mask, token_type_ids [N, tokens]";

    private final String name;
    private final List<String> inputs;
    /** Each sentence's token ids, unpadded: its attention mask is ones over them. */
    private final long[][] ids;

    private TextCalibrationData(String name, List<String> inputs, long[][] ids) {
        this.name = name;
        this.inputs = inputs;
        this.ids = ids;
    }

    /**
     * Checks that the model's inputs are input_ids (required), attention_mask and token_type_ids,
     * each int64 of rank 2, and returns their names; otherwise an L2cException names the model's
     * inputs and their shapes and the data's.
     */
    public static List<String> check(String name, GraphProto graph) throws L2cException {
        List<ValueInfoProto> declared = ModelInputs.of(graph);
        List<String> names = new ArrayList<>();
        boolean ok = declared.stream().anyMatch(v -> v.getName().equals("input_ids"));
        for (ValueInfoProto v : declared) {
            names.add(v.getName());
            ok &= KNOWN.contains(v.getName()) && ModelInputs.elementType(v) == TensorProto.DataType.INT64_VALUE
                    && ModelInputs.fits(v, new long[] {-1, -1});
        }
        if (!ok) {
            StringBuilder b = new StringBuilder();
            for (ValueInfoProto v : declared) b.append(b.length() == 0 ? "" : ", ").append(v.getName()).append(' ').append(ModelInputs.describe(v));
            throw new L2cException("calibration data " + name + " does not fit the model: its inputs are " + (declared.isEmpty() ? "none" : b)
                    + ", the data gives " + DATA_SHAPE);
        }
        return names;
    }

    /** {@code sentences} tokenized with {@code tokenizer} (truncated to its limit) for the model's inputs. */
    public static TextCalibrationData bind(String name, GraphProto graph, TextTokenizer tokenizer, List<String> sentences)
            throws L2cException {
        List<String> inputs = check(name, graph);
        TokenBatch b = tokenizer.encode(sentences);
        long[][] ids = new long[sentences.size()][];
        for (int i = 0; i < ids.length; i++) ids[i] = b.idsOf(i);
        return new TextCalibrationData(name, inputs, ids);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return ids.length;
    }

    @Override
    public Map<String, Tensor> inputs(int[] indices) {
        int length = longest(indices);
        int n = indices.length;
        long[] id = new long[n * length];
        long[] mask = new long[n * length];
        for (int r = 0; r < n; r++) {
            long[] s = ids[indices[r]];
            System.arraycopy(s, 0, id, r * length, s.length);
            java.util.Arrays.fill(mask, r * length, r * length + s.length, 1L);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String in : inputs) {
            long[] values = switch (in) {
                case "input_ids" -> id;
                case "attention_mask" -> mask;
                default -> new long[n * length];
            };
            out.put(in, Tensors.fromLongs(values, n, length));
        }
        return out;
    }

    @Override
    public Tensor labels(int[] indices) {
        return null;
    }

    @Override
    public Tensor positionWeights(int[] indices) {
        int length = longest(indices);
        float[] w = new float[indices.length * length];
        for (int r = 0; r < indices.length; r++) {
            for (int t = 0; t < ids[indices[r]].length; t++) w[r * length + t] = 1;
        }
        return Tensors.fromFloats(w, indices.length, length);
    }

    private int longest(int[] indices) {
        int length = 1;
        for (int i : indices) length = Math.max(length, ids[i].length);
        return length;
    }
}
