package dev.l2c.data;

import dev.l2c.L2cException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Deterministic, seeded samples of synsets for evaluation and calibration, disjoint by
 * construction.
 *
 * <p>Each synset falls into one of two fixed halves by a hash of its key (part of speech and
 * offset) that does not depend on the seed: {@link Split#EVALUATION} or {@link Split#CALIBRATION}.
 * So no seed can ever put a calibration synset into an evaluation set. Within a half, the seed
 * orders the synsets by a second hash (a bijection of the key, so there are no ties and the order
 * does not depend on the order of the input list), and the first {@code n} usable ones are taken.
 * Usable means: a non-empty definition, and lemma text (case-insensitive) not already taken, so
 * that each gloss has exactly one right answer among the selected lemma texts.
 */
public final class SynsetSelection {
    public static final int DEFAULT_COUNT = 2_000;
    public static final long DEFAULT_SEED = 0;

    /** Fixed salt of the split hash; changing it would reshuffle every published figure. */
    private static final long SPLIT_SALT = 0x6c32632d73706c74L;

    public enum Split { EVALUATION, CALIBRATION }

    private SynsetSelection() {}

    /** The half a synset belongs to, the same for every seed. */
    public static Split splitOf(Synset s) {
        return (mix(s.key() ^ SPLIT_SALT) & 1) == 0 ? Split.EVALUATION : Split.CALIBRATION;
    }

    /** {@code n} usable synsets of {@code split}, chosen by {@code seed}, in selection order. */
    public static List<Synset> select(List<Synset> all, Split split, int n, long seed) throws L2cException {
        if (n < 1) throw new L2cException("--n: the number of synsets must be at least 1, got " + n);
        long seedMix = mix(seed);
        List<Synset> pool = new ArrayList<>();
        for (Synset s : all) {
            if (splitOf(s) == split && !s.gloss().isEmpty()) pool.add(s);
        }
        pool.sort(Comparator.comparingLong(s -> mix(s.key() ^ seedMix)));
        List<Synset> chosen = new ArrayList<>(n);
        Set<String> lemmaTexts = new HashSet<>();
        for (Synset s : pool) {
            if (chosen.size() == n) break;
            if (lemmaTexts.add(s.lemmaText().toLowerCase(Locale.ROOT))) chosen.add(s);
        }
        if (chosen.size() < n) {
            throw new L2cException("--n: only " + chosen.size() + " usable " + split.name().toLowerCase(Locale.ROOT)
                    + " synsets exist, " + n + " were asked for");
        }
        return chosen;
    }

    /** SplitMix64's finalizer: a bijection on 64-bit values that spreads every input bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
