package dev.l2c.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.ModelProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real all-MiniLM-L6-v2 ONNX model: read its weights, rewrite some, run it in ONNX Runtime. */
class OnnxMiniLmTest {
    private static Path miniLm;

    @TempDir
    Path dir;

    @BeforeAll
    static void locate() {
        String models = System.getProperty("l2c.models", "target/models");
        miniLm = Path.of(models, "minilm", "all-minilm-l6-v2.onnx");
        assumeTrue(Files.isRegularFile(miniLm), "MiniLM not unpacked at " + miniLm);
    }

    @Test
    void countsFloatWeights() throws Exception {
        OnnxModel model = OnnxModel.read(miniLm);
        List<Tensor> floats = model.floatInitializers();
        long params = floats.stream().mapToLong(Tensor::numel).sum();
        System.out.printf("MiniLM: %d float initializers, %d parameters, %d initializers in all%n",
                floats.size(), params, model.allInitializers().size());
        assertTrue(floats.stream().allMatch(t -> t.dtype() == DType.F32));
        assertEquals(101, floats.size());
        assertEquals(22_565_376, params, "about 22.6 M parameters");
        long matMuls = floats.stream().filter(t -> t.name().startsWith("onnx::MatMul_") && t.rank() == 2).count();
        assertEquals(36, matMuls, "six layers of Q, K, V, output and two FFN projections");
        assertEquals(floats, ModelFiles.readWeights(miniLm).stream().filter(t -> t.dtype().isFloat()).toList());
        List<Tensor> streamed = OnnxModel.readFloatInitializers(miniLm);
        assertEquals(floats, streamed);
        assertTrue(streamed.stream().allMatch(t -> t.data().isDirect() && !t.data().isReadOnly()), "own native buffers");
    }

    @Test
    void rewritesTwoTensorsAndKeepsEverythingElse() throws Exception {
        OnnxModel original = OnnxModel.read(miniLm);
        List<Tensor> floats = original.floatInitializers();
        Tensor big = floats.stream().filter(t -> t.name().startsWith("onnx::MatMul_")).findFirst().orElseThrow();
        Tensor small = floats.stream().filter(t -> t.rank() == 1).findFirst().orElseThrow();
        Map<String, Tensor> replacements = Map.of(big.name(), negated(big), small.name(), negated(small));

        Path same = dir.resolve("same.onnx");
        original.write(same, Map.of(), false);
        assertArrayEquals(Files.readAllBytes(miniLm), Files.readAllBytes(same), "no replacements: identical bytes");

        Path out = dir.resolve("rewritten.onnx");
        original.write(out, replacements, false);
        OnnxModel rewritten = OnnxModel.read(out);
        Map<String, Tensor> after = byName(rewritten.floatInitializers());
        assertEquals(floats.size(), after.size());
        for (Tensor t : floats) {
            Tensor expected = replacements.getOrDefault(t.name(), t);
            assertEquals(expected, after.get(t.name()), t.name());
        }
        assertNotEquals(big, after.get(big.name()));

        // With the replaced initializers put back, the rewritten model is the original message.
        GraphProto.Builder graph = rewritten.proto().getGraph().toBuilder();
        GraphProto originalGraph = original.proto().getGraph();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            if (replacements.containsKey(graph.getInitializer(i).getName())) {
                graph.setInitializer(i, originalGraph.getInitializer(i));
            }
        }
        ModelProto restored = rewritten.proto().toBuilder().setGraph(graph).build();
        assertEquals(original.proto(), restored);
        assertArrayEquals(Files.readAllBytes(miniLm), restored.toByteArray());

        float[][][] reference = run(miniLm);
        float[][][] unchanged = run(same);
        assertEquals(0.0, maxAbsDiff(reference, unchanged), "same weights, same output");
        float[][][] changed = run(out);
        assertTrue(maxAbsDiff(reference, changed) > 1e-3, "negated weights change the output");
    }

    private static Tensor negated(Tensor t) {
        float[] v = t.toFloatArray();
        for (int i = 0; i < v.length; i++) v[i] = -v[i];
        return Tensor.ofFloats(t.name(), t.shape(), v);
    }

    private static Map<String, Tensor> byName(List<Tensor> tensors) {
        Map<String, Tensor> m = new HashMap<>();
        for (Tensor t : tensors) m.put(t.name(), t);
        return m;
    }

    /** last_hidden_state for one 8-token input ("[CLS] the quick brown fox jumps over [SEP]"). */
    private static float[][][] run(Path model) throws Exception {
        long[][] ids = {{101, 1996, 4248, 2829, 4419, 14523, 2058, 102}};
        long[][] mask = {{1, 1, 1, 1, 1, 1, 1, 1}};
        long[][] types = {{0, 0, 0, 0, 0, 0, 0, 0}};
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model.toString(), opts);
                    OnnxTensor a = OnnxTensor.createTensor(env, ids);
                    OnnxTensor b = OnnxTensor.createTensor(env, mask);
                    OnnxTensor c = OnnxTensor.createTensor(env, types);
                    OrtSession.Result r = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
                float[][][] out = (float[][][]) r.get(0).getValue();
                assertEquals(8, out[0].length);
                assertEquals(384, out[0][0].length);
                return out;
            }
        }
    }

    private static double maxAbsDiff(float[][][] a, float[][][] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                for (int k = 0; k < a[i][j].length; k++) max = Math.max(max, Math.abs(a[i][j][k] - b[i][j][k]));
            }
        }
        return max;
    }
}
