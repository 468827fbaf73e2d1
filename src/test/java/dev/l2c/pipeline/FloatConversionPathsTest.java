package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.l2c.L2cException;
import dev.l2c.backend.Backends;
import dev.l2c.codec.CpuRansCodec;
import dev.l2c.codec.CudaRansCodec;
import dev.l2c.codec.EncodedStream;
import dev.l2c.codec.FrequencyTable;
import dev.l2c.codec.RansCodec;
import dev.l2c.codec.ValueType;
import dev.l2c.model.DType;
import dev.l2c.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The float conversion rules of docs/FORMAT.md (round to nearest even, NaN made quiet with sign
 * and top payload kept) hold bit for bit on every path that converts: tensor conversion (decode
 * to another dtype, per-channel decode), the fused CPU decoder and the fused CUDA decoder.
 */
class FloatConversionPathsTest {
    /** f32 bits, then the f16 and bf16 bits they narrow to. */
    private static final int[][] NARROWING = {
        {0x7F810000, 0x7E08, 0x7FC1}, // signalling NaN, payload in the kept bits
        {0x7F800001, 0x7E00, 0x7FC0}, // signalling NaN, payload only in the dropped bits
        {0xFF800001, 0xFE00, 0xFFC0}, // negative signalling NaN
        {0x7FC12345, 0x7E09, 0x7FC1}, // quiet NaN with payload
        {0xFFC00000, 0xFE00, 0xFFC0}, // negative quiet NaN
        {0x7F800000, 0x7C00, 0x7F80}, // +Inf
        {0xFF800000, 0xFC00, 0xFF80}, // -Inf
        {0x80000000, 0x8000, 0x8000}, // -0
        {0x00000001, 0x0000, 0x0000}, // smallest f32 subnormal
        {0x00018000, 0x0000, 0x0002}, // f32 subnormal, bf16 tie rounds up to even
        {0x00008000, 0x0000, 0x0000}, // f32 subnormal, bf16 tie rounds down to even
        {0x33800000, 0x0001, 0x3380}, // smallest f16 subnormal
        {0x33000000, 0x0000, 0x3300}, // f16 tie between 0 and the smallest subnormal: 0
        {0x33C00000, 0x0002, 0x33C0}, // f16 subnormal tie between 1 and 2: 2
        {0x3F808000, 0x3C04, 0x3F80}, // bf16 tie: down to even
        {0x3F818000, 0x3C0C, 0x3F82}, // bf16 tie: up to even
        {0x3F801000, 0x3C00, 0x3F80}, // f16 tie: down to even
        {0x3F803000, 0x3C02, 0x3F80}, // f16 tie: up to even
        {0x477FE000, 0x7BFF, 0x4780}, // largest f16
        {0x477FF000, 0x7C00, 0x4780}, // f16 tie past the largest: infinity
        {0x7F7FFFFF, 0x7C00, 0x7F80}, // largest f32: bf16 rounds to infinity
    };

    private static float[] narrowingInputs() {
        float[] v = new float[NARROWING.length];
        for (int i = 0; i < v.length; i++) v[i] = Float.intBitsToFloat(NARROWING[i][0]);
        return v;
    }

    private static int expected(int row, ValueType type) {
        return switch (type) {
            case F32 -> NARROWING[row][0];
            case F16 -> NARROWING[row][1];
            case BF16 -> NARROWING[row][2];
        };
    }

    private static int bitsAt(ByteBuffer out, int i, ValueType type) {
        return type == ValueType.F32 ? out.getInt(i * 4) : out.getShort(i * 2) & 0xffff;
    }

    private static void assertBits(int expected, int actual, String what) {
        assertEquals(Integer.toHexString(expected), Integer.toHexString(actual), what);
    }

