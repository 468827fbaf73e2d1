package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A --ratio out of reach is an error that writes nothing, unless --closest asks for the closest file. */
class UnreachableRatioCliTest {
    @TempDir
    static Path dir;

    static Path model;

    @BeforeAll
    static void writeModel() throws Exception {
        Random rnd = new Random(5);
        float[] a = new float[64 * 96];
        float[] b = new float[32 * 64];
        for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextGaussian() * 0.04);
        for (int i = 0; i < b.length; i++) b[i] = (float) (rnd.nextGaussian() * 0.1);
        model = dir.resolve("m.safetensors");
        SafetensorsFile.write(model, List.of(Tensor.ofFloats("fc1.weight", new long[] {64, 96}, a),
                Tensor.ofFloats("fc2.weight", new long[] {32, 64}, b)), Map.of(), false);
    }

    @Test
    void unreachableRatioFailsNamingTheRangeAndWritesNothing() {
        for (String[] method : new String[][] {{"--steps", "5"}, {"--method", "prune"}}) {
            Path out = dir.resolve("far.l2c");
            Path json = dir.resolve("far.json");
            CliRunner r = CliRunner.run("compress", model.toString(), "-o", out.toString(), "--ratio", "100000",
                    method[0], method[1], "--report", json.toString());
            assertEquals(1, r.exit(), r.err());
            assertEquals(1, CliRunner.errorLines(r.err()), r.err());
            String error = r.err().lines().filter(l -> !l.startsWith("l2c: note:")).findFirst().orElse("");
            assertTrue(error.startsWith("l2c: --ratio 100000 is out of reach for " + model + ": "), r.err());
            assertTrue(error.contains("range from ratio") && error.contains("--closest"), r.err());
            assertFalse(Files.exists(out), "nothing written");
            assertFalse(Files.exists(json), "no report written");
        }
    }

    @Test
    void closestWritesTheClosestFileAndFlagsZeroedTensors() throws Exception {
        Path out = dir.resolve("closest.l2c");
        Path json = dir.resolve("closest.json");
        CliRunner r = CliRunner.run("compress", model.toString(), "-o", out.toString(), "--ratio", "100000", "--steps", "5",
                "--closest", "--report", json.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.exists(out));
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertFalse(j.get("reached").asBoolean());
        int zeroed = 0;
        for (JsonNode t : j.get("tensors")) {
            String name = t.get("name").asText();
            boolean warned = r.err().contains("l2c: warning: tensor " + name + ": every weight is 0 in the written file");
            assertEquals(t.get("zeroed").asBoolean(), warned, name + ": " + r.err());
            if (t.get("zeroed").asBoolean()) {
                zeroed++;
                assertEquals(1.0, t.get("relativeError").asDouble(), 1e-9, name);
            }
        }
        assertTrue(zeroed > 0, "the closest file to an unreachable ratio zeroes weights: " + j);
    }

    @Test
    void closestNeedsRatio() {
        CliRunner r = CliRunner.run("compress", model.toString(), "-o", dir.resolve("b.l2c").toString(), "--bits", "4",
                "--closest");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--closest needs --ratio"), r.err());
    }
}
