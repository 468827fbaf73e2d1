package dev.l2c.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.data.PartOfSpeech;
import dev.l2c.data.Synset;
import dev.l2c.data.WordNet;
import dev.l2c.testing.MiniLm;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class RetrievalTaskTest {
    /** Scoring on hand-made embeddings whose ranks are known. */
    @Test
    void scoresKnownRanks() throws L2cException {
        int n = 8;
        RetrievalTask task = new RetrievalTask(synsets(n));
        // Lemma j is the unit vector e_j; gloss i points at e_i with weight 1 and at a set of
        // wrong lemmas with weight w > 1 (ranked above it) or w < 1 (ranked below).
        float[][] lemmas = new float[n][n];
        for (int j = 0; j < n; j++) lemmas[j][j] = 1;
        float[][] glosses = new float[n][];
        int[] wrongAbove = {0, 1, 4, 5, 0, 2, 7, 1}; // rank of the right lemma = wrongAbove + 1
        for (int i = 0; i < n; i++) {
            float[] g = new float[n];
            g[i] = 1;
            for (int k = 1; k <= wrongAbove[i]; k++) g[(i + k) % n] = 1.5f;
            if (wrongAbove[i] == 0) g[(i + 1) % n] = 0.5f;
            glosses[i] = normalize(g);
        }
        var e = new RetrievalTask.Embeddings(glosses, lemmas);
        RetrievalResult r = task.score(e, e, 0);
        assertEquals(2.0 / n, r.accuracyAt1(), 1e-12);
        assertEquals(6.0 / n, r.accuracyAt5(), 1e-12); // ranks 1, 2, 5, 1, 3, 2 are within 5; 6 and 8 are not
        assertEquals(1.0, r.meanCosine(), 1e-6);
        assertTrue(Double.isNaN(task.score(e, null, 0).meanCosine()));

        // A tie with a wrong lemma is a miss.
        float[] tie = new float[n];
        tie[0] = 1;
        tie[3] = 1;
        glosses[0] = normalize(tie);
        assertEquals(1.0 / n, task.score(e, null, 0).accuracyAt1(), 1e-12);

        var shortRef = new RetrievalTask.Embeddings(new float[1][n], new float[1][n]);
        assertThrows(L2cException.class, () -> task.score(e, shortRef, 0));
        assertThrows(L2cException.class, () -> new RetrievalTask(List.of()));
        assertThrows(L2cException.class, () -> new RetrievalTask(List.of(new Synset(PartOfSpeech.NOUN, 1, List.of("x"), ""))));
    }

    /** The real task: fp32 MiniLM on 200 WordNet synsets, twice, in two independent sessions. */
    @Test
    @Tag("slow")
    void fp32MiniLmRetrievesFarAboveChanceAndAgreesWithItself() throws L2cException {
        Assumptions.assumeTrue(Files.isRegularFile(WordNet.DEFAULT_DIR.resolve("data.noun")), "wordnet-base not installed");
        RetrievalTask task = Evaluator.wordNetTask(WordNet.DEFAULT_DIR, 200, 0);
        assertEquals(200, task.size());
        RetrievalResult first;
        RetrievalTask.Embeddings reference;
        try (SentenceEncoder encoder = SentenceEncoder.open(MiniLm.onnx(), MiniLm.tokenizer())) {
            reference = task.embed(encoder, dev.l2c.pipeline.Progress.NONE);
            first = task.score(reference, null, 0);
        }
        RetrievalResult second;
        try (SentenceEncoder encoder = SentenceEncoder.open(MiniLm.onnx(), MiniLm.tokenizer(), 16, 1)) {
            second = task.run(encoder, reference);
        }
        System.out.printf("fp32 MiniLM, WordNet N=200: acc@1 %.4f, acc@5 %.4f, self cosine %.8f%n",
                second.accuracyAt1(), second.accuracyAt5(), second.meanCosine());
        // Chance is 1/200 at 1 and 5/200 at 5.
        assertTrue(first.accuracyAt1() > 0.3, "acc@1 " + first.accuracyAt1());
        assertTrue(first.accuracyAt5() >= first.accuracyAt1());
        assertTrue(first.accuracyAt5() > 0.45, "acc@5 " + first.accuracyAt5());
        // Another batch size and thread count: same figures, cosine 1 within 1e-6.
        assertEquals(1.0, second.meanCosine(), 1e-6);
        assertEquals(first.accuracyAt1(), second.accuracyAt1(), 1.0 / 200 + 1e-12);
        assertEquals(first.accuracyAt5(), second.accuracyAt5(), 1.0 / 200 + 1e-12);
    }

    private static List<Synset> synsets(int n) {
        List<Synset> s = new ArrayList<>();
        for (int i = 0; i < n; i++) s.add(new Synset(PartOfSpeech.NOUN, i, List.of("lemma " + i), "gloss " + i));
        return s;
    }

    private static float[] normalize(float[] v) {
        double norm = 0;
        for (float x : v) norm += x * x;
        for (int i = 0; i < v.length; i++) v[i] /= (float) Math.sqrt(norm);
        return v;
    }
}
