package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import dev.l2c.testing.Fmnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The baseline options of {@code l2c compress}: --sparsity and --method, their checks and their reports. */
class BaselineCliTest {
    @TempDir
    static Path dir;

    static Path model;

    @BeforeAll
    static void writeModel() throws Exception {
        Random rnd = new Random(11);
        float[] a = new float[128 * 96];
        float[] b = new float[64 * 64];
        for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextGaussian() * 0.04);
        for (int i = 0; i < b.length; i++) b[i] = (float) (rnd.nextGaussian() * 0.1);
        model = dir.resolve("m.safetensors");
        SafetensorsFile.write(model, List.of(Tensor.ofFloats("fc1.weight", new long[] {128, 96}, a),
                Tensor.ofFloats("fc2.weight", new long[] {64, 64}, b)), Map.of(), false);
    }

    private static CliRunner compress(String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "compress";
        args[1] = model.toString();
        args[2] = "-o";
        args[3] = dir.resolve("x.l2c").toString();
        System.arraycopy(extra, 0, args, 4, extra.length);
        return CliRunner.run(args);
    }

    private static void assertUsageError(String option, String... args) {
        CliRunner r = compress(args);
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains(option), option + ": " + r.err());
    }

    @Test
    void optionsAreCheckedNamingTheOption() {
        assertUsageError("--sparsity", "--ratio", "10", "--sparsity", "0.5");
        assertUsageError("--sparsity", "--lossless", "--sparsity", "0.5");
        assertUsageError("--sparsity", "--bits", "4", "--sparsity", "1");
        assertUsageError("--sparsity", "--bits", "4", "--sparsity", "-0.1");
        assertUsageError("--method", "--bits", "4", "--method", "prune");
        assertUsageError("--method", "--ratio", "10", "--method", "magnitude");
        assertUsageError("--per-channel", "--ratio", "10", "--method", "prune", "--per-channel");
        assertUsageError("--steps", "--ratio", "10", "--method", "uniform", "--steps", "5");
        assertUsageError("--kernel", "--ratio", "10", "--method", "uniform", "--kernel", "cos");
        assertUsageError("--calib", "--ratio", "10", "--method", "gptq");
        assertUsageError("--per-channel", "--ratio", "10", "--method", "gptq", "--calib", "fmnist", "--per-channel");
        assertUsageError("--objective", "--ratio", "10", "--method", "gptq", "--calib", "fmnist", "--objective", "kd");
        assertUsageError("--kd-steps", "--ratio", "10", "--method", "gptq", "--calib", "fmnist", "--kd-steps", "5");
        assertUsageError("--calib-size", "--ratio", "10", "--method", "gptq", "--calib", "fmnist", "--calib-size", "0");
        assertUsageError("--calib", "--ratio", "10", "--method", "gptq", "--calib", "imagenet");
        assertUsageError("--calib", "--ratio", "10", "--method", "uniform", "--calib", "fmnist");
        assertUsageError("--method", "--bits", "4", "--method", "gptq");
        assertFalse(Files.exists(dir.resolve("x.l2c")));
    }

    @Test
    void gptqNeedsAnOnnxModel() {
        Fmnist.assumeData();
        Path out = dir.resolve("g.l2c");
        CliRunner r = CliRunner.run("compress", model.toString(), "-o", out.toString(), "--ratio", "10", "--method", "gptq",
                "--calib", "fmnist");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("--method gptq needs an ONNX model"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void uniformPerChannelReportsItsStepFactorInTheBand() throws Exception {
        Path out = dir.resolve("u.l2c");
        Path json = dir.resolve("u.json");
        CliRunner r = CliRunner.run("compress", model.toString(), "-o", out.toString(), "--ratio", "9", "--method", "uniform",
                "--per-channel", "--report", json.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("uniform baseline, target 9.00x: step "), r.out());
        assertTrue(r.out().contains("per channel"), r.out());
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertTrue(j.get("reached").asBoolean() && j.get("perChannel").asBoolean(), j.toString());
        double ratio = 4.0 * (128 * 96 + 64 * 64) / Files.size(out);
        assertTrue(ratio >= 9 && ratio <= 9 / 0.99, "ratio " + ratio);
        JsonNode attributes = new ObjectMapper().readTree(CliRunner.run("inspect", out.toString(), "--json").out()).get("attributes");
        assertEquals(j.get("stepFactor").asDouble(), attributes.get("step-factor").asDouble());
        assertEquals("ratio=9.0,method=uniform,per-channel", attributes.get("mode").asText());
    }

    @Test
    void bitsWithSparsityReportsTheZeros() {
        CliRunner r = compress("--bits", "5", "--sparsity", "0.7", "--force");
        assertEquals(0, r.exit(), r.err());
        // Both quantized rows show at least 70 % zeros.
        long rows = r.out().lines().filter(l -> l.startsWith("fc")).filter(l -> {
            String zeros = l.trim().substring(l.trim().lastIndexOf(' ') + 1).replace("%", "");
            return Double.parseDouble(zeros) >= 70.0;
        }).count();
        assertEquals(2, rows, r.out());
    }

    @Test
    void pruneWritesTheChoiceToTheReportAndTheFile() throws Exception {
        Path out = dir.resolve("p.l2c");
        Path json = dir.resolve("p.json");
        CliRunner r = CliRunner.run("compress", model.toString(), "-o", out.toString(), "--ratio", "9", "--method", "prune",
                "--report", json.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("prune baseline, target 9.00x"), r.out());
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertEquals("prune", j.get("method").asText());
        assertTrue(j.get("reached").asBoolean(), j.toString());
        int bits = j.get("bits").asInt();
        double sparsity = j.get("sparsity").asDouble();
        assertEquals(5, j.get("candidates").size());
        assertEquals(Files.size(out), j.get("fileBytes").asLong());
        CliRunner inspect = CliRunner.run("inspect", out.toString(), "--json");
        assertEquals(0, inspect.exit(), inspect.err());
        JsonNode attributes = new ObjectMapper().readTree(inspect.out()).get("attributes");
        assertEquals("prune", attributes.get("method").asText());
        assertEquals(bits, attributes.get("bits").asInt());
        assertEquals(sparsity, attributes.get("sparsity").asDouble());
        Path back = dir.resolve("p.safetensors");
        assertEquals(0, CliRunner.run("decompress", out.toString(), "-o", back.toString()).exit());
        assertTrue(Files.size(back) > 4L * (128 * 96 + 64 * 64));
    }
}
