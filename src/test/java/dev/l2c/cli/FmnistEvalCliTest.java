package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.l2c.graph.GraphBuilder;
import dev.l2c.model.DType;
import dev.l2c.testing.Fmnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code l2c eval --data fmnist} on the committed trained ResNet, in ONNX Runtime. */
class FmnistEvalCliTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsData() {
        Fmnist.assumeData();
    }

    @Test
    void trainedModelAgainstItselfAsJson() throws Exception {
        String model = Fmnist.model().toString();
        CliRunner r = CliRunner.run("eval", model, "--model", model, "--data", "fmnist", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("FMNIST", j.get("data").asText());
        assertEquals(10_000, j.get("n").asInt());
        assertEquals(Files.size(Fmnist.model()), j.get("modelBytes").asLong());
        JsonNode result = j.get("modelResult");
        // The reference model reaches at least 92 % top-1 in ONNX Runtime (the bar).
        assertTrue(result.get("accuracy").asDouble() >= 0.92, r.out());
        assertEquals(result.get("correct").asInt() / 10_000.0, result.get("accuracy").asDouble(), 1e-12);
        assertEquals(1.0, result.get("agreement").asDouble());
    }

    @Test
    void compressedModelAgainstTheOriginal() throws Exception {
        String model = Fmnist.model().toString();
        Path l2c = dir.resolve("m.l2c");
        CliRunner c = CliRunner.run("compress", model, "-o", l2c.toString(), "--bits", "8", "--min-elements", "256");
        assertEquals(0, c.exit(), c.err());
        CliRunner r = CliRunner.run("eval", l2c.toString(), "--model", model, "--data", "FMNIST");
        assertEquals(0, r.exit(), r.err());
        String original = line(r.out(), "original ");
        String evaluated = line(r.out(), "evaluated ");
        String[] o = original.trim().split(" +");
        String[] f = evaluated.trim().split(" +");
        assertEquals(Files.size(l2c), Long.parseLong(f[1]));
        double top1 = Double.parseDouble(o[3].replace("%", ""));
        double compressedTop1 = Double.parseDouble(f[3].replace("%", ""));
        double agreement = Double.parseDouble(f[4].replace("%", ""));
        // 8-bit weights barely move the predictions of a trained network.
        assertTrue(agreement > 97 && agreement < 100.001, evaluated);
        assertTrue(Math.abs(top1 - compressedTop1) < 1.0, original + " / " + evaluated);
    }

    @Test
    void modelsThatDoNotTakeFashionMnistImagesAreRejected() throws Exception {
        GraphBuilder b = new GraphBuilder("rgb");
        b.input("pixels", DType.F32, -1, 3, 32, 32);
        b.node("Flatten", List.of("pixels"), List.of("y"), GraphBuilder.attr("axis", 1L));
        b.output("y", DType.F32, -1, -1);
        Path rgb = b.write(dir.resolve("rgb.onnx"));
        CliRunner r = CliRunner.run("eval", rgb.toString(), "--model", rgb.toString(), "--data", "fmnist");
        assertEquals(1, r.exit());
        assertEquals(1, CliRunner.errorLines(r.err()), r.err());
        assertTrue(r.err().contains("input 'pixels'") && r.err().contains("expected float [N, 1, 28, 28]"), r.err());

        String model = Fmnist.model().toString();
        r = CliRunner.run("eval", model, "--model", model, "--data", "fmnist", "--data-dir", dir.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("dataset-fashion-mnist"), r.err());

        assertEquals(2, CliRunner.run("eval", model, "--model", model, "--data", "fmnist", "--tokenizer", "t.json").exit());
        assertEquals(2, CliRunner.run("eval", model, "--model", model, "--data", "imagenet").exit());
    }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(out));
    }
}
