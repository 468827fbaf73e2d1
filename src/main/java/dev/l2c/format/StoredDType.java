package dev.l2c.format;

/** A tensor's original element type as the container records it (docs/FORMAT.md, dtype table). */
public enum StoredDType {
    F64(1, 8), F32(2, 4), F16(3, 2), BF16(4, 2),
    I64(5, 8), I32(6, 4), I16(7, 2), I8(8, 1),
    U64(9, 8), U32(10, 4), U16(11, 2), U8(12, 1),
    BOOL(13, 1);

    private final int code;
    private final int bytes;

    StoredDType(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    public int code() {
        return code;
    }

    /** Bytes of one element. */
    public int bytes() {
        return bytes;
    }

    /** The dtype with this code, or null if the code is not in the table. */
    public static StoredDType fromCode(int code) {
        for (StoredDType t : values()) {
            if (t.code == code) return t;
        }
        return null;
    }
}
