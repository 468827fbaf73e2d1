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

    /** Compresses MiniLM with {@code options}, checks it, and returns {ratio against the ONNX file, mean cosine}. */
    private double[] roundTrip(String name, String... options) throws Exception {
        Path onnx = MiniLm.onnx();
        Path l2c = dir.resolve(name + ".l2c");
        String[] args = new String[options.length + 4];
        System.arraycopy(new String[] {"compress", onnx.toString(), "-o", l2c.toString()}, 0, args, 0, 4);
        System.arraycopy(options, 0, args, 4, options.length);
        CliRunner c = CliRunner.run(args);
        assertEquals(0, c.exit(), c.err());
        CliRunner v = CliRunner.run("verify", l2c.toString());
        assertEquals(0, v.exit(), v.err());
        Path out = dir.resolve(name + ".onnx");
        CliRunner d = CliRunner.run("decompress", l2c.toString(), "-o", out.toString(), "--model", onnx.toString());
        assertEquals(0, d.exit(), d.err());
        List<String> sentences = MiniLm.sentences();
        double cosine = MiniLm.meanCosine(MiniLm.embed(onnx, sentences), MiniLm.embed(out, sentences));
        double ratio = (double) Files.size(onnx) / Files.size(l2c);
        System.out.printf("MiniLM %s: %d -> %d bytes, ratio %.3f against the ONNX file, mean cosine %.5f over %d sentences%n",
                String.join(" ", options), Files.size(onnx), Files.size(l2c), ratio, cosine, sentences.size());
        return new double[] {ratio, cosine};
    }

    /**
     * Per-tensor 8-bit symbols reach the ratio the entropy allows, but six FFN output projections
     * (max |w| up to 175x their RMS) lose most of their precision to a step set by outliers.
     */
    @Test
    void eightBitsPerTensorIsSixTimesSmaller() throws Exception {
        double[] r = roundTrip("m8", "--bits", "8");
        assertTrue(r[0] >= 6.0, "ratio " + r[0]);
        assertTrue(r[1] >= 0.96, "mean cosine " + r[1]);
    }

    /** One step per row keeps the embeddings; the wider alphabets cost ratio. */
    @Test
    void eightBitsPerChannelKeepsTheEmbeddings() throws Exception {
        double[] r = roundTrip("m8c", "--bits", "8", "--per-channel");
        assertTrue(r[1] >= 0.999, "mean cosine " + r[1]);
        assertTrue(r[0] >= 4.0, "ratio " + r[0]);
    }

    @Test
    void demoPrintsItsTable() throws Exception {
        MiniLm.onnx();
        CliRunner r = CliRunner.run("demo", "--model", MiniLm.onnx().toString(), "--work", dir.resolve("demo").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("bits 8 per-channel") && r.out().contains("lossless"), r.out());
        assertTrue(Files.isRegularFile(dir.resolve("demo").resolve("minilm-lossless.onnx")));
    }

    @Test
    void inspectJsonAddsUp() throws Exception {
        Path onnx = MiniLm.onnx();
        Path l2c = dir.resolve("m6.l2c");
        assertEquals(0, CliRunner.run("compress", onnx.toString(), "-o", l2c.toString(), "--bits", "6").exit());
        CliRunner i = CliRunner.run("inspect", l2c.toString(), "--json");
        assertEquals(0, i.exit(), i.err());
        JsonNode json = new ObjectMapper().readTree(i.out());
        assertEquals(Files.size(l2c), json.get("fileBytes").asLong());
        long stored = 0;
        for (JsonNode t : json.get("tensors")) stored += t.get("storedBytes").asLong();
        assertEquals(Files.size(l2c), stored, "per-tensor stored bytes add up to the file");
        assertEquals(101, json.get("tensors").size());
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
