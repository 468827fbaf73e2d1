package dev.l2c.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Decoders built once (native contexts on the CPU) decode every window like the one-shot calls,
 * for packed (P <= 12) and general tables, refuse streams of another table and use after close,
 * and serve concurrent calls.
 */
class RansDecoderTest {
    private static final CpuRansCodec CPU = new CpuRansCodec(2);
    private static final int CHUNK = 1024;

    @Property(tries = 30)
    void everyWindowDecodesLikeTheOneShotCall(
            @ForAll Sources.Kind kind,
            @ForAll @IntRange(min = 1, max = 256) int alphabet,
            @ForAll @IntRange(min = 12, max = 16) int maxPrecision,
            @ForAll @IntRange(min = 0, max = 9000) int n,
            @ForAll @IntRange(min = 1, max = 1000) int seed)
            throws L2cException {
        int[] symbols = Sources.generate(kind, n, alphabet, seed);
        FrequencyTable table = FrequencyTable.fromCounts(Sources.counts(symbols, alphabet), maxPrecision);
        EncodedStream wide = CPU.encode(Sources.direct(symbols), table, CHUNK);
        EncodedStream narrow = CPU.encodeBytes(Sources.directBytes(symbols), table, CHUNK);
        float[] values = new float[alphabet];
        Random rnd = new Random(seed);
        for (int s = 0; s < alphabet; s++) values[s] = (float) rnd.nextGaussian();
        int chunks = wide.chunkCount();
        try (RansDecoder<ShortBuffer> sym = CPU.symbolDecoder(table);
                RansDecoder<ByteBuffer> bytes = CPU.byteDecoder(table);
                RansDecoder<ByteBuffer> bf16 = CPU.valueDecoder(table, values, ValueType.BF16)) {
            // Windows [0, k) and [k, chunks) with one decoder each, against one-shot whole decodes.
            for (int k : new int[] {0, chunks / 2, chunks}) {
                ShortBuffer out = Sources.output(n);
                sym.decode(wide, 0, k, out.slice(0, (int) wide.symbolsIn(0, k)));
                sym.decode(wide, k, chunks - k, out.slice((int) wide.symbolsIn(0, k), (int) wide.symbolsIn(k, chunks - k)));
                assertArrayEquals(symbols, Sources.toInts(out), "u16 windows split at chunk " + k);
                ByteBuffer b = ByteBuffer.allocateDirect(n);
                bytes.decode(narrow, 0, chunks, b);
                assertEquals(Sources.directBytes(symbols), b, "u8");
                ByteBuffer v = ByteBuffer.allocateDirect(2 * n);
                bf16.decode(wide, 0, chunks, v);
                ByteBuffer once = ByteBuffer.allocateDirect(2 * n);
                CPU.decodeValues(wide, 0, chunks, values, ValueType.BF16, once);
                assertEquals(once, v, "bf16 values");
            }
        }
    }

    @Test
    void refusesAnotherTableAndUseAfterClose() throws L2cException {
        int[] symbols = Sources.generate(Sources.Kind.LAPLACIAN, 5000, 200, 3);
        FrequencyTable table = FrequencyTable.fromCounts(Sources.counts(symbols, 200));
        EncodedStream s = CPU.encode(Sources.direct(symbols), table, CHUNK);
        FrequencyTable other = FrequencyTable.fromCounts(Sources.counts(Sources.generate(Sources.Kind.UNIFORM, 5000, 200, 4), 200));
        RansDecoder<ShortBuffer> d = CPU.symbolDecoder(other);
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> d.decode(s, 0, s.chunkCount(), Sources.output(5000)));
        assertTrue(wrong.getMessage().contains("decoder made for"), wrong.getMessage());
        d.close();
        d.close(); // idempotent
        RansDecoder<ShortBuffer> closed = CPU.symbolDecoder(table);
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.decode(s, 0, s.chunkCount(), Sources.output(5000)));
        assertThrows(IllegalArgumentException.class, () -> CPU.byteDecoder(
                FrequencyTable.fromCounts(Sources.counts(Sources.generate(Sources.Kind.UNIFORM, 5000, 300, 4), 300))));
        assertThrows(IllegalArgumentException.class, () -> CPU.valueDecoder(table, new float[3], ValueType.F32));
    }

    /** A damaged chunk is named as by the one-shot call. */
    @Test
    void corruptChunksAreNamed() throws L2cException {
        int[] symbols = Sources.generate(Sources.Kind.LAPLACIAN, 8 * CHUNK, 256, 5);
        FrequencyTable table = FrequencyTable.fromCounts(Sources.counts(symbols, 256));
        EncodedStream good = CPU.encode(Sources.direct(symbols), table, CHUNK);
        ByteBuffer bad = ByteBuffer.allocateDirect(good.payload().remaining()).put(good.payload().duplicate()).flip();
        long[] offsets = good.chunkOffsets();
        bad.put((int) offsets[5] + 2, (byte) 0); // lane 0's state of chunk 5 below 2^16
        bad.put((int) offsets[5] + 3, (byte) 0);
        EncodedStream s = new EncodedStream(table, good.symbolCount(), CHUNK, offsets, bad);
        try (RansDecoder<ShortBuffer> d = CPU.symbolDecoder(table)) {
            L2cException e = assertThrows(L2cException.class, () -> d.decode(s, 0, s.chunkCount(), Sources.output(8 * CHUNK)));
            L2cException once = assertThrows(L2cException.class,
                    () -> CPU.decodeSymbols(s, 0, s.chunkCount(), Sources.output(8 * CHUNK)));
            assertEquals(once.getMessage(), e.getMessage());
            assertTrue(e.getMessage().startsWith("rANS chunk 5 (cpu)"), e.getMessage());
        }
    }

    @Test
    void servesConcurrentCalls() throws Exception {
        int n = 200_000;
        int[] symbols = Sources.generate(Sources.Kind.LAPLACIAN, n, 256, 9);
        FrequencyTable table = FrequencyTable.fromCounts(Sources.counts(symbols, 256));
        EncodedStream s = CPU.encode(Sources.direct(symbols), table, EncodedStream.DEFAULT_CHUNK_SYMBOLS);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (RansDecoder<ShortBuffer> d = CPU.symbolDecoder(table)) {
            java.util.List<Future<int[]>> runs = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                runs.add(pool.submit(() -> {
                    ShortBuffer out = Sources.output(n);
                    d.decode(s, 0, s.chunkCount(), out);
                    return Sources.toInts(out);
                }));
            }
            for (Future<int[]> f : runs) assertArrayEquals(symbols, f.get());
        } finally {
            pool.shutdown();
        }
    }
}
