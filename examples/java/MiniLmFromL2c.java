import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.l2c.api.L2cFile;
import dev.l2c.api.OnnxRuntimeModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads all-MiniLM-L6-v2 from a .l2c file straight into an ONNX Runtime session (the graph stored in
 * the file, each weight decoded into a native buffer that ONNX Runtime uses in place: no temporary
 * file, no original model), embeds sentences, and compares the embeddings with those of the
 * original fp32 model (read only for that comparison).
 *
 * <pre>
 * java -cp "target/l2c-0.1.0-SNAPSHOT.jar:target/lib/*" examples/java/MiniLmFromL2c.java \
 *     minilm.l2c all-minilm-l6-v2.onnx all-minilm-l6-v2-tokenizer.json sentences.txt
 * </pre>
 *
 * Prints the mean cosine between the two models' embeddings. Run by JavaExampleTest.
 */
public final class MiniLmFromL2c {
    public static void main(String[] args) throws Exception {
        Path l2c = Path.of(args[0]);
        Path original = Path.of(args[1]);
        Path tokenizerJson = Path.of(args[2]);
        List<String> sentences = Files.readAllLines(Path.of(args[3])).stream().filter(s -> !s.isBlank()).limit(64).toList();

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (L2cFile file = L2cFile.open(l2c);
                OnnxRuntimeModel model = OnnxRuntimeModel.open(file, env, null); // the .l2c alone
                HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson);
                OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession reference = env.createSession(original.toString(), options)) {
            OrtSession compressed = model.session();
            double sum = 0;
            for (String s : sentences) {
                Encoding e = tokenizer.encode(s);
                float[] a = embed(env, compressed, e);
                float[] b = embed(env, reference, e);
                double dot = 0;
                for (int i = 0; i < a.length; i++) dot += a[i] * b[i];
                sum += dot;
            }
            System.out.printf("%d sentences, mean cosine %.5f against the fp32 model%n", sentences.size(), sum / sentences.size());
        }
    }

    /** Mean-pooled, L2-normalized last_hidden_state of one sentence. */
    private static float[] embed(OrtEnvironment env, OrtSession session, Encoding e) throws Exception {
        long[][] ids = {e.getIds()};
        long[][] mask = {e.getAttentionMask()};
        long[][] types = {e.getTypeIds()};
        try (OnnxTensor i = OnnxTensor.createTensor(env, ids);
                OnnxTensor m = OnnxTensor.createTensor(env, mask);
                OnnxTensor t = OnnxTensor.createTensor(env, types);
                OrtSession.Result r = session.run(Map.of("input_ids", i, "attention_mask", m, "token_type_ids", t))) {
            float[][] hidden = ((float[][][]) r.get("last_hidden_state").orElseThrow().getValue())[0];
            float[] out = new float[hidden[0].length];
            for (float[] token : hidden) for (int d = 0; d < out.length; d++) out[d] += token[d] / hidden.length;
            double norm = 0;
            for (float v : out) norm += v * v;
            for (int d = 0; d < out.length; d++) out[d] /= (float) Math.sqrt(norm);
            return out;
        }
    }
}
