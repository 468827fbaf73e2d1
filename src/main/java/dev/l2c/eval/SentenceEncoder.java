package dev.l2c.eval;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.l2c.L2cException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Sentence embeddings from a BERT-style ONNX encoder run in ONNX Runtime, an engine independent of
 * l2c: tokens in (input_ids, attention_mask and, where the graph declares it, token_type_ids, all
 * int64), last_hidden_state out, mean-pooled over the attention mask and L2-normalized.
 */
public final class SentenceEncoder implements AutoCloseable {
    public static final int DEFAULT_BATCH_SIZE = 32;
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    static final String HIDDEN_STATE = "last_hidden_state";

    private final Path model;
    private final TextTokenizer tokenizer;
    private final ModelSession owner;
    private final OrtSession session;
    private final boolean takesTokenTypes;
    private final int batchSize;

    private SentenceEncoder(ModelSession owner, TextTokenizer tokenizer, boolean takesTokenTypes, int batchSize) {
        this.model = owner.source();
        this.tokenizer = tokenizer;
        this.owner = owner;
        this.session = owner.session();
        this.takesTokenTypes = takesTokenTypes;
        this.batchSize = batchSize;
    }

    /** Opens {@code onnxModel} with the tokenizer at {@code tokenizerJson}, batches of 32, all cores. */
    public static SentenceEncoder open(Path onnxModel, Path tokenizerJson) throws L2cException {
        return open(onnxModel, tokenizerJson, DEFAULT_BATCH_SIZE, Runtime.getRuntime().availableProcessors());
    }

    /** Opens {@code onnxModel}; {@code threads} is ONNX Runtime's intra-op thread count. */
    public static SentenceEncoder open(Path onnxModel, Path tokenizerJson, int batchSize, int threads) throws L2cException {
        if (batchSize < 1) throw new L2cException("batch size must be at least 1, got " + batchSize);
        if (threads < 1) throw new L2cException("--threads must be at least 1, got " + threads);
        if (!Files.isRegularFile(onnxModel)) throw new L2cException(onnxModel + ": ONNX model not found");
        return open(ModelSession.open(onnxModel, threads), tokenizerJson, batchSize);
    }

    /** An encoder on an open session, which it takes over: closing the encoder (or a failure here) closes it. */
    public static SentenceEncoder open(ModelSession model, Path tokenizerJson, int batchSize) throws L2cException {
        try {
            if (batchSize < 1) throw new L2cException("batch size must be at least 1, got " + batchSize);
            boolean types = checkSignature(model.source(), model.session());
            return new SentenceEncoder(model, TextTokenizer.open(tokenizerJson), types, batchSize);
        } catch (L2cException | RuntimeException e) {
            model.closeQuietly();
            throw e;
        }
    }

    /** Checks the inputs and output the encoder relies on; returns whether token_type_ids is an input. */
    private static boolean checkSignature(Path onnxModel, OrtSession session) throws L2cException {
        Set<String> inputs = session.getInputNames();
        for (String name : inputs) {
            if (!name.equals(INPUT_IDS) && !name.equals(ATTENTION_MASK) && !name.equals(TOKEN_TYPE_IDS)) {
                throw new L2cException(onnxModel + ": unexpected model input '" + name + "' (a sentence encoder takes "
                        + INPUT_IDS + ", " + ATTENTION_MASK + " and optionally " + TOKEN_TYPE_IDS + ")");
            }
        }
        if (!inputs.contains(INPUT_IDS) || !inputs.contains(ATTENTION_MASK)) {
            throw new L2cException(onnxModel + ": model inputs " + inputs + " lack " + INPUT_IDS + " or " + ATTENTION_MASK);
        }
        try {
            NodeInfo out = session.getOutputInfo().get(HIDDEN_STATE);
            if (out == null) {
                throw new L2cException(onnxModel + ": model has no output '" + HIDDEN_STATE + "' (outputs: "
                        + session.getOutputNames() + ")");
            }
            if (!(out.getInfo() instanceof TensorInfo t) || t.getShape().length != 3) {
                throw new L2cException(onnxModel + ": output '" + HIDDEN_STATE + "' is not a [batch, tokens, dim] tensor");
            }
        } catch (OrtException e) {
            throw new L2cException(onnxModel + ": ONNX Runtime cannot describe the outputs (" + e.getMessage() + ")", e);
        }
        return inputs.contains(TOKEN_TYPE_IDS);
    }

