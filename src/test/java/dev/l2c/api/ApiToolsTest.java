package dev.l2c.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.testing.Fmnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API behind {@code l2c compare}, {@code eval}, {@code zoo train} and {@code chart}. */
class ApiToolsTest {
    private static final Path RESNET = Path.of("src/test/resources/models/fmnist-resnet.onnx");

    @TempDir
    Path dir;

    @Test
    void weightErrorsAreZeroWhenLosslessAndPositiveWhenQuantized() throws Exception {
        Path lossless = dir.resolve("lossless.l2c");
        Compression.lossless().compress(RESNET, lossless);
        Path coarse = dir.resolve("b3.l2c");
        Compression.bits(3).compress(RESNET, coarse);
        try (L2cFile exact = L2cFile.open(lossless); L2cFile quantized = L2cFile.open(coarse)) {
            WeightErrors none = exact.compareWith(RESNET);
            WeightErrors some = quantized.compareWith(RESNET);
            assertFalse(none.tensors().isEmpty());
            assertEquals(none.tensors().size(), some.tensors().size());
            assertEquals(0.0, none.distortion());
            assertTrue(some.distortion() > 0, "distortion " + some.distortion());
            double sum = some.tensors().stream().mapToDouble(WeightErrors.TensorError::relativeError).sum();
            assertEquals(some.distortion(), sum, 1e-12);
            assertTrue(some.report().text().contains("data-free distortion"), some.report().text());
            assertTrue(some.report().json().contains("\"distortion\""), some.report().json());
        }
        // Another model's file: the missing tensor is named.
        Path vgg = Path.of("src/test/resources/models/fmnist-vgg.onnx");
        try (L2cFile file = L2cFile.open(coarse)) {
            L2cException e = assertThrows(L2cException.class, () -> file.compareWith(vgg));
            assertTrue(e.getMessage().contains(coarse.toString()) && e.getMessage().contains("has no tensor"), e.getMessage());
        }
    }

    @Test
    void evaluationDecodesInMemoryToTheFiguresOfTheDecompressedModel() throws Exception {
        Fmnist.assumeData();
        Path l2c = dir.resolve("r.l2c");
        Compression.bits(3).compress(RESNET, l2c);
        Path onnx = dir.resolve("r.onnx");
        Decompression.toOnnx().decompress(l2c, onnx);
        Evaluation evaluation = Evaluation.fashionMnist().threads(2);
        ClassificationEvaluation inMemory = assertInstanceOf(ClassificationEvaluation.class, evaluation.evaluate(l2c, RESNET));
        ClassificationEvaluation fromFile = assertInstanceOf(ClassificationEvaluation.class, evaluation.evaluate(onnx, RESNET));
        assertEquals(10_000, inMemory.images());
        assertEquals(fromFile.scores().accuracy(), inMemory.scores().accuracy());
        assertEquals(fromFile.scores().agreement(), inMemory.scores().agreement());
        assertTrue(inMemory.scores().agreement() < 1, "3 bits change some predictions");
        assertEquals(Files.size(l2c), inMemory.modelBytes());
        assertEquals(Files.size(RESNET) / (double) Files.size(l2c), inMemory.ratio(), 1e-12);
        assertTrue(inMemory.decodeSeconds() > 0);
        assertEquals(0.0, fromFile.decodeSeconds());
        assertTrue(inMemory.report().text().contains("no file written"), inMemory.report().text());
        // Nothing was decoded to disk beside the file.
        try (var files = Files.list(dir)) {
            assertEquals(List.of("r.l2c", "r.onnx"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void evaluationRefusesOtherFilesAndSettingsOfTheOtherTask() throws Exception {
        Path text = Files.writeString(dir.resolve("model.txt"), "x");
        L2cException e = assertThrows(L2cException.class, () -> Evaluation.fashionMnist().evaluate(text, RESNET));
        assertTrue(e.getMessage().contains("model.txt"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Evaluation.fashionMnist().synsets(10));
        assertThrows(IllegalArgumentException.class, () -> Evaluation.fashionMnist().tokenizer(text));
        assertThrows(IllegalArgumentException.class, () -> Evaluation.wordNet().synsets(0));
        assertThrows(IllegalArgumentException.class, () -> Evaluation.wordNet().threads(-1));
    }

    @Test
    void zooTrainingChecksItsSettings() {
        assertEquals(List.of("fmnist-resnet", "fmnist-mobilenet", "fmnist-vgg", "fmnist-vit"), ZooTraining.models());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZooTraining.of("imagenet-resnet"));
        assertTrue(e.getMessage().contains("fmnist-vit"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ZooTraining.of("fmnist-vgg").resnetBlocks(2));
        assertThrows(IllegalArgumentException.class, () -> ZooTraining.of("fmnist-resnet").resnetBlocks(0));
        assertThrows(IllegalArgumentException.class, () -> ZooTraining.of("fmnist-resnet").batch(1));
        assertThrows(IllegalArgumentException.class, () -> ZooTraining.of("fmnist-resnet").epochs(0));
        ZooTraining t = ZooTraining.of("fmnist-resnet").dataDir(dir);
        assertTrue(t.dataFiles().stream().allMatch(p -> p.startsWith(dir)), t.dataFiles().toString());
        L2cException missing = assertThrows(L2cException.class, () -> t.train(dir.resolve("m.onnx")));
        assertTrue(missing.getMessage().contains(dir.toString()), missing.getMessage());
        assertFalse(Files.exists(dir.resolve("m.onnx")));
    }

    @Test
    void chartReadsTheCsvAndWritesPng() throws Exception {
        Path csv = Files.write(dir.resolve("r.csv"), List.of("method,ratio,value", "fp32,1,0.92", "l2,10,0.91", "l2,20,0.85",
                "uniform,10,0.80"));
        Chart chart = Chart.fromCsv(csv).title("t").axisLabels("x", "y").size(400, 300).reference("fp32");
        assertEquals(4, chart.points());
        assertEquals(3, chart.methods());
        Path png = dir.resolve("r.png");
        chart.writePng(png, false);
        byte[] head = Files.readAllBytes(png);
        assertEquals((byte) 0x89, head[0]);
        assertEquals('P', head[1]);
        assertThrows(dev.l2c.OutputExistsException.class, () -> chart.writePng(png, false));
        assertThrows(IllegalArgumentException.class, () -> chart.reference("l2"));
        assertThrows(IllegalArgumentException.class, () -> chart.size(10, 300));
        assertThrows(IllegalArgumentException.class, () -> chart.writePng(dir.resolve("r.jpg"), false));
    }
}
