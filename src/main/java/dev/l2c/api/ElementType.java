package dev.l2c.api;

import dev.l2c.model.DType;

/**
 * The element type of a tensor: what it was compressed from, or what it is decoded to. Immutable
 * constants, safe to share.
 */
public enum ElementType {
    /** IEEE 754 binary64. */
    F64(DType.F64),
    /** IEEE 754 binary32. */
    F32(DType.F32),
    /** IEEE 754 binary16. */
    F16(DType.F16),
    /** bfloat16: the upper half of a binary32. */
    BF16(DType.BF16),
    /** Signed 64-bit integer. */
    I64(DType.I64),
    /** Signed 32-bit integer. */
    I32(DType.I32),
    /** Signed 16-bit integer. */
    I16(DType.I16),
    /** Signed 8-bit integer. */
    I8(DType.I8),
    /** Unsigned 64-bit integer. */
    U64(DType.U64),
    /** Unsigned 32-bit integer. */
    U32(DType.U32),
    /** Unsigned 16-bit integer. */
    U16(DType.U16),
    /** Unsigned 8-bit integer. */
    U8(DType.U8),
    /** Boolean, one byte. */
    BOOL(DType.BOOL);

    private final DType dtype;

    ElementType(DType dtype) {
        this.dtype = dtype;
    }

    /**
     * Its width.
     *
     * @return bytes per element (BOOL: one)
     */
    public int bytes() {
        return dtype.byteSize();
    }

    /**
     * Whether it is a floating-point type (a tensor of which decodes to F32, F16 or BF16).
     *
     * @return true for F64, F32, F16 and BF16
     */
    public boolean isFloat() {
        return dtype.isFloat();
    }

    DType dtype() {
        return dtype;
    }

    static ElementType of(DType dtype) {
        return valueOf(dtype.name());
    }
}
