package dev.l2c.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.nativelib.CpuKernels;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The CPU coder writes the same bytes, and its decoder gives the same output for every stream,
 * valid or corrupt, at every SIMD level the CPU runs (scalar, AVX2, AVX-512; the encoder's vector
 * path is AVX2, the decoder has one per level), with packed (P <= 12, at most 256 symbols) and
 * general tables. The SIMD limit is process-wide; each check restores it.
 */
class RansSimdPathTest {
    private static final RansCodec CODEC = new CpuRansCodec(2);
    private static final int SCALAR = 0;

    /** Levels to compare: scalar up to the best this CPU supports (levels it lacks are skipped). */
    private static int[] levels() {
        int best = CpuKernels.l2c_cpu_set_simd_limit(Integer.MAX_VALUE);
        return java.util.stream.IntStream.rangeClosed(SCALAR, best).toArray();
    }

    /** 20 and 64: the AVX-512 decoder keeps maps of up to 16, 32 and 64 values in registers. */
    @Provide
    Arbitrary<Integer> alphabets() {
        return Arbitraries.of(1, 2, 20, 64, 200, 256, 3000, 65536);
    }

    @Provide
    Arbitrary<Integer> chunkSizes() {
        return Arbitraries.of(32, 96, 4096, 65536);
    }

    /** Precision caps: 12 gives the decoder's packed tables up to 256 symbols, 16 its general ones. */
    @Provide
    Arbitrary<Integer> precisionCaps() {
        return Arbitraries.of(12, 16);
    }

    @Property(tries = 40)
    void everyPathCodesTheSame(
            @ForAll Sources.Kind kind,
            @ForAll("alphabets") int alphabet,
            @ForAll("chunkSizes") int chunk,
            @ForAll("precisionCaps") int maxPrecision,
            @ForAll @IntRange(min = 0, max = 70000) int n,
            @ForAll @IntRange(min = 1, max = 1000) int seed)
            throws L2cException {
        int[] symbols = Sources.generate(kind, n, alphabet, seed);
        FrequencyTable table = FrequencyTable.fromCounts(Sources.counts(symbols, alphabet), maxPrecision);
        EncodedStream wide = CODEC.encode(Sources.direct(symbols), table, chunk);
        EncodedStream narrow = alphabet <= 256 ? CODEC.encodeBytes(Sources.directBytes(symbols), table, chunk) : null;
        // The encoders write the same bytes on every path (u16 and u8 symbols alike).
        for (int level : levels()) {
            try {
                CpuKernels.l2c_cpu_set_simd_limit(level);
                assertEquals(wide.payload(), CODEC.encode(Sources.direct(symbols), table, chunk).payload(),
                        "u16 encode at SIMD level " + level);
                if (narrow != null)
                    assertEquals(narrow.payload(), CODEC.encodeBytes(Sources.directBytes(symbols), table, chunk).payload(),
                            "u8 encode at SIMD level " + level);
            } finally {
                CpuKernels.l2c_cpu_set_simd_limit(Integer.MAX_VALUE);
            }
        }
        float[] values = new float[alphabet];
        Random rnd = new Random(seed);
        for (int s = 0; s < alphabet; s++) values[s] = Float.intBitsToFloat(rnd.nextInt());
        List<ByteBuffer> reference = null;
        for (int level : levels()) {
            List<ByteBuffer> outputs = new ArrayList<>();
            try {
                CpuKernels.l2c_cpu_set_simd_limit(level);
                ShortBuffer out = Sources.output(n);
                CODEC.decodeSymbols(wide, 0, wide.chunkCount(), out);
                assertArrayEquals(symbols, Sources.toInts(out), "u16 symbols at SIMD level " + level);
                if (narrow != null) {
                    ByteBuffer bytes = ByteBuffer.allocateDirect(n);
                    CODEC.decodeBytes(narrow, 0, narrow.chunkCount(), bytes);
                    assertEquals(Sources.directBytes(symbols), bytes, "u8 symbols at SIMD level " + level);
                }
                for (ValueType type : ValueType.values()) {
                    ByteBuffer v = ByteBuffer.allocateDirect(type.bytes() * n + 1);
                    v.position(1); // odd address: no path may assume alignment
                    CODEC.decodeValues(wide, 0, wide.chunkCount(), values, type, v);
                    outputs.add(v);
                }
            } finally {
                CpuKernels.l2c_cpu_set_simd_limit(Integer.MAX_VALUE);
            }
            if (reference == null) reference = outputs;
            else assertEquals(reference, outputs, "fused values differ between SIMD levels");
        }
    }

    /** Single-bit flips in the words: each path reports the same error or decodes the same symbols. */
    @Test
    void corruptStreamsFailTheSameWayOnEveryPath() throws L2cException {
        int n = 40000;
        int[] symbols = Sources.generate(Sources.Kind.LAPLACIAN, n, 256, 7);
        EncodedStream good = CODEC.encode(Sources.direct(symbols), FrequencyTable.fromCounts(Sources.counts(symbols, 256)), 4096);
        ByteBuffer payload = good.payload();
        Random rnd = new Random(11);
        int errors = 0;
        for (int trial = 0; trial < 300; trial++) {
            ByteBuffer bad = ByteBuffer.allocateDirect(payload.remaining()).put(payload.duplicate()).flip();
            int at = rnd.nextInt(bad.limit());
            bad.put(at, (byte) (bad.get(at) ^ (1 << rnd.nextInt(8))));
            EncodedStream s = new EncodedStream(good.table(), n, 4096, good.chunkOffsets(), bad);
            String reference = null;
            for (int level : levels()) {
                String outcome;
                try {
                    CpuKernels.l2c_cpu_set_simd_limit(level);
                    ShortBuffer out = Sources.output(n);
                    CODEC.decodeSymbols(s, 0, s.chunkCount(), out);
                    outcome = "decoded " + java.util.Arrays.hashCode(Sources.toInts(out));
                } catch (L2cException e) {
                    outcome = "error " + e.getMessage();
                } finally {
                    CpuKernels.l2c_cpu_set_simd_limit(Integer.MAX_VALUE);
                }
                if (reference == null) reference = outcome;
                else assertEquals(reference, outcome, "flip at byte " + at);
            }
            if (reference.startsWith("error")) errors++;
        }
        assertTrue(errors > 250, errors + " of 300 flips detected");
    }
}
