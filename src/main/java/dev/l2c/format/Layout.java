package dev.l2c.format;

/** Fixed numbers of the layout (docs/FORMAT.md), version 4 and what differs in versions 1 to 3. */
final class Layout {
    static final byte[] MAGIC = {(byte) 0x89, 'L', '2', 'C', '\r', '\n', 0x1a, '\n'};
    /** The version written; a reader reads this one and every earlier one. */
    static final int VERSION = 4;
    /** From this version on the index section is framed and may be compressed ({@link IndexFraming}). */
    static final int FRAMED_INDEX = 3;
    /** From this version on a quantized tensor's symbols may be PACKED or SINGLE_LANE_RANS. */
    static final int SMALL_STREAMS = 4;
    /**
     * Most symbols of a PACKED or SINGLE_LANE_RANS stream: one default rANS chunk. Such a stream is
     * decoded on the host, whole; a larger one saves under 0.1 % with one lane and decodes faster
     * with 32.
     */
    static final int MAX_SMALL_STREAM = 1 << 16;
    /** Widest PACKED symbol: a dense index below 65,536. */
    static final int MAX_PACKED_BITS = 16;
    /**
     * Version 2: a payload of at least this many bytes starts 64-byte aligned, a shorter one right
     * after the previous payload (padding would cost a small model's file up to 63 bytes per
     * stream). Version 1 aligns every payload.
     */
    static final long MIN_ALIGNED_PAYLOAD = 4096;
    static final int HEADER_BYTES = 64;
    static final int HEADER_CRC_AT = 60;
    static final int FOOTER_BYTES = 32;
    static final int FOOTER_CRC_COVERS = 20;
    static final int ALIGN = 64;
    static final int RAW_CRC_BLOCK = 1 << 20;
    static final int MAX_RANK = 64;
    static final int MAX_ALPHABET = 1 << 16;
    static final int MAX_PRECISION = 16;
    static final long MAX_ELEMENTS = 1L << 62;
    /** rANS lanes: chunkSymbols is a multiple of this (src/main/cpp/l2c/rans_core.h). */
    static final int LANES = 32;
    /** Largest chunkSymbols: it bounds the memory one decoded chunk needs. */
    static final int MAX_CHUNK_SYMBOLS = 1 << 24;
    /** Largest crcBlockBytes: a block is read whole to check its CRC. */
    static final int MAX_CRC_BLOCK = 1 << 24;
    /** Largest index a v1 reader accepts; it is read into one heap buffer. */
    static final long MAX_INDEX_BYTES = Integer.MAX_VALUE - 8;

    private Layout() {
    }

    /** The most bytes a chunk of {@code chunkSymbols} symbols codes to: 32 lane states and a word per symbol. */
    static long maxChunkBytes(int chunkSymbols) {
        return 4L * LANES + 2L * chunkSymbols;
    }

    static long alignUp(long position) {
        return (position + ALIGN - 1) & -ALIGN;
    }

    /** Whether a payload of {@code length} bytes must start at an aligned offset in a file of {@code version}. */
    static boolean aligned(int version, long length) {
        return version < 2 || length >= MIN_ALIGNED_PAYLOAD;
    }

    /** Where the writer starts a payload of {@code length} bytes when the previous one ended at {@code position}. */
    static long payloadStart(long position, long length) {
        return aligned(VERSION, length) ? alignUp(position) : position;
    }
}
