package dev.l2c.testing;

import dev.l2c.L2cException;
import dev.l2c.eval.SentenceEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The real all-MiniLM-L6-v2 (fetched by the Maven build) run in ONNX Runtime, an independent
 * runtime, through {@link SentenceEncoder}: attention-masked mean of last_hidden_state, normalized.
 */
public final class MiniLm {
    private MiniLm() {}

    public static Path modelDir() {
        return Path.of(System.getProperty("l2c.models", "target/models"), "minilm");
    }

    public static Path onnx() {
        Path p = modelDir().resolve("all-minilm-l6-v2.onnx");
        Assumptions.assumeTrue(Files.isRegularFile(p), "MiniLM not fetched: " + p);
        return p;
    }

    public static Path tokenizer() {
        return modelDir().resolve("all-minilm-l6-v2-tokenizer.json");
    }

    /** Real English sentences (test resource), one per line. */
    public static List<String> sentences() throws IOException {
        try (var in = MiniLm.class.getResourceAsStream("/sentences.txt")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .filter(s -> !s.isBlank())
                    .toList();
        }
    }

    /** Normalized sentence embeddings of {@code sentences} from the ONNX model at {@code model}. */
    public static float[][] embed(Path model, List<String> sentences) throws L2cException {
        try (SentenceEncoder encoder = SentenceEncoder.open(model, tokenizer())) {
            return encoder.embed(sentences);
        }
    }

    /** Mean cosine between row-aligned normalized embeddings. */
    public static double meanCosine(float[][] a, float[][] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double dot = 0;
            for (int d = 0; d < a[i].length; d++) dot += a[i][d] * b[i][d];
            sum += dot;
        }
        return sum / a.length;
    }
}
