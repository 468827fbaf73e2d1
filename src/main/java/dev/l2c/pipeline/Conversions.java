package dev.l2c.pipeline;

import dev.l2c.model.DType;
import dev.l2c.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Converts decoded float tensors to another float type, rounding to nearest even. */
final class Conversions {
    private Conversions() {}

    static Tensor convert(Tensor t, DType to) {
        if (t.dtype() == to) return t;
        int n = Math.toIntExact(t.numel());
        ByteBuffer out = ByteBuffer.allocateDirect(Math.multiplyExact(n, to.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            float v = t.floatAt(i);
            switch (to) {
                case F32 -> out.putFloat(v);
                case F64 -> out.putDouble(v);
                case F16 -> out.putShort(floatToHalf(v));
                case BF16 -> out.putShort(floatToBf16(v));
                default -> throw new IllegalArgumentException("not a float type: " + to);
            }
        }
        return new Tensor(t.name(), to, t.shape(), out.flip());
    }

    /** fp32 to bf16 bits, round to nearest even; NaN stays NaN with the top of its payload. */
    static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            // Keep the payload's top bits; a payload that lives only in the dropped bits becomes quiet.
            short top = (short) (bits >>> 16);
            return (top & 0x7f) != 0 ? top : (short) (top | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** fp32 to IEEE binary16 bits, round to nearest even, overflow to infinity, NaN stays NaN. */
    static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs > 0x7f800000) {
            int payload = (abs >>> 13) & 0x3ff;
            return (short) (sign | 0x7c00 | (payload != 0 ? payload : 0x200));
        }
        if (abs >= 0x477ff000) return (short) (sign | 0x7c00); // rounds to >= 65520: infinity
        if (abs >= 0x38800000) { // normal half
            int rounded = abs + 0xfff + ((abs >>> 13) & 1);
            return (short) (sign | ((rounded - 0x38000000) >>> 13));
        }
        if (abs < 0x33000000) return (short) sign; // below half of the smallest subnormal
        int exp = abs >>> 23;
        int mant = (abs & 0x7fffff) | 0x800000;
        int shift = 126 - exp; // 14 + (112 - exp) ... bits to drop for a subnormal half
        int half = mant >>> shift;
        int rest = mant & ((1 << shift) - 1);
        int mid = 1 << (shift - 1);
        if (rest > mid || (rest == mid && (half & 1) == 1)) half++;
        return (short) (sign | half);
    }
}
