package dev.l2c.format;

/** How a tensor's values are stored (docs/FORMAT.md, kind). */
public enum TensorKind {
    /** The tensor's bytes as they were, in one RAW stream. */
    RAW(0),
    /** rANS-coded symbols, a value being transform(alphabet[symbol]). */
    QUANTIZED(1),
    /** Byte planes of the floats, some planes rANS-coded, some RAW. */
    LOSSLESS_FLOAT(2);

    private final int code;

    TensorKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The kind with this code, or null. */
    public static TensorKind fromCode(int code) {
        for (TensorKind k : values()) {
            if (k.code == code) return k;
        }
        return null;
    }
}
