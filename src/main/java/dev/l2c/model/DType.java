package dev.l2c.model;

import java.util.Optional;

/**
 * Element types of model weights, with their names in safetensors headers and their codes in
 * ONNX {@code TensorProto.data_type}. All are stored little-endian, fixed width; BOOL is one byte.
 */
public enum DType {
    F64(8, true, "F64", 11),
    F32(4, true, "F32", 1),
    F16(2, true, "F16", 10),
    BF16(2, true, "BF16", 16),
    I64(8, false, "I64", 7),
    I32(4, false, "I32", 6),
    I16(2, false, "I16", 5),
    I8(1, false, "I8", 3),
    U64(8, false, "U64", 13),
    U32(4, false, "U32", 12),
    U16(2, false, "U16", 4),
    U8(1, false, "U8", 2),
    BOOL(1, false, "BOOL", 9);

    private final int byteSize;
    private final boolean isFloat;
    private final String safetensorsName;
    private final int onnxCode;

    DType(int byteSize, boolean isFloat, String safetensorsName, int onnxCode) {
        this.byteSize = byteSize;
        this.isFloat = isFloat;
        this.safetensorsName = safetensorsName;
        this.onnxCode = onnxCode;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for the floating-point types F64, F32, F16 and BF16. */
    public boolean isFloat() {
        return isFloat;
    }

    /** The name a safetensors header uses, e.g. "BF16". */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** The ONNX {@code TensorProto.DataType} code, e.g. 1 for FLOAT. */
    public int onnxCode() {
        return onnxCode;
    }

    /** The type a safetensors header names (case-sensitive, as the format defines), if known. */
    public static Optional<DType> fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.safetensorsName.equals(name)) return Optional.of(t);
        }
        return Optional.empty();
    }

    /** The type of an ONNX data type code, if l2c has one for it (not strings, complex, 8/4-bit floats). */
    public static Optional<DType> fromOnnxCode(int code) {
        for (DType t : values()) {
            if (t.onnxCode == code) return Optional.of(t);
        }
        return Optional.empty();
    }
}
