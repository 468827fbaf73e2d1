package dev.l2c.codec;

import dev.l2c.nativelib.CpuKernels;
import dev.l2c.nativelib.NativeStatus;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * f32 to f16 and bf16 (round to nearest even, NaN made quiet; docs/FORMAT.md, Float conversions)
 * by the native conversion the fused decoders use, so every path narrows to the same bits.
 */
public final class FloatNarrowing {
    private FloatNarrowing() {}

    /** The values of {@code floats} (position to limit) as little-endian {@code type} values, in a new buffer. */
    public static ByteBuffer narrow(FloatBuffer floats, ValueType type) {
        if (!floats.isDirect()) throw new IllegalArgumentException("floats must be a direct buffer");
        int n = floats.remaining();
        ByteBuffer out = ByteBuffer.allocateDirect(Math.multiplyExact(n, type.bytes())).order(ByteOrder.LITTLE_ENDIAN);
        int status = CpuKernels.l2c_convert_floats(floats, n, type.nativeCode(), out, out.capacity());
        if (status != NativeStatus.OK.code) throw new IllegalStateException("float conversion: " + NativeStatus.describe(status));
        return out;
    }

    /** One float as f16 bits. */
    public static short toF16(float v) {
        return narrow(single(v), ValueType.F16).getShort(0);
    }

    /** One float as bf16 bits. */
    public static short toBf16(float v) {
        return narrow(single(v), ValueType.BF16).getShort(0);
    }

    private static FloatBuffer single(float v) {
        FloatBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        return b.put(0, v);
    }
}
