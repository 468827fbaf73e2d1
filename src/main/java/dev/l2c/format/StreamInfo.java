package dev.l2c.format;

import java.util.Arrays;
import java.util.Objects;

/**
 * One stream of a tensor: how its payload is coded and, for RANS, its frequency table and chunk
 * table. {@code chunkOffsets} has chunkCount + 1 entries, byte offsets relative to the start of
 * the stream's payload (the first 0, the last the payload length); RAW streams have
 * {@code precisionBits} 0, no freqs, {@code chunkSymbols} 0 and chunkOffsets {@code {0}}.
 * SINGLE_LANE_RANS streams have a table, {@code chunkSymbols} 0 and one chunk, the whole payload
 * ({@code {0, length}}); PACKED streams keep their symbol width in {@code precisionBits}, no
 * freqs, {@code chunkSymbols} 0 and chunkOffsets {@code {0}}.
 * Arrays are copied in; accessors return the record's own arrays, which callers must not modify.
 */
public record StreamInfo(StreamCoding coding, int elementBytes, long elementCount, int precisionBits,
        int[] freqs, int chunkSymbols, long[] chunkOffsets) {
    /** Most symbols of a PACKED or SINGLE_LANE_RANS stream (docs/FORMAT.md). */
    public static final int MAX_SMALL_SYMBOLS = Layout.MAX_SMALL_STREAM;

    public StreamInfo {
        Objects.requireNonNull(coding, "coding");
        freqs = freqs == null ? new int[0] : freqs.clone();
        chunkOffsets = chunkOffsets == null ? new long[] {0} : chunkOffsets.clone();
    }

    /** A RAW stream of {@code elementCount} elements of {@code elementBytes} bytes. */
    public static StreamInfo raw(int elementBytes, long elementCount) {
        return new StreamInfo(StreamCoding.RAW, elementBytes, elementCount, 0, new int[0], 0, new long[] {0});
    }

    /** A RANS stream; {@code chunkOffsets} as in the class comment. */
    public static StreamInfo rans(int elementBytes, long elementCount, int precisionBits, int[] freqs,
            int chunkSymbols, long[] chunkOffsets) {
        return new StreamInfo(StreamCoding.RANS, elementBytes, elementCount, precisionBits, freqs,
                chunkSymbols, chunkOffsets);
    }

    /** A SINGLE_LANE_RANS stream whose payload has {@code payloadBytes} bytes. */
    public static StreamInfo singleLaneRans(int elementBytes, long elementCount, int precisionBits, int[] freqs,
            long payloadBytes) {
        return new StreamInfo(StreamCoding.SINGLE_LANE_RANS, elementBytes, elementCount, precisionBits, freqs, 0,
                new long[] {0, payloadBytes});
    }

    /** A PACKED stream of {@code elementCount} symbols of {@code bits} bits each. */
    public static StreamInfo packed(int elementBytes, long elementCount, int bits) {
        return new StreamInfo(StreamCoding.PACKED, elementBytes, elementCount, bits, new int[0], 0, new long[] {0});
    }

    /**
     * Pieces a writer gives the payload a CRC each: its chunks (RANS), blocks of 1 MiB (RAW), or the
     * whole payload when it is not empty (the small-stream codings).
     */
    long writtenPieces() {
        if (coding == StreamCoding.RANS) return chunkCount();
        if (coding.isSmall()) return payloadLength() > 0 ? 1 : 0;
        return (payloadLength() + Layout.RAW_CRC_BLOCK - 1) / Layout.RAW_CRC_BLOCK;
    }

    /** End of written piece {@code k} ({@link #writtenPieces}), relative to the start of the payload. */
    long pieceEnd(int k) {
        if (coding == StreamCoding.RANS) return chunkOffsets[k + 1];
        if (coding.isSmall()) return payloadLength();
        return Math.min((long) (k + 1) * Layout.RAW_CRC_BLOCK, payloadLength());
    }

    /** Number of rANS chunks (0 for RAW and PACKED streams, 1 for SINGLE_LANE_RANS). */
    public int chunkCount() {
        return chunkOffsets.length - 1;
    }

    /** The symbol width in bits of a PACKED stream. */
    public int packedBits() {
        if (coding != StreamCoding.PACKED) throw new IllegalStateException(coding + " stream has no symbol width");
        return precisionBits;
    }

    /**
     * Bytes of the payload: the last chunk offset for the rANS codings, elementCount × elementBytes
     * for RAW, ceil(elementCount × bits / 8) for PACKED (saturating at Long.MAX_VALUE, which no
     * valid stream reaches).
     */
    public long payloadLength() {
        if (coding.isRans()) return chunkOffsets[chunkOffsets.length - 1];
        if (coding == StreamCoding.PACKED) {
            return precisionBits <= 0 ? 0 : elementCount <= (Long.MAX_VALUE - 7) / precisionBits ? (elementCount * precisionBits + 7) / 8 : Long.MAX_VALUE;
        }
        return elementBytes <= 0 || elementCount <= Long.MAX_VALUE / elementBytes
                ? elementCount * elementBytes : Long.MAX_VALUE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamInfo s && s.coding == coding && s.elementBytes == elementBytes
                && s.elementCount == elementCount && s.precisionBits == precisionBits
                && s.chunkSymbols == chunkSymbols && Arrays.equals(s.freqs, freqs)
                && Arrays.equals(s.chunkOffsets, chunkOffsets);
    }

    @Override
    public int hashCode() {
        return Objects.hash(coding, elementBytes, elementCount, precisionBits, chunkSymbols,
                Arrays.hashCode(freqs), Arrays.hashCode(chunkOffsets));
    }

    @Override
    public String toString() {
        return "StreamInfo[" + coding + ", " + elementBytes + " B x " + elementCount + ", P=" + precisionBits
                + ", A=" + freqs.length + ", " + chunkCount() + " chunks of " + chunkSymbols + ", "
                + payloadLength() + " B]";
    }
}
