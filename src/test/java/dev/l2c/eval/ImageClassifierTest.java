package dev.l2c.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.data.FashionMnist;
import dev.l2c.data.ImageSet;
import dev.l2c.graph.GraphBuilder;
import dev.l2c.model.DType;
import dev.l2c.zoo.FmnistResNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime classification plumbing on an untrained network and on models of the wrong shape. */
class ImageClassifierTest {
    private static final long[] FMNIST = {1, 28, 28};
    private static ImageSet images;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws L2cException {
        Assumptions.assumeTrue(Files.isRegularFile(FashionMnist.DEFAULT_DIR.resolve("t10k-labels-idx1-ubyte.gz")),
                "dataset-fashion-mnist not installed");
        images = FashionMnist.test(FashionMnist.DEFAULT_DIR).batch(0, 600);
    }

    @Test
    void untrainedNetworkRunsInBatchesAndScoresNearChance() throws Exception {
        Path model = GraphBuilder.write(FmnistResNet.build(1, 3), dir.resolve("untrained.onnx"));
        int[] all;
        int[] done = new int[1];
        try (ImageClassifier c = ImageClassifier.open(model, FMNIST, 10, 256, 2)) {
            assertEquals("image", c.inputName());
            all = c.predict(images, n -> done[0] += n);
        }
        assertEquals(600, done[0]);
        // Batches of 256 and a last one of 88 give the same predictions as one image at a time.
        try (ImageClassifier one = ImageClassifier.open(model, FMNIST, 10, 1, 1)) {
            int[] single = one.predict(images.batch(500, 600), n -> {});
            for (int i = 0; i < 100; i++) assertEquals(all[500 + i], single[i], "image " + (500 + i));
        }
        ClassificationResult r = Evaluator.score(images, all, all, 0);
        assertEquals(1.0, r.agreement());
        assertTrue(r.accuracy() < 0.4, "an untrained network should be near chance, got " + r.accuracy());
    }

    @Test
    void modelOfAnotherInputShapeIsRejectedBeforeRunning() throws Exception {
        Path rgb = model("rgb.onnx", DType.F32, -1, 3, 32, 32);
        L2cException e = assertThrows(L2cException.class, () -> ImageClassifier.open(rgb, FMNIST, 10, 256, 1));
        assertTrue(e.getMessage().contains("rgb.onnx") && e.getMessage().contains("'x'")
                && e.getMessage().contains("[N, 3, 32, 32]") && e.getMessage().contains("expected float [N, 1, 28, 28]"),
                e.getMessage());

        Path doubles = model("f64.onnx", DType.F64, -1, 1, 28, 28);
        e = assertThrows(L2cException.class, () -> ImageClassifier.open(doubles, FMNIST, 10, 256, 1));
        assertTrue(e.getMessage().contains("'x' is double") && e.getMessage().contains("expected float"), e.getMessage());

        Path flat = model("flat.onnx", DType.F32, -1, 784);
        e = assertThrows(L2cException.class, () -> ImageClassifier.open(flat, FMNIST, 10, 256, 1));
        assertTrue(e.getMessage().contains("[N, 784]"), e.getMessage());
    }

    @Test
    void fixedBatchModelGetsAPaddedLastBatch() throws Exception {
        // Flatten + Gemm with a fixed batch of 7: 600 images are 85 full batches and one of 5.
        GraphBuilder b = new GraphBuilder("fixed");
        b.input("x", DType.F32, 7, 1, 28, 28);
        float[] w = new float[10 * 784];
        for (int c = 0; c < 10; c++) w[c * 784 + c] = 1; // class c scores pixel c of the first row
        b.initializer("w", w, 10, 784);
        String f = b.node("Flatten", List.of("x"), GraphBuilder.attr("axis", 1L));
        b.node("Gemm", List.of(f, "w"), List.of("y"), GraphBuilder.attr("transB", 1L));
        b.output("y", DType.F32, 7, 10);
        Path model = b.write(dir.resolve("fixed.onnx"));
        try (ImageClassifier c = ImageClassifier.open(model, FMNIST, 10, 256, 1)) {
            assertEquals(7, c.batchSize());
            int[] p = c.predict(images, n -> {});
            for (int i = 0; i < images.count(); i++) {
                assertEquals(argmaxOfFirstPixels(images, i), p[i], "image " + i);
            }
        }
    }

    private static int argmaxOfFirstPixels(ImageSet s, int image) {
        int best = 0;
        for (int c = 1; c < 10; c++) {
            if (s.images()[image * 784 + c] > s.images()[image * 784 + best]) best = c;
        }
        return best;
    }

    /** A model whose input "x" has the given type and shape (flattened to its output). */
    private Path model(String name, DType dtype, long... dims) throws L2cException {
        GraphBuilder b = new GraphBuilder("wrong");
        b.input("x", dtype, dims);
        String f = b.node("Flatten", List.of("x"), GraphBuilder.attr("axis", 1L));
        b.node("Identity", List.of(f), List.of("y"));
        b.output("y", dtype, -1, -1);
        return b.write(dir.resolve(name));
    }
}
