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
 * consecutive values), the chunk list (a varint size and a 4-byte CRC per chunk), and before a
 * payload of 4 KiB or more the alignment padding, on average half an alignment unit.
 *
 * <p>A small tensor (at most 2^16 symbols) may code its symbols with one rANS lane instead (format
 * version 4: one 32-bit state, the table and alphabet, one CRC, no chunk list), or bit-pack them
 * at ceil(log2 A) bits each (no state, no table; the alphabet and one CRC). The side information
 * of a tensor is that of the cheapest, as the encoder picks the cheapest entry.
 *
 * <p>The index is counted as it is before compression; since format version 3 the file stores it
 * DEFLATE-compressed, about half of that. The ratio closing measures the real file and corrects
 * its rate target, so the difference does not reach the file's size.
 */
public final class RansSizeModel {
    private static final int LANES = 32;
    /** Most symbols of the small-stream codings (docs/FORMAT.md, version 4). */
    private static final long MAX_SMALL_SYMBOLS = 1L << 16;
    private static final double STATE_BITS = 32;
    /** Bits a busy lane pays beyond its information: 16 of L, plus 32 - E[log2 x_end] = 8. */
    private static final double BUSY_LANE_EXTRA_BITS = 24;
    private static final double CRC_BITS = 32;
    /** Expected zero padding before a payload aligned to 64 bytes. */
    private static final double PADDING_BITS = 8 * 31.5;
    /** Payloads from this size on are aligned (docs/FORMAT.md, version 2). */
    private static final double ALIGNED_PAYLOAD_BITS = 8 * 4096;

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

    /** Modelled payload bits of a single-lane rANS stream carrying {@code infoBits}: one lane. */
    public static double singleLanePayloadBits(double infoBits) {
        return lane(Math.max(0, infoBits));
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
        return tableBits(n, probs) + alphabetBits(n, probs) + chunkListBits(n, chunkSymbols);
    }

    /** Modelled index bits of a single-lane rANS stream: table, alphabet and its one CRC. */
    public static double singleLaneIndexBits(long n, double[] probs) {
        return tableBits(n, probs) + alphabetBits(n, probs) + CRC_BITS;
    }

    private static double tableBits(long n, double[] probs) {
        int precision = precision(n, probs);
        double bits = 0;
        for (double p : probs) if (p * n >= 0.5) bits += 8 * varintBytes(Math.max(1, Math.round(p * (1L << precision))));
        return bits;
    }

    /**
     * Modelled bits of the symbols bit-packed: ceil(log2 A) bits each for the A symbols present,
     * the alphabet, the width byte, one CRC (none for an empty payload) and the padding.
     */
    public static double packedBits(long n, double[] probs) {
        int present = present(n, probs);
        int width = present <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(present - 1);
        double payload = 8 * Math.ceil(n * width / 8.0);
        return payload + alphabetBits(n, probs) + 8 + (payload > 0 ? CRC_BITS : 0) + padding(payload);
    }

    private static int present(long n, double[] probs) {
        int present = 0;
        for (double p : probs) if (p * n >= 0.5) present++;
        return Math.max(1, present);
    }

    private static int precision(long n, double[] probs) {
        int present = present(n, probs);
        return (int) Math.max(32 - Integer.numberOfLeadingZeros(present - 1),
                Math.min(FrequencyTable.MAX_PRECISION, Math.ceil(Math.log(Math.max(2, n)) / Math.log(2))));
    }

    private static double alphabetBits(long n, double[] probs) {
        return 8.0 * present(n, probs);
    }

    private static double chunkListBits(long n, int chunkSymbols) {
        long chunks = Math.max(1, (n + chunkSymbols - 1) / chunkSymbols);
        return chunks * (8.0 * varintBytes(4L * LANES + 2L * Math.min(chunkSymbols, n)) + CRC_BITS);
    }

    private static double padding(double payloadBits) {
        return payloadBits >= ALIGNED_PAYLOAD_BITS ? PADDING_BITS : 0;
    }

    /** Modelled padding before a rANS payload of n symbols carrying {@code infoBits}. */
    public static double ransPaddingBits(long n, double infoBits, int chunkSymbols) {
        return padding(payloadBits(n, infoBits, chunkSymbols));
    }

    /**
     * The side information of one tensor, in bits beyond {@code infoBits}: for rANS the payload's
     * lane states and renormalization, the index's table, alphabet and chunk list and the padding;
     * for a small tensor, whichever of that, single-lane rANS and packed symbols costs least.
     */
    public static double sideBits(long n, double infoBits, double[] probs, int chunkSymbols) {
        double payload = payloadBits(n, infoBits, chunkSymbols);
        double cost = payload + indexBits(n, probs, chunkSymbols) + padding(payload);
        if (n <= MAX_SMALL_SYMBOLS) {
            double oneLane = singleLanePayloadBits(infoBits);
            cost = Math.min(cost, oneLane + singleLaneIndexBits(n, probs) + padding(oneLane));
            cost = Math.min(cost, packedBits(n, probs));
        }
        return cost - infoBits;
    }

    private static int varintBytes(long v) {
        int bytes = 1;
        while ((v >>>= 7) != 0) bytes++;
        return bytes;
    }
}
