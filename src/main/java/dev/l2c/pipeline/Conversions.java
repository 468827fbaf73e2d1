package dev.l2c.pipeline;

import dev.l2c.codec.FloatNarrowing;
import dev.l2c.model.DType;
import dev.l2c.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Converts decoded float tensors to another float type by the one implementation of each
 * conversion (docs/FORMAT.md, Float conversions): narrowing to f16 and bf16 natively, as the fused
 * decoders do; widening in {@link Tensor}.
 */
final class Conversions {
    private Conversions() {}

    static Tensor convert(Tensor t, DType to) {
        if (t.dtype() == to) return t;
        if (!to.isFloat()) throw new IllegalArgumentException("not a float type: " + to);
        float[] values = t.toFloatArray();
        if (to == DType.F64) {
            ByteBuffer out = ByteBuffer.allocateDirect(Math.multiplyExact(values.length, 8)).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) out.putDouble(Tensor.floatToDouble(v));
            return new Tensor(t.name(), to, t.shape(), out.flip());
        }
        FloatBuffer floats = ByteBuffer.allocateDirect(Math.multiplyExact(values.length, 4))
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        floats.put(values).flip();
        return new Tensor(t.name(), to, t.shape(), FloatNarrowing.narrow(floats, Formats.valueType(to)));
    }

    static short floatToBf16(float f) {
        return FloatNarrowing.toBf16(f);
    }

    static short floatToHalf(float f) {
        return FloatNarrowing.toF16(f);
    }
}