    public int maxTokens() {
        return tokenizer.maxTokens();
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Normalized embeddings of {@code sentences}, row i for sentence i. Sentences are batched in
     * order of length, so each batch pads little; rows come back in input order.
     */
    public float[][] embed(List<String> sentences) throws L2cException {
        return embed(sentences, done -> {});
    }

    /** As {@link #embed(List)}, telling {@code progress} how many sentences each finished batch held. */
    public float[][] embed(List<String> sentences, IntConsumer progress) throws L2cException {
        if (sentences.isEmpty()) throw new L2cException("no sentences to embed");
        for (int i = 0; i < sentences.size(); i++) {
            if (sentences.get(i) == null || sentences.get(i).isBlank()) {
                throw new L2cException("sentence " + i + " is empty: there is nothing to tokenize or embed");
            }
        }
        List<Integer> order = new ArrayList<>(sentences.size());
        for (int i = 0; i < sentences.size(); i++) order.add(i);
        order.sort(Comparator.comparingInt(i -> sentences.get(i).length()));
        float[][] out = new float[sentences.size()][];
        for (int from = 0; from < order.size(); from += batchSize) {
            List<Integer> rows = order.subList(from, Math.min(order.size(), from + batchSize));
            List<String> batch = new ArrayList<>(rows.size());
            for (int i : rows) batch.add(sentences.get(i));
            float[][] vectors = embedBatch(tokenizer.encode(batch));
            for (int k = 0; k < rows.size(); k++) out[rows.get(k)] = vectors[k];
            progress.accept(rows.size());
        }
        return out;
    }

    /** Normalized, mask-averaged last hidden states of one tokenized batch. */
    public float[][] embedBatch(TokenBatch batch) throws L2cException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(INPUT_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(batch.ids()), batch.shape()));
            inputs.put(ATTENTION_MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(batch.attentionMask()), batch.shape()));
            if (takesTokenTypes) {
                inputs.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(batch.typeIds()), batch.shape()));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(HIDDEN_STATE))) {
                OnnxValue value = result.get(HIDDEN_STATE).orElseThrow();
                if (!(value instanceof OnnxTensor hidden)) {
                    throw new L2cException(model + ": output '" + HIDDEN_STATE + "' is not a tensor");
                }
                return meanPool(hidden, batch);
            }
        } catch (OrtException e) {
            throw new L2cException(model + ": ONNX Runtime failed on a batch of " + batch.size() + " sentences ("
                    + e.getMessage() + ")", e);
        } finally {
            for (OnnxTensor t : inputs.values()) t.close();
        }
    }

    private float[][] meanPool(OnnxTensor hidden, TokenBatch batch) throws L2cException {
        long[] shape = hidden.getInfo().getShape();
        if (shape.length != 3 || shape[0] != batch.size() || shape[1] != batch.length() || shape[2] < 1) {
            throw new L2cException(model + ": output '" + HIDDEN_STATE + "' has shape " + java.util.Arrays.toString(shape)
                    + ", expected [" + batch.size() + ", " + batch.length() + ", dim]");
        }
        int dim = (int) shape[2];
        FloatBuffer h = hidden.getFloatBuffer();
        float[][] out = new float[batch.size()][dim];
        double[] sum = new double[dim];
        for (int b = 0; b < batch.size(); b++) {
            java.util.Arrays.fill(sum, 0);
            int used = 0;
            for (int t = 0; t < batch.length(); t++) {
                if (batch.attentionMask()[b * batch.length() + t] == 0) continue;
                used++;
                int base = (b * batch.length() + t) * dim;
                for (int d = 0; d < dim; d++) sum[d] += h.get(base + d);
            }
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                sum[d] /= used;
                norm += sum[d] * sum[d];
            }
            norm = Math.sqrt(norm);
            if (!(norm > 0) || !Double.isFinite(norm)) {
                throw new L2cException(model + ": embedding of a sentence has norm " + norm + " (the model produced zeros or non-finite values)");
            }
            for (int d = 0; d < dim; d++) out[b][d] = (float) (sum[d] / norm);
        }
        return out;
    }

    @Override
    public void close() throws L2cException {
        try {
            owner.close();
        } finally {
            tokenizer.close();
        }
    }
}
