package dev.l2c.eval;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.l2c.L2cException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A model's own tokenizer ({@code tokenizer.json}, HuggingFace format) through DJL's binding of
 * the HuggingFace tokenizers library. Sentences are truncated to the model's limit and padded to
 * the longest sentence of each batch, with attention masks.
 */
public final class TextTokenizer implements AutoCloseable {
    /** Limit used when tokenizer.json sets none: the 512 positions of BERT-style encoders. */
    public static final int FALLBACK_MAX_TOKENS = 512;

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;
    private final int maxTokens;

    private TextTokenizer(Path file, HuggingFaceTokenizer tokenizer, int maxTokens) {
        this.file = file;
        this.tokenizer = tokenizer;
        this.maxTokens = maxTokens;
    }

    /** Opens {@code tokenizerJson} with the token limit it declares (its truncation max_length). */
    public static TextTokenizer open(Path tokenizerJson) throws L2cException {
        return open(tokenizerJson, declaredLimit(tokenizerJson));
    }

    /** Opens {@code tokenizerJson}, truncating every sentence to {@code maxTokens} tokens. */
    public static TextTokenizer open(Path tokenizerJson, int maxTokens) throws L2cException {
        if (maxTokens < 3) throw new L2cException(tokenizerJson + ": token limit must be at least 3, got " + maxTokens);
        if (!Files.isRegularFile(tokenizerJson)) throw new L2cException(tokenizerJson + ": tokenizer file not found");
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                    "truncation", "true",
                    "padding", "true",
                    "maxLength", Integer.toString(maxTokens)));
            return new TextTokenizer(tokenizerJson, t, maxTokens);
        } catch (IOException | RuntimeException e) {
            throw new L2cException(tokenizerJson + ": not a usable tokenizer.json (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The token limit {@code tokenizerJson} declares: {@code truncation.max_length}, else a fixed
     * padding length, else {@link #FALLBACK_MAX_TOKENS}.
     */
    public static int declaredLimit(Path tokenizerJson) throws L2cException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            // Jackson's own message adds a second line with the location: the error stays on one line.
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new L2cException(tokenizerJson + ": not readable as JSON (" + why + ")", e);
        }
        if (root == null || !root.isObject()) throw new L2cException(tokenizerJson + ": not a tokenizer.json object");
        JsonNode max = root.path("truncation").path("max_length");
        if (max.isInt() && max.intValue() > 0) return max.intValue();
        JsonNode fixed = root.path("padding").path("strategy").path("Fixed");
        if (fixed.isInt() && fixed.intValue() > 0) return fixed.intValue();
        return FALLBACK_MAX_TOKENS;
    }

    /**
     * The tokenizer that belongs to an ONNX model: {@code <stem>-tokenizer.json} next to it (the
     * layout of the MiniLM artifact), else {@code tokenizer.json} in the same folder.
     */
    public static Path locateFor(Path onnxModel) throws L2cException {
        Path dir = onnxModel.toAbsolutePath().getParent();
        String name = onnxModel.getFileName().toString();
        String stem = name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
        Path named = dir.resolve(stem + "-tokenizer.json");
        if (Files.isRegularFile(named)) return named;
        Path plain = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(plain)) return plain;
        throw new L2cException(onnxModel + ": no tokenizer next to the model (looked for " + named.getFileName()
                + " and tokenizer.json); pass --tokenizer");
    }

    public int maxTokens() {
        return maxTokens;
    }

    public Path file() {
        return file;
    }

    /** Tokenizes {@code sentences} into one padded batch; empty or blank sentences are refused. */
    public TokenBatch encode(List<String> sentences) throws L2cException {
        if (sentences.isEmpty()) throw new L2cException("no sentences to tokenize");
        for (int i = 0; i < sentences.size(); i++) {
            String s = sentences.get(i);
            if (s == null || s.isBlank()) {
                throw new L2cException("sentence " + i + " is empty: there is nothing to tokenize or embed");
            }
        }
        Encoding[] encodings;
        try {
            encodings = tokenizer.batchEncode(sentences);
        } catch (RuntimeException e) {
            throw new L2cException(file + ": tokenization failed (" + e.getMessage() + ")", e);
        }
        int length = 0;
        for (Encoding e : encodings) length = Math.max(length, e.getIds().length);
        int n = encodings.length;
        long[] ids = new long[n * length];
        long[] mask = new long[n * length];
        long[] types = new long[n * length];
        // DJL pads to the longest already; copying row by row also covers rows it left short.
        for (int i = 0; i < n; i++) {
            long[] rowIds = encodings[i].getIds();
            long[] rowMask = encodings[i].getAttentionMask();
            long[] rowTypes = encodings[i].getTypeIds();
            if (rowIds.length > maxTokens) {
                throw new L2cException(file + ": tokenizer returned " + rowIds.length + " tokens, over the limit " + maxTokens);
            }
            System.arraycopy(rowIds, 0, ids, i * length, rowIds.length);
            System.arraycopy(rowMask, 0, mask, i * length, rowMask.length);
            System.arraycopy(rowTypes, 0, types, i * length, rowTypes.length);
        }
        return new TokenBatch(n, length, ids, mask, types);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
