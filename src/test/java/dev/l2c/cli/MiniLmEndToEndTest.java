package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.Tensor;
import dev.l2c.testing.MiniLm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real all-MiniLM-L6-v2 through the CLI, judged in ONNX Runtime on real sentences. */
@Tag("slow")
class MiniLmEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void eightBitsIsSixTimesSmallerAndKeepsTheEmbeddings() throws Exception {
        Path onnx = MiniLm.onnx();
        Path l2c = dir.resolve("m8.l2c");
        CliRunner c = CliRunner.run("compress", onnx.toString(), "-o", l2c.toString(), "--bits", "8");
        assertEquals(0, c.exit(), c.err());
        double ratio = (double) Files.size(onnx) / Files.size(l2c);
        System.out.printf("MiniLM --bits 8: %d -> %d bytes, ratio %.3f against the ONNX file%n", Files.size(onnx), Files.size(l2c), ratio);
        assertTrue(ratio >= 6.0, "ratio " + ratio);

        CliRunner v = CliRunner.run("verify", l2c.toString());
        assertEquals(0, v.exit(), v.err());
        CliRunner i = CliRunner.run("inspect", l2c.toString(), "--json");
        assertEquals(0, i.exit(), i.err());
        JsonNode json = new ObjectMapper().readTree(i.out());
        assertEquals(Files.size(l2c), json.get("fileBytes").asLong());
        assertTrue(json.get("tensors").size() > 36);

        Path out = dir.resolve("m8.onnx");
        CliRunner d = CliRunner.run("decompress", l2c.toString(), "-o", out.toString(), "--model", onnx.toString());
        assertEquals(0, d.exit(), d.err());
        List<String> sentences = MiniLm.sentences();
        float[][] reference = MiniLm.embed(onnx, sentences);
        float[][] compressed = MiniLm.embed(out, sentences);
        double cosine = MiniLm.meanCosine(reference, compressed);
        System.out.printf("MiniLM --bits 8: mean cosine %.5f over %d sentences%n", cosine, sentences.size());
        assertTrue(cosine >= 0.999, "mean cosine " + cosine);
    }

    @Test
    void losslessReproducesEveryWeight() throws Exception {
        Path onnx = MiniLm.onnx();
        Path l2c = dir.resolve("ml.l2c");
        CliRunner c = CliRunner.run("compress", onnx.toString(), "-o", l2c.toString(), "--lossless");
        assertEquals(0, c.exit(), c.err());
        System.out.printf("MiniLM --lossless: %d -> %d bytes (%.1f%% of the ONNX file)%n", Files.size(onnx), Files.size(l2c),
                100.0 * Files.size(l2c) / Files.size(onnx));
        Path out = dir.resolve("ml.onnx");
        CliRunner d = CliRunner.run("decompress", l2c.toString(), "-o", out.toString(), "--model", onnx.toString());
        assertEquals(0, d.exit(), d.err());
        Map<String, Tensor> before = byName(OnnxModel.read(onnx).floatInitializers());
        Map<String, Tensor> after = byName(OnnxModel.read(out).floatInitializers());
        assertEquals(before.keySet(), after.keySet());
        for (var e : before.entrySet()) {
            assertEquals(e.getValue().data(), after.get(e.getKey()).data(), e.getKey());
        }
    }

    private static Map<String, Tensor> byName(List<Tensor> ts) {
        return ts.stream().collect(Collectors.toMap(Tensor::name, Function.identity()));
    }
}
