package dev.l2c.codec;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An rANS-coded symbol stream: the table, the symbol count, the chunk size, the chunk table
 * (byte offsets of each chunk in the payload plus the end, first 0) and the payload (a direct
 * buffer; its remaining bytes are the concatenated chunks). The container stores all of it.
 *
 * <p>The constructor checks the shape (IllegalArgumentException); whether offsets are in range and
 * chunks decode is checked when decoding, as L2cException naming the chunk. {@link #of} is the
 * checked variant for streams described by a file.
 */
public record EncodedStream(
        FrequencyTable table, long symbolCount, int chunkSymbols, long[] chunkOffsets, ByteBuffer payload) {
    public static final int DEFAULT_CHUNK_SYMBOLS = 65536;
    /** Bytes of the 32 lane states at the head of every chunk. */
    public static final int CHUNK_HEADER_BYTES = 128;

    public EncodedStream {
        String problem = problem(table, symbolCount, chunkSymbols, chunkOffsets, payload);
        if (problem != null) throw new IllegalArgumentException(problem);
        chunkOffsets = chunkOffsets.clone();
    }

    public static EncodedStream of(
            FrequencyTable table, long symbolCount, int chunkSymbols, long[] chunkOffsets, ByteBuffer payload)
            throws L2cException {
        String problem = problem(table, symbolCount, chunkSymbols, chunkOffsets, payload);
        if (problem != null) throw new L2cException(problem);
        return new EncodedStream(table, symbolCount, chunkSymbols, chunkOffsets, payload);
    }

    private static String problem(
            FrequencyTable table, long symbolCount, int chunkSymbols, long[] chunkOffsets, ByteBuffer payload) {
        if (table == null || chunkOffsets == null || payload == null)
            return "rANS stream: missing table, chunk offsets or payload";
        if (!payload.isDirect()) return "rANS stream: payload must be a direct buffer";
        if (symbolCount < 0) return "rANS stream: negative symbol count " + symbolCount;
        if (!validChunkSymbols(chunkSymbols))
            return "rANS stream: chunk size " + chunkSymbols + " is not a positive multiple of 32";
        long chunks = chunkCount(symbolCount, chunkSymbols);
        if (chunks >= Integer.MAX_VALUE)
            return "rANS stream: " + chunks + " chunks, too many";
        if (chunkOffsets.length != chunks + 1)
            return "rANS stream: " + chunkOffsets.length + " chunk offsets for " + chunks
                    + " chunks (expected " + (chunks + 1) + ")";
        return null;
    }

    public static boolean validChunkSymbols(int chunkSymbols) {
        return chunkSymbols > 0 && chunkSymbols % 32 == 0;
    }

    public static long chunkCount(long symbols, int chunkSymbols) {
        return (symbols + chunkSymbols - 1) / chunkSymbols;
    }

    /** Number of chunks. */
    public int chunkCount() {
        return chunkOffsets.length - 1;
    }

    /** Coded bytes: the payload's remaining bytes. */
    public long payloadBytes() {
        return payload.remaining();
    }

    /** Symbols held by chunks [firstChunk, firstChunk + count). */
    public long symbolsIn(int firstChunk, int count) {
        checkChunkRange(firstChunk, count);
        if (count == 0) return 0;
        long start = (long) firstChunk * chunkSymbols;
        return Math.min(start + (long) count * chunkSymbols, symbolCount) - start;
    }

    /** Throws IndexOutOfBoundsException unless [firstChunk, firstChunk + count) lies in the stream. */
    public void checkChunkRange(int firstChunk, int count) {
        if (firstChunk < 0 || count < 0 || (long) firstChunk + count > chunkCount())
            throw new IndexOutOfBoundsException("chunks [" + firstChunk + ", " + ((long) firstChunk + count)
                    + ") outside the stream's " + chunkCount() + " chunks");
    }

    /** A copy of the chunk offsets. */
    @Override
    public long[] chunkOffsets() {
        return chunkOffsets.clone();
    }

    /** Offsets of chunks [firstChunk, firstChunk + count], count + 1 entries. */
    long[] offsetsOf(int firstChunk, int count) {
        return Arrays.copyOfRange(chunkOffsets, firstChunk, firstChunk + count + 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedStream s
                && s.table.equals(table)
                && s.symbolCount == symbolCount
                && s.chunkSymbols == chunkSymbols
                && Arrays.equals(s.chunkOffsets, chunkOffsets)
                && s.payload.equals(payload);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(chunkOffsets) * 31 + Long.hashCode(symbolCount);
    }

    @Override
    public String toString() {
        return "EncodedStream[" + table + ", symbols=" + symbolCount + ", chunkSymbols=" + chunkSymbols
                + ", chunks=" + chunkCount() + ", bytes=" + payloadBytes() + "]";
    }
}
