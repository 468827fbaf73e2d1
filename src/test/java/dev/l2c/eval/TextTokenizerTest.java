package dev.l2c.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.l2c.L2cException;
import dev.l2c.testing.MiniLm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DJL's HuggingFace tokenizer on MiniLM's tokenizer.json against ids known from its vocabulary. */
class TextTokenizerTest {
    private static TextTokenizer tokenizer;
    private static JsonNode vocab;

    @BeforeAll
    static void open() throws L2cException, IOException {
        MiniLm.onnx(); // skips when the model was not fetched
        tokenizer = TextTokenizer.open(MiniLm.tokenizer());
        vocab = new ObjectMapper().readTree(MiniLm.tokenizer().toFile()).path("model").path("vocab");
    }

    @AfterAll
    static void close() {
        if (tokenizer != null) tokenizer.close();
    }

    @Test
    void limitComesFromTheTokenizerConfig() throws L2cException {
        assertEquals(128, TextTokenizer.declaredLimit(MiniLm.tokenizer()));
        assertEquals(128, tokenizer.maxTokens());
    }

    @Test
    void matchesTheReferenceIds() throws L2cException {
        assertArrayEquals(new long[] {101, 7592, 2088, 102}, ids("Hello world"));
        // Lower-casing, punctuation split off, WordPiece continuation pieces.
        assertArrayEquals(new long[] {101, 7592, 2088, 102}, ids("HELLO World"));
        assertArrayEquals(new long[] {101, v("hello"), v(","), v("world"), v("!"), 102}, ids("Hello, world!"));
        assertArrayEquals(new long[] {101, v("the"), v("quick"), v("brown"), v("fox"), v("jumps"), v("over"), v("the"),
                v("lazy"), v("dog"), v("."), 102}, ids("The quick brown fox jumps over the lazy dog."));
        assertArrayEquals(new long[] {101, v("dog"), v("'"), v("s"), 102}, ids("dog's"));
        // Accents are stripped by the uncased BERT normalizer: "Café" is "cafe".
        assertArrayEquals(new long[] {101, v("cafe"), 102}, ids("Café"));
    }

    @Test
    void splitsRareWordsLikeGreedyWordPiece() throws L2cException {
        String[] words = {"unaffable", "photosynthesis", "chlorophyll", "antidisestablishmentarianism", "wordnet",
            "synset", "glosses", "hypernym", "quantization", "entropy"};
        List<Long> expected = new ArrayList<>(List.of(101L));
        for (String w : words) expected.addAll(wordPiece(w));
        expected.add(102L);
        long[] actual = ids(String.join(" ", words));
        assertEquals(expected, java.util.Arrays.stream(actual).boxed().toList());
        assertTrue(actual.length > words.length + 4, "some words split into pieces");
    }

    /** Reference WordPiece for a lower-case word: longest vocabulary prefix first, then "##" pieces. */
    private static List<Long> wordPiece(String word) {
        List<Long> out = new ArrayList<>();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            Long id = null;
            for (; end > start; end--) {
                JsonNode n = vocab.get((start > 0 ? "##" : "") + word.substring(start, end));
                if (n != null) {
                    id = n.longValue();
                    break;
                }
            }
            if (id == null) return List.of(v("[UNK]"));
            out.add(id);
            start = end;
        }
        return out;
    }

    @Test
    void padsEachBatchToItsLongestSentenceWithMasks() throws L2cException {
        TokenBatch b = tokenizer.encode(List.of("Hello world", "The quick brown fox jumps over the lazy dog.", "dog"));
        assertEquals(3, b.size());
        assertEquals(12, b.length());
        assertEquals(4, b.tokensOf(0));
        assertEquals(12, b.tokensOf(1));
        assertEquals(3, b.tokensOf(2));
        assertArrayEquals(new long[] {101, 7592, 2088, 102}, b.idsOf(0));
        for (int t = 4; t < 12; t++) {
            assertEquals(0, b.ids()[t], "padding id");
            assertEquals(0, b.attentionMask()[t], "padding is masked");
        }
        for (long type : b.typeIds()) assertEquals(0, type);
    }

    @Test
    void truncatesLongInputToTheLimit() throws L2cException {
        String longText = String.join(" ", Collections.nCopies(400, "dog"));
        long[] t = ids(longText);
        assertEquals(128, t.length);
        assertEquals(101, t[0]);
        assertEquals(102, t[127], "[SEP] survives truncation");
        assertEquals(v("dog"), t[126]);

        try (TextTokenizer short16 = TextTokenizer.open(MiniLm.tokenizer(), 16)) {
            TokenBatch b = short16.encode(List.of(longText, "dog"));
            assertEquals(16, b.length());
            assertEquals(16, b.tokensOf(0));
            assertEquals(3, b.tokensOf(1));
        }
    }

    @Test
    void refusesEmptyInput() {
        L2cException none = assertThrows(L2cException.class, () -> tokenizer.encode(List.of()));
        assertTrue(none.getMessage().contains("no sentences"), none.getMessage());
        L2cException empty = assertThrows(L2cException.class, () -> tokenizer.encode(List.of("fine", "")));
        assertTrue(empty.getMessage().contains("sentence 1 is empty"), empty.getMessage());
        List<String> withNull = new ArrayList<>(List.of("fine"));
        withNull.add(null);
        assertThrows(L2cException.class, () -> tokenizer.encode(withNull));
        assertThrows(L2cException.class, () -> tokenizer.encode(List.of("  \t ")));
    }

    @Test
    void findsTheTokenizerNextToTheModel(@TempDir Path dir) throws IOException, L2cException {
        assertEquals(MiniLm.tokenizer().toAbsolutePath(), TextTokenizer.locateFor(MiniLm.onnx()));
        Path model = Files.createFile(dir.resolve("m.onnx"));
        L2cException e = assertThrows(L2cException.class, () -> TextTokenizer.locateFor(model));
        assertTrue(e.getMessage().contains("--tokenizer"), e.getMessage());
        Files.copy(MiniLm.tokenizer(), dir.resolve("tokenizer.json"));
        assertEquals(dir.resolve("tokenizer.json").toAbsolutePath(), TextTokenizer.locateFor(model));
    }

    @Test
    void refusesBrokenTokenizerFiles(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("none.json");
        assertTrue(assertThrows(L2cException.class, () -> TextTokenizer.open(missing)).getMessage().contains(missing.toString()));
        Path garbage = Files.writeString(dir.resolve("bad.json"), "{\"model\": 3");
        assertTrue(assertThrows(L2cException.class, () -> TextTokenizer.open(garbage)).getMessage().contains(garbage.toString()));
        Path wrong = Files.writeString(dir.resolve("wrong.json"), "{\"model\": {\"type\": \"Nope\"}}");
        assertTrue(assertThrows(L2cException.class, () -> TextTokenizer.open(wrong)).getMessage().contains(wrong.toString()));
    }

    private static long[] ids(String sentence) throws L2cException {
        return tokenizer.encode(List.of(sentence)).idsOf(0);
    }

    private static long v(String token) {
        JsonNode id = vocab.get(token);
        assertTrue(id != null && id.isInt(), "vocabulary lacks '" + token + "'");
        return id.longValue();
    }
}
