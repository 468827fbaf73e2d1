package dev.l2c.eval;

import dev.l2c.L2cException;
import dev.l2c.data.Synset;
import dev.l2c.pipeline.Progress;
import java.util.ArrayList;
import java.util.List;

/**
 * WordNet gloss-to-lemma retrieval: for each of N synsets, the embedding of its definition is
 * compared (cosine) with the embeddings of all N lemma texts ("dog, domestic dog, Canis
 * familiaris"); a hit at k means its own lemma text is among the k most similar. Chance level is
 * 1/N at 1 and 5/N at 5. A tie with a wrong candidate counts as a miss.
 */
public final class RetrievalTask {
    private final List<String> glosses;
    private final List<String> lemmaTexts;

    public RetrievalTask(List<Synset> synsets) throws L2cException {
        if (synsets.isEmpty()) throw new L2cException("the retrieval task needs at least one synset");
        List<String> g = new ArrayList<>(synsets.size());
        List<String> l = new ArrayList<>(synsets.size());
        for (Synset s : synsets) {
            if (s.gloss().isBlank()) {
                throw new L2cException("synset " + s.pos().dataFileName() + ":" + s.offset() + " has no definition to use as a query");
            }
            g.add(s.gloss());
            l.add(s.lemmaText());
        }
        glosses = List.copyOf(g);
        lemmaTexts = List.copyOf(l);
    }

    /** Embeddings of the glosses and lemma texts, row i for synset i. */
    public record Embeddings(float[][] glosses, float[][] lemmas) {}

    public int size() {
        return glosses.size();
    }

    public List<String> glosses() {
        return glosses;
    }

    public List<String> lemmaTexts() {
        return lemmaTexts;
    }

    /** Embeds glosses and lemma texts in one pass, so batches mix both and pad little. */
    public Embeddings embed(SentenceEncoder encoder, Progress progress) throws L2cException {
        List<String> all = new ArrayList<>(2 * size());
        all.addAll(glosses);
        all.addAll(lemmaTexts);
        float[][] vectors;
        try (Progress.Task task = progress.start("embed", all.size(), "sentences")) {
            vectors = encoder.embed(all, task::advance);
        }
        float[][] g = new float[size()][];
        float[][] l = new float[size()][];
        System.arraycopy(vectors, 0, g, 0, size());
        System.arraycopy(vectors, size(), l, 0, size());
        return new Embeddings(g, l);
    }

    /** Embeds with {@code encoder} and scores; {@code reference} may be null (no cosine then). */
    public RetrievalResult run(SentenceEncoder encoder, Embeddings reference) throws L2cException {
        long start = System.nanoTime();
        Embeddings e = embed(encoder, Progress.NONE);
        return score(e, reference, (System.nanoTime() - start) / 1e9);
    }

    /** Accuracy@1 and @5 of {@code e}, and its mean gloss cosine to {@code reference} (may be null). */
    public RetrievalResult score(Embeddings e, Embeddings reference, double embedSeconds) throws L2cException {
        checkShape(e, "embeddings");
        int n = size();
        int hits1 = 0;
        int hits5 = 0;
        for (int i = 0; i < n; i++) {
            float[] query = e.glosses()[i];
            double own = dot(query, e.lemmas()[i]);
            int ahead = 0;
            for (int j = 0; j < n && ahead < 5; j++) {
                if (j != i && dot(query, e.lemmas()[j]) >= own) ahead++;
            }
            if (ahead == 0) hits1++;
            if (ahead < 5) hits5++;
        }
        double cosine = Double.NaN;
        if (reference != null) {
            checkShape(reference, "reference embeddings");
            double sum = 0;
            for (int i = 0; i < n; i++) sum += dot(e.glosses()[i], reference.glosses()[i]);
            cosine = sum / n;
        }
        return new RetrievalResult(n, (double) hits1 / n, (double) hits5 / n, cosine, embedSeconds);
    }

    private void checkShape(Embeddings e, String what) throws L2cException {
        if (e.glosses().length != size() || e.lemmas().length != size()) {
            throw new L2cException(what + " hold " + e.glosses().length + " glosses and " + e.lemmas().length
                    + " lemma texts, the task has " + size() + " synsets");
        }
    }

    /** Dot product of two unit vectors, i.e. their cosine. */
    static double dot(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("embedding sizes differ: " + a.length + " vs " + b.length);
        double s = 0;
        for (int d = 0; d < a.length; d++) s += (double) a[d] * b[d];
        return s;
    }
}
