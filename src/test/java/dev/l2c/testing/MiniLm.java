package dev.l2c.testing;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * The real all-MiniLM-L6-v2 (fetched by the Maven build) run in ONNX Runtime, an independent
 * runtime: sentence embeddings are the attention-masked mean of last_hidden_state, normalized.
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
    public static float[][] embed(Path model, List<String> sentences) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizer(), Map.of("maxLength", "128"));
                OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
            try (OrtSession session = env.createSession(model.toString(), options)) {
                float[][] out = new float[sentences.size()][];
                for (int i = 0; i < sentences.size(); i++) {
                    out[i] = embedOne(env, session, tokenizer.encode(sentences.get(i)));
                }
                return out;
            }
        }
    }

    private static float[] embedOne(OrtEnvironment env, OrtSession session, Encoding enc) throws Exception {
        long[] ids = enc.getIds();
        long[] mask = enc.getAttentionMask();
        long[] types = new long[ids.length];
        long[] shape = {1, ids.length};
        try (OnnxTensor tIds = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
                OnnxTensor tMask = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
                OnnxTensor tTypes = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape);
                OrtSession.Result result = session.run(Map.of(
                        "input_ids", tIds, "attention_mask", tMask, "token_type_ids", tTypes))) {
            float[][][] hidden = (float[][][]) result.get(0).getValue();
            int dim = hidden[0][0].length;
            float[] mean = new float[dim];
            int used = 0;
            for (int t = 0; t < ids.length; t++) {
                if (mask[t] == 0) continue;
                used++;
                for (int d = 0; d < dim; d++) mean[d] += hidden[0][t][d];
            }
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                mean[d] /= used;
                norm += mean[d] * mean[d];
            }
            norm = Math.sqrt(norm);
            for (int d = 0; d < dim; d++) mean[d] /= (float) norm;
            return mean;
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
