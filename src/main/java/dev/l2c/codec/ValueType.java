package dev.l2c.codec;

/** Output type of fused decoding (symbol -> value -> this type, little-endian). */
public enum ValueType {
    F32(0, 4),
    F16(1, 2),
    BF16(2, 2);

    private final int nativeCode;
    private final int bytes;

    ValueType(int nativeCode, int bytes) {
        this.nativeCode = nativeCode;
        this.bytes = bytes;
    }

    /** The code the native kernels use for this type. */
    public int nativeCode() {
        return nativeCode;
    }

    /** Bytes per value. */
    public int bytes() {
        return bytes;
    }
}
