package dev.l2c.codec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Coded size against the Shannon bound for 10^6+ symbols:
 * payload bits <= H * N * 1.005 + 32 * 32 bits per chunk + table bits.
 *
 * <p>Side information: each chunk ends its 32 lanes in 32-bit states that are stored whole (the
 * "final-state flush", 1024 bits per chunk); it is counted with the table, not as coding loss.
 */
class RansCodedSizeTest {
    @ParameterizedTest
    @CsvSource({
        "LAPLACIAN, 256, 1000000",
        "LAPLACIAN, 4096, 2000000",
        "UNIFORM, 256, 1000000",
        "UNIFORM, 65536, 1500000",
        "SKEWED, 256, 1000000",
        "SKEWED, 2, 1000000"
    })
    void codedSizeIsWithinHalfAPercentOfTheEntropy(Sources.Kind kind, int alphabet, int n) throws L2cException {
        int[] s = Sources.generate(kind, n, alphabet, 11);
        long[] counts = Sources.counts(s, alphabet);
        FrequencyTable t = FrequencyTable.fromCounts(counts);
        EncodedStream e = new CpuRansCodec(2).encode(Sources.direct(s), t, EncodedStream.DEFAULT_CHUNK_SYMBOLS);
        double entropy = Sources.entropyBits(counts);
        double flush = 32.0 * 32 * e.chunkCount();
        double bound = entropy * 1.005 + flush + t.estimatedTableBits();
        double coded = 8.0 * e.payloadBytes();
        System.out.printf("%s A=%d N=%d P=%d: H=%.4f b/sym, coded=%.4f b/sym, coded-flush=%.4f b/sym, ratio to H=%.5f%n",
                kind, alphabet, n, t.precisionBits(), entropy / n, coded / n, (coded - flush) / n,
                (coded - flush) / entropy);
        assertTrue(coded <= bound, "coded " + coded + " bits > bound " + bound);
    }
}
