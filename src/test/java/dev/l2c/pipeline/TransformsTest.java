package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.l2c.L2cException;
import dev.l2c.format.TransformSpec;
import dev.l2c.format.TransformType;
import dev.l2c.transform.Channels;
import dev.l2c.transform.LearnedSymbols;
import dev.l2c.transform.TransformKind;
import java.nio.ShortBuffer;
import org.junit.jupiter.api.Test;

/**
 * Decoded values follow the decoder formula of docs/FORMAT.md ("Determinism"): binary64
 * arithmetic rounded once to float, the values the encoder calibrated with.
 */
class TransformsTest {
    /** 2^24 + 1 is no float: rounding q to float before multiplying gives 3 * 2^24, not the nearest float to 3q. */
    private static final int Q = (1 << 24) + 1;
    private static final float STEP = 3f;
    private static final float EXPECTED = 50331652f; // 3 * (2^24 + 1) = 50331651, rounded to a multiple of 4

    @Test
    void uniformPerTensorRoundsOnce() throws L2cException {
        float[] values = Transforms.values(new TransformSpec(TransformType.UNIFORM, -1, new float[] {STEP}), new int[] {Q, -Q, 5});
        assertEquals(EXPECTED, values[0]);
        assertEquals(-EXPECTED, values[1]);
        assertEquals(15f, values[2]);
        assertEquals(LearnedSymbols.decode(TransformKind.UNIFORM, new float[] {STEP}, 1, 0, Q), values[0]);
    }

    @Test
    void uniformPerChannelRoundsOnce() {
        float[] steps = {STEP, 0.5f};
        ShortBuffer symbols = ShortBuffer.wrap(new short[] {0, 1, 0, 1});
        float[] out = Transforms.dequantize(symbols, new int[] {Q, 7}, steps, Channels.along(new long[] {2, 2}, 0), 4);
        assertEquals(EXPECTED, out[0]);
        assertEquals(21f, out[1]);
        assertEquals(Q * 0.5f, out[2]);
        assertEquals(3.5f, out[3]);
    }
}