    @Test
    void tensorConversionNarrowsByTheRules() {
        Tensor t = Tensor.ofFloats("t", new long[] {NARROWING.length}, narrowingInputs());
        for (DType to : new DType[] {DType.F16, DType.BF16}) {
            ValueType type = Formats.valueType(to);
            ByteBuffer out = Conversions.convert(t, to).data().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < NARROWING.length; i++) {
                assertBits(expected(i, type), bitsAt(out, i, type), to + " of " + Integer.toHexString(NARROWING[i][0]));
            }
        }
        for (int i = 0; i < NARROWING.length; i++) {
            float v = Float.intBitsToFloat(NARROWING[i][0]);
            assertBits(NARROWING[i][1], Conversions.floatToHalf(v) & 0xffff, "floatToHalf");
            assertBits(NARROWING[i][2], Conversions.floatToBf16(v) & 0xffff, "floatToBf16");
        }
    }

    @Test
    void fusedCpuDecodeNarrowsByTheRules() throws L2cException {
        checkFused(new CpuRansCodec(2));
    }

    @Test
    void fusedCudaDecodeNarrowsByTheRules() throws L2cException {
        assumeTrue(Backends.cudaUnavailableReason() == null, "CUDA unavailable: " + Backends.cudaUnavailableReason());
        checkFused(new CudaRansCodec());
    }

    /** Symbol i decodes to value i: every row of the table once. */
    private static void checkFused(RansCodec codec) throws L2cException {
        int n = NARROWING.length;
        ShortBuffer symbols = ByteBuffer.allocateDirect(2 * n).order(ByteOrder.nativeOrder()).asShortBuffer();
        for (int i = 0; i < n; i++) symbols.put(i, (short) i);
        long[] counts = new long[n];
        Arrays.fill(counts, 1);
        EncodedStream s = codec.encode(symbols, FrequencyTable.fromCounts(counts), 32);
        for (ValueType type : ValueType.values()) {
            ByteBuffer out = ByteBuffer.allocateDirect(type.bytes() * n).order(ByteOrder.LITTLE_ENDIAN);
            codec.decodeValues(s, 0, s.chunkCount(), narrowingInputs(), type, out);
            for (int i = 0; i < n; i++) {
                assertBits(expected(i, type), bitsAt(out, i, type), type + " of " + Integer.toHexString(NARROWING[i][0]));
            }
        }
    }

    @Test
    void wideningIsExactAndQuietsNaNs() {
        // f16 -> f32
        int[][] half = {
            {0x7C01, 0x7FC02000}, {0xFC01, 0xFFC02000}, {0x7E01, 0x7FC02000}, {0x7C00, 0x7F800000},
            {0x8000, 0x80000000}, {0x0001, 0x33800000}, {0x03FF, 0x387FC000}, {0x3C01, 0x3F802000},
        };
        for (int[] row : half) {
            Tensor t = new Tensor("h", DType.F16, new long[] {1}, le(2).putShort(0, (short) row[0]));
            assertBits(row[1], Float.floatToRawIntBits(t.floatAt(0)), "f16 " + Integer.toHexString(row[0]));
            Tensor f = Conversions.convert(t, DType.F32);
            assertBits(row[1], f.data().order(ByteOrder.LITTLE_ENDIAN).getInt(0), "f16 to F32 " + Integer.toHexString(row[0]));
        }
        // bf16 -> f32
        int[][] bf16 = {
            {0x7F81, 0x7FC10000}, {0xFF81, 0xFFC10000}, {0x7FC1, 0x7FC10000}, {0xFF80, 0xFF800000},
            {0x8000, 0x80000000}, {0x0001, 0x00010000}, {0x3F81, 0x3F810000},
        };
        for (int[] row : bf16) {
            Tensor t = new Tensor("b", DType.BF16, new long[] {1}, le(2).putShort(0, (short) row[0]));
            assertBits(row[1], Float.floatToRawIntBits(t.floatAt(0)), "bf16 " + Integer.toHexString(row[0]));
        }
        // f64 -> f32 narrows: a NaN is quiet even when its payload fits
        long[][] f64 = {
            {0x7FF0000020000000L, 0x7FC00001}, {0x7FF0000000000001L, 0x7FC00000},
            {0xFFF8000000000000L, 0xFFC00000}, {0x8000000000000000L, 0x80000000}, {0x3FF0000010000000L, 0x3F800000},
        };
        for (long[] row : f64) {
            Tensor t = new Tensor("d", DType.F64, new long[] {1}, le(8).putLong(0, row[0]));
            assertBits((int) row[1], Float.floatToRawIntBits(t.floatAt(0)), "f64 " + Long.toHexString(row[0]));
        }
        // f32 -> f64, as decoding an f64 tensor widens back
        long[][] f32 = {{0x7F800001, 0x7FF8000020000000L}, {0xFF810000, 0xFFF8200000000000L}, {0x80000000, 0x8000000000000000L}};
        for (long[] row : f32) {
            Tensor t = Tensor.ofFloats("f", new long[] {1}, new float[] {Float.intBitsToFloat((int) row[0])});
            long got = Conversions.convert(t, DType.F64).data().order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertEquals(Long.toHexString(row[1]), Long.toHexString(got), "f32 " + Long.toHexString(row[0]));
        }
    }

    private static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
