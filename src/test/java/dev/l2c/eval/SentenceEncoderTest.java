package dev.l2c.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.testing.MiniLm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real MiniLM in ONNX Runtime through {@link SentenceEncoder}. */
class SentenceEncoderTest {
    private static SentenceEncoder encoder;

    @BeforeAll
    static void open() throws L2cException {
        encoder = SentenceEncoder.open(MiniLm.onnx(), MiniLm.tokenizer());
    }

    @AfterAll
    static void close() throws L2cException {
        if (encoder != null) encoder.close();
    }

    @Test
    void embeddingsAreUnitVectorsThatKeepMeaning() throws L2cException {
        float[][] e = encoder.embed(List.of(
                "A dog is barking in the yard.",
                "A puppy barks outside the house.",
                "The central bank raised interest rates."));
        assertEquals(3, e.length);
        for (float[] v : e) {
            assertEquals(384, v.length);
            assertEquals(1.0, RetrievalTask.dot(v, v), 1e-5);
        }
        double similar = RetrievalTask.dot(e[0], e[1]);
        double unrelated = RetrievalTask.dot(e[0], e[2]);
        assertTrue(similar > 0.5 && unrelated < 0.2 && similar > unrelated + 0.4, similar + " vs " + unrelated);
    }

    @Test
    void paddingAndBatchingDoNotChangeEmbeddings() throws L2cException, IOException {
        List<String> sentences = MiniLm.sentences();
        float[][] batched = encoder.embed(sentences);
        for (int i = 0; i < sentences.size(); i += 7) {
            float[] alone = encoder.embed(List.of(sentences.get(i)))[0];
            assertEquals(1.0, RetrievalTask.dot(alone, batched[i]), 1e-5, "sentence " + i);
        }
        // Rows come back in input order although batches are formed by length.
        List<String> reversed = new ArrayList<>(sentences);
        java.util.Collections.reverse(reversed);
        float[][] r = encoder.embed(reversed);
        for (int i = 0; i < sentences.size(); i++) {
            assertEquals(1.0, RetrievalTask.dot(r[sentences.size() - 1 - i], batched[i]), 1e-5);
        }
    }

    @Test
    void longInputIsTruncatedNotRefused() throws L2cException {
        String longText = "word ".repeat(1000);
        float[] v = encoder.embed(List.of(longText))[0];
        assertEquals(1.0, RetrievalTask.dot(v, v), 1e-5);
        assertEquals(128, encoder.maxTokens());
    }

    @Test
    void refusesEmptyInput() {
        assertTrue(assertThrows(L2cException.class, () -> encoder.embed(List.of())).getMessage().contains("no sentences"));
        L2cException e = assertThrows(L2cException.class, () -> encoder.embed(List.of("one", "two", " ")));
        assertTrue(e.getMessage().contains("sentence 2 is empty"), e.getMessage());
    }

    @Test
    void refusesFilesThatAreNotSentenceEncoders(@TempDir Path dir) throws IOException {
        Path garbage = Files.write(dir.resolve("garbage.onnx"), new byte[] {1, 2, 3, 4, 5});
        L2cException e = assertThrows(L2cException.class, () -> SentenceEncoder.open(garbage, MiniLm.tokenizer()));
        assertTrue(e.getMessage().startsWith(garbage.toString()), e.getMessage());
        Path missing = dir.resolve("missing.onnx");
        assertTrue(assertThrows(L2cException.class, () -> SentenceEncoder.open(missing, MiniLm.tokenizer()))
                .getMessage().contains("not found"));
        assertThrows(L2cException.class, () -> SentenceEncoder.open(MiniLm.onnx(), MiniLm.tokenizer(), 0, 1));
    }
}
