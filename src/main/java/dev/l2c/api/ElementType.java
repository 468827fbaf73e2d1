package dev.l2c.api;

import dev.l2c.model.DType;

/** The element type of a tensor: what it was compressed from, or what it is decoded to. */
public enum ElementType {
    F64(DType.F64),
    F32(DType.F32),
    F16(DType.F16),
    BF16(DType.BF16),
    I64(DType.I64),
    I32(DType.I32),
    I16(DType.I16),
    I8(DType.I8),
    U64(DType.U64),
    U32(DType.U32),
    U16(DType.U16),
    U8(DType.U8),
    BOOL(DType.BOOL);

    private final DType dtype;

    ElementType(DType dtype) {
        this.dtype = dtype;
    }

    /** Bytes per element (BOOL: one). */
    public int bytes() {
        return dtype.byteSize();
    }

    /** Whether a tensor of this type can be decoded to F32, F16 or BF16 (the floating-point types). */
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
