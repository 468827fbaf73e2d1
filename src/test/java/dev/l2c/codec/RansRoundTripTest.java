package dev.l2c.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Bit-exact round trips of the CPU codec over lengths, alphabets, sources and chunk windows. */
class RansRoundTripTest {
    private static final RansCodec CODEC = new CpuRansCodec(2);

    @Provide
    Arbitrary<Integer> chunkSizes() {
        return Arbitraries.of(32, 64, 96, 1024, 4096);
    }

    @Provide
    Arbitrary<Integer> alphabets() {
        return Arbitraries.oneOf(Arbitraries.of(1, 2, 256, 65536), Arbitraries.integers().between(1, 3000));
    }

    /** Lengths around the chunk boundaries: 0, 1, chunk-1, chunk, chunk+1, and a few chunks. */
    @Property(tries = 150)
    void roundTripsAroundChunkBoundaries(
            @ForAll("chunkSizes") int chunk,
            @ForAll @IntRange(min = 0, max = 6) int lengthCase,
            @ForAll("alphabets") int alphabet,
            @ForAll Sources.Kind kind,
            @ForAll @IntRange(min = 1, max = 1000) int seed)
            throws L2cException {
        int n = switch (lengthCase) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> chunk - 1;
            case 3 -> chunk;
            case 4 -> chunk + 1;
            case 5 -> 3 * chunk + 17;
            default -> 5 * chunk;
        };
        roundTrip(Sources.generate(kind, n, alphabet, seed), alphabet, chunk);
    }

    @Example
    void roundTripsTenMillionSymbolsAtTheDefaultChunkSize() throws L2cException {
        int[] s = Sources.generate(Sources.Kind.LAPLACIAN, 10_000_000, 256, 7);
        roundTrip(s, 256, EncodedStream.DEFAULT_CHUNK_SYMBOLS);
    }

    @Example
    void roundTripsTheFullSixteenBitAlphabet() throws L2cException {
        int[] s = Sources.generate(Sources.Kind.UNIFORM, 300_000, 65536, 3);
        for (int v = 0; v < 65536; v++) s[v] = v; // every symbol present: P = 16, all f = 1
        FrequencyTable t = FrequencyTable.fromCounts(Sources.counts(s, 65536));
        assertEquals(16, t.precisionBits());
        roundTrip(s, 65536, 4096);
    }

    @Example
    void singleSymbolAlphabetCodesToStatesOnly() throws L2cException {
        for (int p = 1; p <= 16; p++) {
            FrequencyTable t = new FrequencyTable(p, new int[] {1 << p});
            int[] s = new int[1000];
            EncodedStream e = CODEC.encode(Sources.direct(s), t, 64);
            assertEquals(16L * 128, e.payloadBytes(), "P=" + p);
            ShortBuffer out = Sources.output(s.length);
            CODEC.decodeSymbols(e, 0, e.chunkCount(), out);
            assertArrayEquals(s, Sources.toInts(out));
        }
    }

    /** Decoding any window of chunks gives that window's symbols. */
    @Property(tries = 40)
    void decodesChunkWindows(
            @ForAll @IntRange(min = 0, max = 40) int firstChunk,
            @ForAll @IntRange(min = 0, max = 40) int count,
            @ForAll Sources.Kind kind)
            throws L2cException {
        int chunk = 64;
        int[] s = Sources.generate(kind, 40 * chunk - 5, 300, firstChunk * 41L + count);
        EncodedStream e = CODEC.encode(Sources.direct(s), FrequencyTable.fromCounts(Sources.counts(s, 300)), chunk);
        int first = Math.min(firstChunk, e.chunkCount());
        int k = Math.min(count, e.chunkCount() - first);
        long n = e.symbolsIn(first, k);
        ShortBuffer out = Sources.output(n + 3);
        out.position(3); // a window lands at the buffer's position
        CODEC.decodeSymbols(e, first, k, out);
        assertEquals(3, out.position());
        int from = Math.min(first * chunk, s.length);
        int[] expected = java.util.Arrays.copyOfRange(s, from, (int) (from + n));
        assertArrayEquals(expected, Sources.toInts(out));
    }

    /** The uint8 path: encodeBytes and decodeBytes match encode and decodeSymbols. */
    @Property(tries = 40)
    void bytePathMatchesTheSymbolPath(
            @ForAll @IntRange(min = 0, max = 5000) int n,
            @ForAll @IntRange(min = 1, max = 256) int alphabet,
            @ForAll Sources.Kind kind)
            throws L2cException {
        int[] s = Sources.generate(kind, n, alphabet, n);
        FrequencyTable t = FrequencyTable.fromCounts(Sources.counts(s, alphabet));
        ByteBuffer in = Sources.directBytes(s);
        EncodedStream fromBytes = CODEC.encodeBytes(in, t, 256);
        EncodedStream fromShorts = CODEC.encode(Sources.direct(s), t, 256);
        assertEquals(fromShorts, fromBytes);
        ByteBuffer out = ByteBuffer.allocateDirect(n);
        CODEC.decodeBytes(fromBytes, 0, fromBytes.chunkCount(), out);
        assertEquals(in, out);
    }

    @Property(tries = 30)
    void histogramCountsEverySymbol(
            @ForAll @IntRange(min = 0, max = 200_000) int n, @ForAll("alphabets") int alphabet, @ForAll Sources.Kind kind)
            throws L2cException {
        int[] s = Sources.generate(kind, n, alphabet, n);
        assertArrayEquals(Sources.counts(s, alphabet), CODEC.histogram(Sources.direct(s), alphabet));
    }

    /**
     * A caller that asks the native coder for thousands of threads gets at most 1024
     * (src/main/cpp/l2c/threads.h): 8,000 crashed libgomp (and the JVM) before that cap.
     */
    @Example
    void thousandsOfThreadsAreCappedNotACrash() throws L2cException {
        RansCodec many = new CpuRansCodec(8000);
        int[] s = Sources.generate(Sources.Kind.LAPLACIAN, 200_000, 256, 11);
        FrequencyTable t = FrequencyTable.fromCounts(Sources.counts(s, 256));
        EncodedStream e = many.encode(Sources.direct(s), t, 64);
        ShortBuffer out = Sources.output(s.length);
        many.decodeSymbols(e, 0, e.chunkCount(), out);
        assertArrayEquals(s, Sources.toInts(out));
    }

    static void roundTrip(int[] s, int alphabet, int chunk) throws L2cException {
        FrequencyTable t = FrequencyTable.fromCounts(Sources.counts(s, alphabet));
        EncodedStream e = CODEC.encode(Sources.direct(s), t, chunk);
        assertEquals(s.length, e.symbolCount());
        assertEquals(EncodedStream.chunkCount(s.length, chunk), e.chunkCount());
        ShortBuffer out = Sources.output(s.length);
        CODEC.decodeSymbols(e, 0, e.chunkCount(), out);
        assertArrayEquals(s, Sources.toInts(out));
    }
}
