package dev.l2c.format;

/** How a stream's payload encodes its elements (docs/FORMAT.md, stream). */
public enum StreamCoding {
    /** The elements as they are, little-endian. */
    RAW(0),
    /** Chunked interleaved rANS; the chunk table lies in the index. */
    RANS(1),
    /** Dense symbols bit-packed at a fixed width (version 4; small streams). */
    PACKED(2),
    /** rANS with one lane: one 4-byte state instead of 32 (version 4; small streams). */
    SINGLE_LANE_RANS(3);

    private final int code;

    StreamCoding(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Whether the payload is rANS-coded under a frequency table in the index. */
    public boolean isRans() {
        return this == RANS || this == SINGLE_LANE_RANS;
    }

    /** Whether the stream is one of the small-stream codings of version 4, checked by one CRC. */
    public boolean isSmall() {
        return this == PACKED || this == SINGLE_LANE_RANS;
    }

    /** The coding with this code, or null. */
    public static StreamCoding fromCode(int code) {
        for (StreamCoding c : values()) {
            if (c.code == code) return c;
        }
        return null;
    }
}
