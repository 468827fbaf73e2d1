package dev.l2c.codec;

import dev.l2c.L2cException;
import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * A normalized rANS frequency table over the dense alphabet [0, freqs.length): every frequency in
 * [0, 2^precisionBits], summing to exactly 2^precisionBits, precisionBits in [1, 16], at most
 * 65,536 symbols. A symbol of frequency 0 cannot be coded.
 *
 * <p>The constructor rejects an invalid table with IllegalArgumentException (a programming error);
 * {@link #of} is the checked variant for tables read from files.
 */
public record FrequencyTable(int precisionBits, int[] freqs) {
    public static final int MAX_PRECISION = 16;
    /**
     * Tables of up to {@link #PACKED_ALPHABET} symbols stay at or below this precision when that
     * costs at most {@link #PACKED_SLACK} more bits: there the decoder reads one packed word per slot
     * from a table that stays in L1, more than twice as fast (docs/DESIGN.md, "Lossless stage"; l2c/rans_core.h,
     * kPackedMaxPrecision). On MiniLM's 8-bit tensors the cap costs 0.3 % in size
     * (benchmarks/README.md); on very skewed sources (a symbol near probability 1) a 2^-12 floor for
     * the rare symbols can cost several times the entropy, and those keep their higher precision.
     */
    public static final int PACKED_PRECISION = 12;
    /** Largest alphabet of the decoder's packed tables (l2c/rans_core.h, kPackedMaxAlphabet). */
    public static final int PACKED_ALPHABET = 256;
    /** Size a packed table may cost over the best one, as a fraction. */
    public static final double PACKED_SLACK = 0.01;
    public static final int MAX_ALPHABET = 65536;

    public FrequencyTable {
        String problem = problem(precisionBits, freqs);
        if (problem != null) throw new IllegalArgumentException(problem);
        freqs = freqs.clone();
    }

    /** The checked constructor: an invalid table gives L2cException naming what is wrong. */
    public static FrequencyTable of(int precisionBits, int[] freqs) throws L2cException {
        String problem = problem(precisionBits, freqs);
        if (problem != null) throw new L2cException(problem);
        return new FrequencyTable(precisionBits, freqs);
    }

    private static String problem(int precisionBits, int[] freqs) {
        if (freqs == null) return "frequency table: no frequencies";
        if (precisionBits < 1 || precisionBits > MAX_PRECISION)
            return "frequency table: precision " + precisionBits + " outside [1, 16]";
        if (freqs.length < 1 || freqs.length > MAX_ALPHABET)
            return "frequency table: alphabet size " + freqs.length + " outside [1, 65536]";
        long total = 1L << precisionBits;
        long sum = 0;
        for (int s = 0; s < freqs.length; s++) {
            if (freqs[s] < 0 || freqs[s] > total)
                return "frequency table: frequency " + freqs[s] + " of symbol " + s
                        + " outside [0, 2^" + precisionBits + "]";
            sum += freqs[s];
        }
        if (sum != total)
            return "frequency table: frequencies sum to " + sum + ", not 2^" + precisionBits;
        return null;
    }

    /** A copy of the frequencies (the record keeps its own array immutable). */
    @Override
    public int[] freqs() {
        return freqs.clone();
    }

    int[] freqsNoCopy() {
        return freqs;
    }

    public int alphabetSize() {
        return freqs.length;
    }

    public int frequency(int symbol) {
        return freqs[symbol];
    }

    /**
     * Exact ideal coded size in bits of a source with these symbol counts under this table:
     * sum n_k (P - log2 f_k). Infinite when a counted symbol has frequency 0 or lies outside the
     * alphabet.
     */
    public double estimatedBits(long[] counts) {
        double bits = 0;
        for (int s = 0; s < counts.length; s++) {
            if (counts[s] == 0) continue;
            if (s >= freqs.length || freqs[s] == 0) return Double.POSITIVE_INFINITY;
            bits += counts[s] * (precisionBits - log2(freqs[s]));
        }
        return bits;
    }

    /**
     * Estimated cost of storing this table, in bits: an Elias-gamma code of f + 1 per symbol.
     * Used to choose the precision; the container's real encoding may differ a little.
     */
    public long estimatedTableBits() {
        long bits = 0;
        for (int f : freqs) bits += 2L * (63 - Long.numberOfLeadingZeros(f + 1L)) + 1;
        return bits;
    }

    /**
     * Normalizes symbol counts to a table: every counted symbol gets f >= 1, uncounted ones 0. The
     * precision minimizes ideal coded bits plus the estimated table bits; at each precision the
     * frequencies are scaled and rounded, then the sum is fixed by changing, one unit at a time,
     * the frequency whose change costs the fewest coded bits. Up to {@link #PACKED_ALPHABET}
     * symbols, a precision of at most {@link #PACKED_PRECISION} is taken when it costs at most
     * {@link #PACKED_SLACK} more. A source with no symbols gets a table with all weight on symbol 0.
     */
    public static FrequencyTable fromCounts(long[] counts) {
        FrequencyTable best = fromCounts(counts, MAX_PRECISION);
        if (counts.length > PACKED_ALPHABET || best.precisionBits <= PACKED_PRECISION) return best;
        FrequencyTable packed = fromCounts(counts, PACKED_PRECISION);
        return packed.precisionBits <= PACKED_PRECISION && packed.cost(counts) <= best.cost(counts) * (1 + PACKED_SLACK)
                ? packed
                : best;
    }

    /** Ideal coded bits plus the estimated table bits: what the precision search minimizes. */
    private double cost(long[] counts) {
        return estimatedBits(counts) + estimatedTableBits();
    }

    /**
     * The table of the lowest cost among precisions up to maxPrecision (in [1, 16]; higher only when
     * more symbols are present than 2^maxPrecision slots).
     */
    public static FrequencyTable fromCounts(long[] counts, int maxPrecision) {
        if (maxPrecision < 1 || maxPrecision > MAX_PRECISION)
            throw new IllegalArgumentException("precision " + maxPrecision + " outside [1, 16]");
        if (counts.length < 1 || counts.length > MAX_ALPHABET)
            throw new IllegalArgumentException(
                    "alphabet size " + counts.length + " outside [1, 65536]");
        long total = 0;
        int present = 0;
        for (long c : counts) {
            if (c < 0) throw new IllegalArgumentException("negative symbol count " + c);
            total += c;
            if (c > 0) present++;
        }
        if (present == 0) {
            int[] f = new int[counts.length];
            f[0] = 2;
            return new FrequencyTable(1, f);
        }
        int minPrecision = Math.max(1, 32 - Integer.numberOfLeadingZeros(present - 1));
        FrequencyTable best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        // More present symbols than 2^maxPrecision slots: the smallest precision that holds them.
        int top = Math.max(minPrecision, maxPrecision);
        for (int p = minPrecision; p <= top; p++) {
            FrequencyTable t = new FrequencyTable(p, normalize(counts, total, p));
            double cost = t.cost(counts);
            if (cost < bestCost) {
                bestCost = cost;
                best = t;
            }
        }
        return best;
    }

    private static int[] normalize(long[] counts, long total, int precision) {
        final long target = 1L << precision;
        final int[] f = new int[counts.length];
        long sum = 0;
        for (int s = 0; s < counts.length; s++) {
            if (counts[s] == 0) continue;
            f[s] = (int) Math.max(1, Math.round((double) counts[s] * target / total));
            sum += f[s];
        }
        if (sum == target) return f;
        final boolean grow = sum < target;
        // Priority: the coded-bit change of moving f[s] one unit in the needed direction; the
        // queue yields the cheapest move first (for growth, the largest saving).
        final double[] delta = new double[counts.length];
        PriorityQueue<Integer> queue =
                new PriorityQueue<>(Math.max(1, counts.length), (a, b) -> Double.compare(delta[a], delta[b]));
        for (int s = 0; s < counts.length; s++) {
            if (counts[s] == 0 || (!grow && f[s] == 1)) continue;
            delta[s] = moveCost(counts[s], f[s], grow);
            queue.add(s);
        }
        while (sum != target) {
            int s = queue.poll();
            f[s] += grow ? 1 : -1;
            sum += grow ? 1 : -1;
            if (grow || f[s] > 1) {
                delta[s] = moveCost(counts[s], f[s], grow);
                queue.add(s);
            }
        }
        return f;
    }

    // Bits added by f -> f+1 (negative: a saving) or f -> f-1 for a symbol seen n times.
    private static double moveCost(long n, int f, boolean grow) {
        return grow ? -n * (log2(f + 1) - log2(f)) : n * (log2(f) - log2(f - 1));
    }

    private static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FrequencyTable t
                && t.precisionBits == precisionBits
                && Arrays.equals(t.freqs, freqs);
    }

    @Override
    public int hashCode() {
        return 31 * precisionBits + Arrays.hashCode(freqs);
    }

    @Override
    public String toString() {
        return "FrequencyTable[P=" + precisionBits + ", A=" + freqs.length + "]";
    }
}
