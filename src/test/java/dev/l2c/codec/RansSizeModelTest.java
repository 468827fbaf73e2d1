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
    void packedSymbolsAreTheCheaperSideForATinyFlatTensor() {
        double[] probs = {0.25, 0.25, 0.25, 0.25};
        // A 16-element bias: rANS pays 128 bytes of lane states, packed symbols 4 bytes.
        double side = RansSizeModel.sideBits(16, 32, probs, 65536);
        assertEquals(RansSizeModel.packedBits(16, probs) - 32, side, 1e-9);
        // A large tensor: rANS, far below a byte per symbol.
        double large = RansSizeModel.sideBits(100000, 200000, probs, 65536);
        assertTrue(large < 100000 * 8 - 200000, "side " + large);
    }

    @Test
    void aSmallSkewedTensorTakesOneLane() {
        // 2,304 weights at about 0.47 bits each: 32 lane states (128 B) would be most of the
        // entry; one lane pays 4 B of state, packing 2 bits a symbol 576 B.
        double[] probs = {0.95, 0.03, 0.02};
        double info = 2304 * 0.3349;
        double oneLane = RansSizeModel.singleLanePayloadBits(info) + RansSizeModel.singleLaneIndexBits(2304, probs);
        assertEquals(oneLane - info, RansSizeModel.sideBits(2304, info, probs, 65536), 1e-9);
    }

    @ParameterizedTest
    @CsvSource({"SKEWED, 8, 2304", "LAPLACIAN, 16, 576", "LAPLACIAN, 64, 36864"})
    void singleLanePayloadModelIsWithinAFewBytesOfTheCodedOne(Sources.Kind kind, int alphabet, int n) {
        int[] s = Sources.generate(kind, n, alphabet, 11);
        long[] counts = Sources.counts(s, alphabet);
        FrequencyTable t = FrequencyTable.fromCounts(counts, FrequencyTable.MAX_PRECISION);
        long coded = SingleLaneRans.encode(Sources.direct(s), n, t).remaining();
        double modelled = RansSizeModel.singleLanePayloadBits(t.estimatedBits(counts)) / 8;
        // The final state's length varies by up to 2 bytes around the model's mean; coding adds a little.
        assertEquals(coded, modelled, 4 + 0.01 * coded, kind + " n = " + n);
    }
}
