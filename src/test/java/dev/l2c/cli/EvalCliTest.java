package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.l2c.data.WordNet;
import dev.l2c.testing.MiniLm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code l2c eval} on the real MiniLM and WordNet. */
class EvalCliTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsData() {
        MiniLm.onnx();
        Assumptions.assumeTrue(Files.isRegularFile(WordNet.DEFAULT_DIR.resolve("data.noun")), "wordnet-base not installed");
    }

    @Test
    void originalAgainstItselfAsJson() throws Exception {
        String model = MiniLm.onnx().toString();
        CliRunner r = CliRunner.run("eval", model, "--model", model, "--data", "wordnet", "--n", "60", "--seed", "3", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("WORDNET", j.get("data").asText());
        assertEquals(60, j.get("n").asInt());
        assertEquals(3, j.get("seed").asLong());
        assertEquals(Files.size(MiniLm.onnx()), j.get("modelBytes").asLong());
        assertEquals(1.0, j.get("modelResult").get("meanCosine").asDouble(), 1e-6);
        assertTrue(j.get("modelResult").get("accuracyAt1").asDouble() > 0.3, r.out());
    }

    @Test
    @Tag("slow")
    void compressedModelAgainstTheOriginal() throws Exception {
        String model = MiniLm.onnx().toString();
        Path l2c = dir.resolve("m.l2c");
        assertEquals(0, CliRunner.run("compress", model, "-o", l2c.toString(), "--bits", "8").exit());
        CliRunner r = CliRunner.run("eval", l2c.toString(), "--model", model, "--data", "WordNet", "--n", "60");
        assertEquals(0, r.exit(), r.err());
        String evaluated = r.out().lines().filter(l -> l.startsWith("evaluated ")).findFirst().orElseThrow();
        String[] f = evaluated.trim().split(" +");
        assertEquals(Files.size(l2c), Long.parseLong(f[1]));
        double cosine = Double.parseDouble(f[5]);
        assertTrue(cosine > 0.9 && cosine < 1.0, evaluated);
        // The decoded ONNX is a temporary file and is gone (this process's: other l2c runs on the
        // machine may have theirs open).
        String mine = "l2c-eval-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertTrue(tmp.noneMatch(p -> p.getFileName().toString().startsWith(mine)), "temporary ONNX left behind");
        }
    }

    @Test
    void usageAndInputErrors() throws Exception {
        String model = MiniLm.onnx().toString();
        assertEquals(2, CliRunner.run("eval", model, "--model", model, "--data", "imagenet").exit());
        assertEquals(2, CliRunner.run("eval", model, "--data", "wordnet").exit());
        assertEquals(2, CliRunner.run("eval", model, "--model", model).exit());
        assertEquals(2, CliRunner.run("eval", model, "--model", model, "--data", "wordnet", "--n", "0").exit());

        // A sentence encoder is no Fashion-MNIST classifier: refused when opened, before any image runs.
        CliRunner images = CliRunner.run("eval", model, "--model", model, "--data", "fmnist");
        assertEquals(1, images.exit());
        assertTrue(images.err().contains("[N, 1, 28, 28]"), images.err());

        Path missing = dir.resolve("missing.l2c");
        CliRunner r = CliRunner.run("eval", missing.toString(), "--model", model, "--data", "wordnet");
        assertEquals(1, r.exit());
        assertEquals(1, CliRunner.errorLines(r.err()), r.err());
        assertTrue(r.err().contains(missing.toString()), r.err());

        Path notModel = Files.writeString(dir.resolve("notes.txt"), "hello");
        r = CliRunner.run("eval", notModel.toString(), "--model", model, "--data", "wordnet");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("expected a .l2c or an .onnx model"), r.err());

        Path corrupt = Files.write(dir.resolve("corrupt.l2c"), new byte[100]);
        r = CliRunner.run("eval", corrupt.toString(), "--model", model, "--data", "wordnet", "--n", "10");
        assertEquals(1, r.exit());
        assertEquals(1, CliRunner.errorLines(r.err()), r.err());
        assertTrue(r.err().contains(corrupt.toString()), r.err());

        r = CliRunner.run("eval", model, "--model", model, "--data", "wordnet", "--data-dir", dir.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("wordnet-base"), r.err());

        r = CliRunner.run("eval", model, "--model", model, "--data", "wordnet", "--tokenizer", dir.resolve("t.json").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("t.json"), r.err());
    }
}
