package dev.l2c.codec;

/**
 * A model of what a rANS-coded tensor costs in the file beyond the information in its symbols, so
 * that a rate estimate (the counter's bits) can be turned into file bytes before anything is coded.
 *
 * <p>Payload (src/main/cpp/l2c/rans_core.h): every chunk stores its 32 final lane states (32 bits
 * each) and one 16-bit word per renormalization. A lane starts at L = 2^16 and holds the
 * information I_l of its symbols in its state until the state would pass 2^32; so a lane with
 * I_l <= 16 bits costs exactly its 32-bit state, and a busier lane costs I_l + 48 - log2 x_end,
 * where the final state x_end lies in [2^16, 2^32), about log-uniformly: I_l + 24 bits on average.
 * Per lane the model is max(32, I_l + 24) bits, with the chunk's information split over the lanes
 * by their symbol counts.
 *
 * <p>Index (docs/FORMAT.md): per stream the frequency table (one varint per symbol of the table's
 * precision P, chosen near log2 n) and the alphabet (one delta varint per symbol, one byte for
 * consecutive values), the chunk list (a varint size and a 4-byte CRC per chunk), and before the
 * payload the alignment padding, on average half an alignment unit.
 */
public final class RansSizeModel {
    private static final int LANES = 32;
    private static final double STATE_BITS = 32;
    /** Bits a busy lane pays beyond its information: 16 of L, plus 32 - E[log2 x_end] = 8. */
    private static final double BUSY_LANE_EXTRA_BITS = 24;
    private static final double CRC_BITS = 32;
    /** Expected zero padding before a payload aligned to 64 bytes. */
    public static final double PADDING_BITS = 8 * 31.5;

    private RansSizeModel() {}

    /** Modelled payload bits of n symbols carrying {@code infoBits} in chunks of {@code chunkSymbols}. */
    public static double payloadBits(long n, double infoBits, int chunkSymbols) {
        if (n <= 0) return 0;
        double perSymbol = Math.max(0, infoBits) / n;
        double bits = 0;
        for (long start = 0; start < n; start += chunkSymbols) {
            long m = Math.min(chunkSymbols, n - start);
            long rows = m / LANES;
            int longLanes = (int) (m % LANES); // lanes with one symbol more than the rest
            bits += longLanes * lane((rows + 1) * perSymbol) + (LANES - longLanes) * lane(rows * perSymbol);
        }
        return bits;
    }

    private static double lane(double infoBits) {
        return Math.max(STATE_BITS, infoBits + BUSY_LANE_EXTRA_BITS);
    }

    /**
     * Modelled index bits of one quantized stream: table and alphabet of a source whose symbol
     * probabilities are {@code probs} (bins that the counter gives no mass are left out), and the
     * chunk list.
     */
    public static double indexBits(long n, double[] probs, int chunkSymbols) {
        int present = 0;
        for (double p : probs) if (p * n >= 0.5) present++;
        present = Math.max(1, present);
        int precision = (int) Math.max(32 - Integer.numberOfLeadingZeros(present - 1),
                Math.min(FrequencyTable.MAX_PRECISION, Math.ceil(Math.log(Math.max(2, n)) / Math.log(2))));
        double bits = 0;
        for (double p : probs) {
            if (p * n < 0.5) continue;
            long f = Math.max(1, Math.round(p * (1L << precision)));
            bits += 8 * varintBytes(f) + 8; // frequency, alphabet delta
        }
        long chunks = Math.max(1, (n + chunkSymbols - 1) / chunkSymbols);
        for (long c = 0; c < chunks; c++) bits += 8 * varintBytes(4L * LANES + 2L * Math.min(chunkSymbols, n)) + CRC_BITS;
        return bits;
    }

    /** The side information of one tensor: payload bits beyond {@code infoBits}, index bits and padding. */
    public static double sideBits(long n, double infoBits, double[] probs, int chunkSymbols) {
        return payloadBits(n, infoBits, chunkSymbols) - infoBits + indexBits(n, probs, chunkSymbols) + PADDING_BITS;
    }

    private static int varintBytes(long v) {
        int bytes = 1;
        while ((v >>>= 7) != 0) bytes++;
        return bytes;
    }
}
