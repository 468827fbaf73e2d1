package dev.l2c.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Fused decode (symbol -> value -> f32/f16/bf16) equals a Java reference conversion. */
class FusedValueTest {
    private static final RansCodec CODEC = new CpuRansCodec(2);

    /** Special and boundary values: zeros, infinities, NaNs with payloads, subnormals, ties, overflow. */
    static float[] specials() {
        int[] bits = {
            0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00001, 0x7F800001, 0x7FBFFFFF,
            0x00000001, 0x80000001, 0x007FFFFF, 0x00800000, 0x33000000, 0x33000001, 0x32FFFFFF, 0x33800000,
            0x387FE000, 0x387FF000, 0x38800000, 0x477FE000, 0x477FEFFF, 0x477FF000, 0x47800000, 0x7F7FFFFF,
            0x3F808000, 0x3F818000, 0x3F808001, 0x3F800FFF, 0x3F801000, 0x3F803000, 0x7F7F8000, 0xFF7FC000,
        };
        float[] v = new float[bits.length];
        for (int i = 0; i < bits.length; i++) v[i] = Float.intBitsToFloat(bits[i]);
        return v;
    }

    @Test
    void specialValuesConvertExactly() throws L2cException {
        check(specials(), 5000, 1);
    }

    @Property(tries = 60)
    void randomValueTablesConvertExactly(
            @ForAll @IntRange(min = 1, max = 3000) int alphabet, @ForAll @IntRange(min = 0, max = 9000) int n,
            @ForAll long seed) throws L2cException {
        Random rnd = new Random(seed);
        float[] values = new float[alphabet];
        for (int i = 0; i < alphabet; i++) {
            values[i] = switch (rnd.nextInt(3)) {
                case 0 -> Float.intBitsToFloat(rnd.nextInt()); // any bit pattern
                case 1 -> (float) (rnd.nextGaussian() * 0.05);  // weight-like
                default -> (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(60) - 30));
            };
        }
        check(values, n, seed);
    }

    private static void check(float[] values, int n, long seed) throws L2cException {
        int alphabet = values.length;
        int[] s = Sources.generate(Sources.Kind.UNIFORM, n, alphabet, seed);
        EncodedStream e = CODEC.encode(Sources.direct(s), FrequencyTable.fromCounts(Sources.counts(s, alphabet)), 512);
        for (ValueType type : ValueType.values()) {
            ByteBuffer out = ByteBuffer.allocateDirect(type.bytes() * n + 1).order(ByteOrder.LITTLE_ENDIAN);
            out.position(1); // odd address: the kernels must not assume alignment
            CODEC.decodeValues(e, 0, e.chunkCount(), values, type, out);
            for (int i = 0; i < n; i++) {
                float v = values[s[i]];
                int at = 1 + i * type.bytes();
                switch (type) {
                    case F32 -> assertEquals(Float.floatToRawIntBits(v), out.getInt(at), "f32 of " + v);
                    case F16 -> assertEquals(RansReference.toF16(v), out.getShort(at),
                            "f16 of " + Integer.toHexString(Float.floatToRawIntBits(v)));
                    case BF16 -> assertEquals(RansReference.toBf16(v), out.getShort(at),
                            "bf16 of " + Integer.toHexString(Float.floatToRawIntBits(v)));
                }
            }
        }
    }
}
