package dev.l2c.format;

/** How a stream's payload encodes its elements (docs/FORMAT.md, stream). */
public enum StreamCoding {
    /** The elements as they are, little-endian. */
    RAW(0),
    /** Chunked interleaved rANS; the chunk table lies in the index. */
    RANS(1);

    private final int code;

    StreamCoding(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The coding with this code, or null. */
    public static StreamCoding fromCode(int code) {
        for (StreamCoding c : values()) {
            if (c.code == code) return c;
        }
        return null;
    }
}
