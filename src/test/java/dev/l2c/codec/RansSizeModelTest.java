package dev.l2c.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The payload model against the real coder: given the information of the symbols under their own
 * table, the modelled payload (lane states, renormalization words) is within 3 % of the coded one,
 * from a bias-sized stream to several chunks.
 */
class RansSizeModelTest {
    @ParameterizedTest
    @CsvSource({
        "LAPLACIAN, 16, 10",
        "LAPLACIAN, 16, 64",
        "LAPLACIAN, 32, 576",
        "SKEWED, 8, 2304",
        "LAPLACIAN, 64, 36864",
        "UNIFORM, 256, 200000"
    })
    void modelledPayloadIsWithinThreePercentOfTheCodedOne(Sources.Kind kind, int alphabet, int n) throws L2cException {
        int[] s = Sources.generate(kind, n, alphabet, 7);
        long[] counts = Sources.counts(s, alphabet);
        FrequencyTable t = FrequencyTable.fromCounts(counts);
        EncodedStream e = new CpuRansCodec(2).encode(Sources.direct(s), t, 65536);
        double info = t.estimatedBits(counts);
        double modelled = RansSizeModel.payloadBits(n, info, 65536) / 8;
        System.out.printf("%s A=%d n=%d: info %.0f B, modelled %.0f B, coded %d B%n", kind, alphabet, n, info / 8, modelled,
                e.payloadBytes());
        assertEquals(1, modelled / e.payloadBytes(), 0.03, "n = " + n);
    }

    @Test
    void aStreamOfFewSymbolsCostsItsLaneStates() {
        // Ten symbols of 3 bits fit in their lanes' states: 32 states of 4 bytes, no words.
        assertEquals(128 * 8, RansSizeModel.payloadBits(10, 30, 65536), 1e-9);
        // Two chunks pay two sets of states.
        assertTrue(RansSizeModel.payloadBits(65536 + 10, 30, 65536) >= 2 * 128 * 8);
    }

    @Test
    void rawSymbolsAreTheCheaperSideForATinyTensor() {
        double[] probs = {0.25, 0.25, 0.25, 0.25};
        // A 16-element bias: rANS pays 128 bytes of lane states, raw symbols 16 bytes.
        double side = RansSizeModel.sideBits(16, 32, probs, 65536);
        assertEquals(RansSizeModel.rawSymbolBits(16, probs) - 32, side, 1e-9);
        // A large tensor: rANS, far below a byte per symbol.
        double large = RansSizeModel.sideBits(100000, 200000, probs, 65536);
        assertTrue(large < 100000 * 8 - 200000, "side " + large);
    }
}
