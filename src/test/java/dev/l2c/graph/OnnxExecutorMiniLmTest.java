package dev.l2c.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.eval.TextTokenizer;
import dev.l2c.eval.TokenBatch;
import dev.l2c.model.OnnxModel;
import dev.l2c.testing.MiniLm;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real all-MiniLM-L6-v2 (opset 11, BERT operators) run by the executor against ONNX Runtime. */
class OnnxExecutorMiniLmTest {
    private static final String HIDDEN = "last_hidden_state";
    private static Path model;
    private static OnnxExecutor exec;
    private static OrtReference.Session ort;
    private static TextTokenizer tokenizer;

    @BeforeAll
    static void open() throws Exception {
        model = MiniLm.onnx();
        exec = OnnxExecutor.of(OnnxModel.read(model));
        ort = new OrtReference.Session(model);
        tokenizer = TextTokenizer.open(MiniLm.tokenizer());
    }

    @AfterAll
    static void close() throws Exception {
        if (exec != null) exec.close();
        if (ort != null) ort.close();
        if (tokenizer != null) tokenizer.close();
    }

    private static TokenBatch tokens(List<String> sentences) throws Exception {
        return tokenizer.encode(sentences);
    }

    private static List<OrtReference.Feed> feeds(TokenBatch batch) {
        long[] shape = batch.shape();
        return List.of(
                OrtReference.Feed.longs("input_ids", batch.ids(), shape),
                OrtReference.Feed.longs("attention_mask", batch.attentionMask(), shape),
                OrtReference.Feed.longs("token_type_ids", batch.typeIds(), shape));
    }

    @Test
    void lastHiddenStateMatchesOnnxRuntimeWithPadding() throws Exception {
        TokenBatch batch = tokens(List.of(
                "The quick brown fox jumps over the lazy dog.",
                "Entropy coding stores each symbol with a number of bits close to its information content.",
                "Rain."));
        assertTrue(batch.tokensOf(2) < batch.length(), "the batch must be padded");
        List<OrtReference.Feed> feeds = feeds(batch);
        double[] expected = ort.run(feeds).get(HIDDEN);
        assertEquals(List.of("input_ids", "attention_mask", "token_type_ids"), exec.inputNames());
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> in = Map.of("input_ids", feeds.get(0).torch(), "attention_mask", feeds.get(1).torch(),
                    "token_type_ids", feeds.get(2).torch());
            Tensor hidden = exec.run(in, List.of(HIDDEN)).get(HIDDEN);
            assertArrayEquals(new long[] {3, batch.length(), 384}, Tensors.shape(hidden));
            double rel = OrtReference.relativeMaxDiff(Tensors.toDoubles(hidden), expected);
            assertTrue(rel <= 1e-4, "relative max difference " + rel);
        }
    }

    /** Another batch size and sequence length through the same executor: shapes are computed, not fixed. */
    @Test
    void batchSizeAndLengthAreFree() throws Exception {
        TokenBatch batch = tokens(List.of("A model that is ten times smaller can be shipped to phones and browsers."));
        List<OrtReference.Feed> feeds = feeds(batch);
        double[] expected = ort.run(feeds).get(HIDDEN);
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> in = Map.of("input_ids", feeds.get(0).torch(), "attention_mask", feeds.get(1).torch(),
                    "token_type_ids", feeds.get(2).torch());
            Tensor hidden = exec.run(in, List.of(HIDDEN)).get(HIDDEN);
            assertArrayEquals(new long[] {1, batch.length(), 384}, Tensors.shape(hidden));
            assertTrue(OrtReference.relativeMaxDiff(Tensors.toDoubles(hidden), expected) <= 1e-4);
        }
    }

    /** A weight replaced by a live leaf gets a gradient through attention, LayerNorm and GELU (Erf). */
    @Test
    void gradientsFlowThroughTheEncoder() throws Exception {
        TokenBatch batch = tokens(List.of("She bought fresh bread.", "The river flooded the valley."));
        List<OrtReference.Feed> feeds = feeds(batch);
        String weight = exec.floatInitializerNames().stream()
                .filter(n -> n.startsWith("onnx::MatMul")).findFirst().orElseThrow();
        try (PointerScope scope = new PointerScope()) {
            Tensor w = exec.initializer(weight).clone().set_requires_grad(true);
            exec.setInitializer(weight, w);
            Map<String, Tensor> in = Map.of("input_ids", feeds.get(0).torch(), "attention_mask", feeds.get(1).torch(),
                    "token_type_ids", feeds.get(2).torch());
            Tensor hidden = exec.run(in, List.of(HIDDEN)).get(HIDDEN);
            hidden.mul(hidden).sum().backward();
            float[] grad = Tensors.toFloats(w.grad());
            double norm = 0;
            for (float g : grad) norm += (double) g * g;
            assertTrue(norm > 0 && Double.isFinite(norm), "gradient norm " + norm);
        } finally {
            exec.resetInitializer(weight);
        }
    }
}
