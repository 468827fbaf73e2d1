package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.l2c.model.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ConversionsTest {
    /** Every half value converts to float and back unchanged, but signalling NaNs come back quiet. */
    @Test
    void everyHalfRoundTrips() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Tensor.halfToFloat((short) h);
            boolean nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
            short expected = (short) (nan ? h | 0x200 : h);
            assertEquals(expected, Conversions.floatToHalf(f), "half 0x" + Integer.toHexString(h));
        }
    }

    /** The conversion picks the nearer neighbour (ties to even) among representable halves. */
    @Property(tries = 3000)
    void halfRoundsToNearest(@ForAll float f) {
        if (Float.isNaN(f) || Math.abs(f) > 65504f) return;
        short h = Conversions.floatToHalf(f);
        double got = Tensor.halfToFloat(h);
        double err = Math.abs(got - f);
        double up = Tensor.halfToFloat((short) (h + 1));
        double down = Tensor.halfToFloat((short) (h - 1));
        if (!Double.isNaN(up) && !Double.isInfinite(up)) assertEquals(true, err <= Math.abs(up - f), f + " -> " + got);
        if (!Double.isNaN(down) && !Double.isInfinite(down)) assertEquals(true, err <= Math.abs(down - f), f + " -> " + got);
    }

    @Property(tries = 3000)
    void bf16RoundsToNearest(@ForAll float f) {
        if (Float.isNaN(f) || Float.isInfinite(f)) return;
        short b = Conversions.floatToBf16(f);
        float got = Float.intBitsToFloat((b & 0xffff) << 16);
        if (Float.isInfinite(got)) return; // overflow past the largest bf16
        float next = Float.intBitsToFloat(((b + 1) & 0xffff) << 16);
        float prev = Float.intBitsToFloat(((b - 1) & 0xffff) << 16);
        double err = Math.abs((double) got - f);
        if (Float.isFinite(next)) assertEquals(true, err <= Math.abs((double) next - f));
        if (Float.isFinite(prev)) assertEquals(true, err <= Math.abs((double) prev - f));
    }
}
