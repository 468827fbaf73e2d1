package dev.l2c.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.eval.TextTokenizer;
import dev.l2c.graph.GraphBuilder;
import dev.l2c.graph.OnnxExecutor;
import dev.l2c.graph.Tensors;
import dev.l2c.graph.Torch;
import dev.l2c.model.DType;
import dev.l2c.model.OnnxModel;
import dev.l2c.testing.MiniLm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text calibration data on a small encoder-shaped graph (token table, projection, residual):
 * batches padded to their own longest sentence, the teacher cache padded to the longest of all,
 * padding outside every loss and outside the layer statistics.
 */
class TextCalibrationTest {
    @TempDir
    static Path dir;

    static OnnxModel model;
    static TextCalibrationData data;
    static final List<String> SENTENCES = List.of("a dog", "a domestic animal that barks and is kept as a pet by many people",
            "cat", "the act of running quickly on foot", "small", "a large body of salt water that covers most of the earth");

    @BeforeAll
    static void setUp() throws Exception {
        Torch.configure(1);
        Path tokenizer = MiniLm.tokenizer();
        Assumptions.assumeTrue(Files.isRegularFile(tokenizer), "MiniLM tokenizer not fetched");
        Random rnd = new Random(3);
        GraphBuilder b = new GraphBuilder("encoder");
        b.input("input_ids", DType.I64, -1, -1);
        b.input("attention_mask", DType.I64, -1, -1);
        b.initializer("table", gaussian(rnd, 30522 * 8), 30522, 8);
        b.initializer("proj", gaussian(rnd, 8 * 8), 8, 8);
        String e = b.node("Gather", List.of("table", "input_ids"));
        String p = b.node("MatMul", List.of(e, "proj"));
        String r = b.node("Relu", List.of(p));
        b.node("Add", List.of(r, e), List.of("hidden"));
        b.output("hidden", DType.F32, -1, -1, 8);
        model = OnnxModel.read(b.write(dir.resolve("encoder.onnx")));
        try (TextTokenizer t = TextTokenizer.open(tokenizer)) {
            data = TextCalibrationData.bind("text", model.proto().getGraph(), t, SENTENCES);
        }
    }

    @Test
    void batchesArePaddedToTheirLongestWithTheMaskAsWeights() {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> in = data.inputs(new int[] {0, 2});
            assertEquals(List.of("input_ids", "attention_mask"), List.copyOf(in.keySet()));
            long[] shape = Tensors.shape(in.get("input_ids"));
            assertEquals(2, shape[0]);
            // "a dog": [CLS] a dog [SEP]; "cat": [CLS] cat [SEP]
            assertEquals(4, shape[1]);
            assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1, 1, 0}, Tensors.toLongs(in.get("attention_mask")));
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 0}, Tensors.toFloats(data.positionWeights(new int[] {0, 2})));
            assertEquals(null, data.labels(new int[] {0}));
        }
    }

    @Test
    void teacherCacheGrowsAcrossBatchesAndPaddingNeverCounts() throws Exception {
        CalibrationClock clock = new CalibrationClock();
        try (OnnxExecutor ex = OnnxExecutor.of(model);
                Distillation d = Distillation.prepare(ex, data, 1, 2, clock, null)) {
            assertEquals(List.of("hidden"), d.outputs());
            assertTrue(!d.classifier());
            try (PointerScope scope = new PointerScope()) {
                // The original weights: no error whatever the padding of the batch.
                Distillation.Loss zero = d.student(new int[] {4, 1, 2}, new Distillation.Weights(1, 1, 1));
                assertEquals(0, zero.output(), 1e-12);
                assertTrue(Double.isNaN(zero.crossEntropy()), "no labels, no cross-entropy");
                // A changed projection: the error of a short sentence is the same alone and padded next to a long one.
                Tensor proj = ex.initializer("proj").mul(new org.bytedeco.pytorch.Scalar(1.5));
                ex.setInitializer("proj", proj);
                double alone = d.student(new int[] {2}, new Distillation.Weights(1, 0, 0)).output();
                double mixed = d.student(new int[] {2, 2}, new Distillation.Weights(1, 0, 0)).output();
                assertEquals(alone, mixed, 1e-6 * alone);
                double padded = d.student(new int[] {2, 1}, new Distillation.Weights(1, 0, 0)).output();
                double other = d.student(new int[] {1}, new Distillation.Weights(1, 0, 0)).output();
                // Weighted by tokens: "cat" has 3, the long sentence more.
                long cat = Tensors.shape(data.inputs(new int[] {2}).get("input_ids"))[1];
                long longOne = Tensors.shape(data.inputs(new int[] {1}).get("input_ids"))[1];
                assertEquals((alone * cat + other * longOne) / (cat + longOne), padded, 1e-6 * padded);
            }
        }
    }

    @Test
    void layerStatisticsLeavePaddingOut() throws Exception {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("table", new long[] {30522, 8});
        shapes.put("proj", new long[] {8, 8});
        try (OnnxExecutor ex = OnnxExecutor.of(model);
                LayerStatistics padded = new LayerStatistics(model.proto().getGraph(), shapes);
                LayerStatistics single = new LayerStatistics(model.proto().getGraph(), shapes);
                PointerScope scope = new PointerScope()) {
            assertTrue(padded.fallbacks().get("table").contains("Gather"));
            int[] batch = {0, 1, 2};
            padded.rowWeights(data.positionWeights(batch));
            ex.run(data.inputs(batch), List.of("hidden"), padded::node);
            for (int i : batch) ex.run(data.inputs(new int[] {i}), List.of("hidden"), single::node);
            double[] a = Tensors.toDoubles(padded.grams().get("proj").h());
            double[] b = Tensors.toDoubles(single.grams().get("proj").h());
            // Each batch's product is float32: equal up to its rounding.
            for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-6 * Math.abs(b[i]) + 1e-6);
        }
    }

    @Test
    void aModelWithOtherInputsIsRefused() throws Exception {
        GraphBuilder b = new GraphBuilder("image");
        b.input("image", DType.F32, -1, 1, 28, 28);
        b.initializer("w", new float[2048], 2048);
        b.node("Relu", List.of("image"), List.of("out"));
        b.output("out", DType.F32);
        OnnxModel m = OnnxModel.read(b.write(dir.resolve("image.onnx")));
        L2cException e = assertThrows(L2cException.class, () -> TextCalibrationData.check("wordnet", m.proto().getGraph()));
        assertTrue(e.getMessage().contains("image float [batch, 1, 28, 28]") && e.getMessage().contains("input_ids"), e.getMessage());
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return v;
    }
}
