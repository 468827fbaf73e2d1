package dev.l2c.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class TensorTest {
    private static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void halfConvertsExactlyIncludingSpecials() {
        assertEquals(1.0f, Tensor.halfToFloat((short) 0x3c00));
        assertEquals(-2.0f, Tensor.halfToFloat((short) 0xc000));
        assertEquals(65504.0f, Tensor.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, Tensor.halfToFloat((short) 0x0001));
        assertEquals(0x1p-14f - 0x1p-24f, Tensor.halfToFloat((short) 0x03ff));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(Tensor.halfToFloat((short) 0x8000)));
        assertEquals(Float.POSITIVE_INFINITY, Tensor.halfToFloat((short) 0x7c00));
        assertEquals(Float.NEGATIVE_INFINITY, Tensor.halfToFloat((short) 0xfc00));
        // A signalling NaN with payload 1 keeps payload and sign and comes out quiet (docs/FORMAT.md).
        assertEquals(0xffc02000, Float.floatToRawIntBits(Tensor.halfToFloat((short) 0xfc01)));
        assertEquals(0x7fc02000, Float.floatToRawIntBits(Tensor.halfToFloat((short) 0x7e01)));
    }

    @Test
    void halfMatchesFloatRoundTripForEveryPattern() {
        // Every non-NaN half is exactly representable in float: check the value through double math.
        for (int h = 0; h < 0x10000; h++) {
            int exp = (h >>> 10) & 0x1f;
            if (exp == 0x1f) continue;
            int mant = h & 0x3ff;
            double v = exp == 0 ? mant * Math.pow(2, -24) : (1024 + mant) * Math.pow(2, exp - 25);
            if ((h & 0x8000) != 0) v = -v;
            assertEquals((float) v, Tensor.halfToFloat((short) h), "half 0x" + Integer.toHexString(h));
        }
    }

    @Test
    void floatAtConvertsEveryFloatType() {
        ByteBuffer f64 = le(16).putDouble(0, 1.5).putDouble(8, Double.longBitsToDouble(0x7ff0000000000001L));
        Tensor t64 = new Tensor("d", DType.F64, new long[] {2}, f64);
        assertEquals(1.5f, t64.floatAt(0));
        assertTrue(Float.isNaN(t64.floatAt(1)), "a NaN whose payload lives in the dropped bits stays NaN");
        ByteBuffer payload = le(8).putLong(0, 0x7ff0000020000000L);
        assertEquals(0x7fc00001, Float.floatToRawIntBits(new Tensor("p", DType.F64, new long[] {}, payload).floatAt(0)), "quiet");

        ByteBuffer bf = le(4).putShort(0, (short) 0x3f80).putShort(2, (short) 0xffc1);
        Tensor tbf = new Tensor("b", DType.BF16, new long[] {2}, bf);
        assertArrayEquals(new float[] {1.0f, Float.intBitsToFloat(0xffc10000)}, tbf.toFloatArray());
        assertEquals(0xffc10000, Float.floatToRawIntBits(tbf.floatAt(1)));

        ByteBuffer f16 = le(4).putShort(0, (short) 0x3c00).putShort(2, (short) 0x4200);
        assertArrayEquals(new float[] {1.0f, 3.0f}, new Tensor("h", DType.F16, new long[] {1, 2}, f16).toFloatArray());

        Tensor f32 = Tensor.ofFloats("f", new long[] {3}, new float[] {1, -2, 3.25f});
        assertArrayEquals(new float[] {1, -2, 3.25f}, f32.toFloatArray());
        assertThrows(IndexOutOfBoundsException.class, () -> f32.floatAt(3));
        assertThrows(IllegalStateException.class,
                () -> new Tensor("i", DType.I32, new long[] {1}, le(4)).floatAt(0));
    }

    @Test
    void constructorChecksSizeAndPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Tensor("w", DType.F32, new long[] {2, 3}, le(20)));
        assertTrue(e.getMessage().contains("w") && e.getMessage().contains("24"), e.getMessage());
        ByteBuffer moved = le(8);
        moved.position(4);
        assertThrows(IllegalArgumentException.class, () -> new Tensor("w", DType.F32, new long[] {1}, moved));
        assertThrows(IllegalArgumentException.class, () -> new Tensor("w", DType.F32, new long[] {-1}, le(0)));
        Tensor scalar = new Tensor("s", DType.I64, new long[] {}, le(8));
        assertEquals(1, scalar.numel());
        assertEquals(0, new Tensor("z", DType.F32, new long[] {4, 0}, le(0)).numel());
    }

    @Test
    void byteLengthRefusesTensorsOver2GiBNamingThem() throws L2cException {
        L2cException e = assertThrows(L2cException.class,
                () -> Tensor.byteLength("huge", DType.F32, new long[] {1L << 29, 2}));
        assertTrue(e.getMessage().contains("huge"), e.getMessage());
        assertEquals(0, Tensor.byteLength("o", DType.F32, new long[] {1L << 40, 1L << 40, 0}),
                "a zero dimension after an overflowing product still means no elements");
        assertThrows(L2cException.class, () -> Tensor.byteLength("o", DType.U8, new long[] {Long.MAX_VALUE, 3}));
        assertEquals(0, Tensor.byteLength("e", DType.F32, new long[] {0, 1L << 40}));
    }

    @Test
    void viewsAreIndependentAndEqualityIsByContent() {
        Tensor a = Tensor.ofFloats("a", new long[] {2}, new float[] {1, 2});
        ByteBuffer view = a.data();
        view.position(4);
        assertEquals(0, a.data().position());
        assertEquals(ByteOrder.LITTLE_ENDIAN, a.data().order());
        long[] shape = a.shape();
        shape[0] = 7;
        assertEquals(2, a.shape()[0]);
        assertEquals(a, Tensor.ofFloats("a", new long[] {2}, new float[] {1, 2}));
        assertNotEquals(a, Tensor.ofFloats("a", new long[] {2}, new float[] {1, 3}));
        assertNotEquals(a, Tensor.ofFloats("a", new long[] {1, 2}, new float[] {1, 2}));
    }

    @Test
    void dtypeNamesAndCodesRoundTrip() {
        for (DType t : DType.values()) {
            assertEquals(t, DType.fromSafetensorsName(t.safetensorsName()).orElseThrow());
            assertEquals(t, DType.fromOnnxCode(t.onnxCode()).orElseThrow());
        }
        assertEquals(DType.BF16, DType.fromSafetensorsName("BF16").orElseThrow());
        assertEquals(DType.F32, DType.fromOnnxCode(1).orElseThrow());
        assertTrue(DType.fromSafetensorsName("F8_E4M3").isEmpty());
        assertTrue(DType.fromOnnxCode(8).isEmpty(), "STRING has no DType");
        assertEquals(2, DType.BF16.byteSize());
        assertTrue(DType.BF16.isFloat() && !DType.I8.isFloat());
    }
}
