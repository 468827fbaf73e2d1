package dev.l2c.pipeline;

import dev.l2c.codec.FloatPlaneCodec;
import dev.l2c.codec.ValueType;
import dev.l2c.format.StoredDType;
import dev.l2c.model.DType;

/** Mappings between the model's, the container's and the codec's names for element types. */
final class Formats {
    private Formats() {}

    static StoredDType stored(DType d) {
        return StoredDType.valueOf(d.name());
    }

    static DType model(StoredDType d) {
        return DType.valueOf(d.name());
    }

    static DType model(ValueType v) {
        return switch (v) {
            case F32 -> DType.F32;
            case F16 -> DType.F16;
            case BF16 -> DType.BF16;
        };
    }

    /** The value type a float dtype decodes to directly; f64 decodes through f32. */
    static ValueType valueType(DType d) {
        return switch (d) {
            case F16 -> ValueType.F16;
            case BF16 -> ValueType.BF16;
            default -> ValueType.F32;
        };
    }

    static FloatPlaneCodec.Layout planeLayout(DType d) {
        return switch (d) {
            case F32 -> FloatPlaneCodec.Layout.F32_EXPONENT;
            case BF16 -> FloatPlaneCodec.Layout.BF16_EXPONENT;
            case F16 -> FloatPlaneCodec.Layout.BYTES_2;
            case F64 -> FloatPlaneCodec.Layout.BYTES_8;
            default -> throw new IllegalArgumentException("not a float type: " + d);
        };
    }
}
