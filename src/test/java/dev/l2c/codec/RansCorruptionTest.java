package dev.l2c.codec;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Corrupt streams give L2cException naming the chunk, never a crash or silently wrong output. */
class RansCorruptionTest {
    private static final RansCodec CODEC = new CpuRansCodec(2);
    private static final int CHUNK = 1024;
    private static int[] symbols;
    private static EncodedStream good;

    @BeforeAll
    static void encode() throws L2cException {
        symbols = Sources.generate(Sources.Kind.LAPLACIAN, 10 * CHUNK - 100, 200, 5);
        good = CODEC.encode(Sources.direct(symbols), FrequencyTable.fromCounts(Sources.counts(symbols, 200)), CHUNK);
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocateDirect(b.remaining());
        c.put(b.duplicate()).flip();
        return c;
    }

    private static EncodedStream withPayload(ByteBuffer payload, long[] offsets) {
        return new EncodedStream(good.table(), good.symbolCount(), CHUNK, offsets, payload);
    }

    private static void decodeAll(EncodedStream s) throws L2cException {
        CODEC.decodeSymbols(s, 0, s.chunkCount(), Sources.output(s.symbolCount()));
    }

    /**
     * rANS has no redundancy beyond the end-state check (32 lanes back at L, all words used), so
     * a flip that moves a slot between two symbols of equal frequency decodes to other symbols
     * undetected; the container's CRC32C is the guarantee. Here: no flip crashes, every detection
     * names the chunk, and the end-state check catches the vast majority.
     */
    @Test
    void singleBitFlipsAreCaughtByTheEndStateCheck() throws L2cException {
        long[] off = good.chunkOffsets();
        int chunk = 3;
        int flips = 0, detected = 0;
        for (long byteAt = off[chunk]; byteAt < off[chunk + 1]; byteAt++) {
            for (int bit = 0; bit < 8; bit++) {
                ByteBuffer p = copy(good.payload());
                p.put((int) byteAt, (byte) (p.get((int) byteAt) ^ (1 << bit)));
                flips++;
                ShortBuffer out = Sources.output(good.symbolCount());
                try {
                    CODEC.decodeSymbols(withPayload(p, off), 0, good.chunkCount(), out);
                    assertTrue(!java.util.Arrays.equals(Sources.toInts(out), symbols), "a flip changed nothing");
                } catch (L2cException e) {
                    detected++;
                    assertTrue(e.getMessage().startsWith("rANS chunk " + chunk + " "), e.getMessage());
                }
            }
        }
        assertTrue(detected >= 0.95 * flips, detected + " of " + flips + " flips detected");
    }

    @Test
    void truncatedChunksAreDetected() {
        long[] off = good.chunkOffsets();
        for (int cut = 2; cut <= 64; cut += 2) {
            long[] o = off.clone();
            for (int i = 5; i < o.length; i++) o[i] -= cut; // chunk 4 loses its last `cut` bytes
            ByteBuffer p = ByteBuffer.allocateDirect((int) o[o.length - 1]);
            ByteBuffer src = good.payload().duplicate();
            src.limit((int) (off[5] - cut));
            p.put(src);
            src.limit((int) off[off.length - 1]).position((int) off[5]);
            p.put(src).flip();
            L2cException e = assertThrows(L2cException.class, () -> decodeAll(withPayload(p, o)));
            assertTrue(e.getMessage().startsWith("rANS chunk 4"), e.getMessage());
        }
    }

    @Test
    void offsetsOutsideThePayloadOrDecreasingAreRejected() {
        long[] off = good.chunkOffsets();
        long[][] bad = new long[4][];
        bad[0] = off.clone();
        bad[0][off.length - 1] += 2; // past the end
        bad[1] = off.clone();
        bad[1][3] = bad[1][4] + 2; // chunk 3 decreasing
        bad[2] = off.clone();
        bad[2][2] = bad[2][1] + 64; // chunk 1 shorter than its header
        bad[3] = off.clone();
        bad[3][0] = -8; // negative
        for (long[] o : bad) {
            L2cException e = assertThrows(L2cException.class, () -> decodeAll(withPayload(good.payload(), o)));
            assertTrue(e.getMessage().startsWith("rANS chunk "), e.getMessage());
        }
    }

    @Test
    void aDifferentTableIsDetected() throws L2cException {
        int[] f = good.table().freqs();
        int a = 0, b = f.length - 1;
        while (f[a] < 2) a++;
        f[a]--;
        f[b]++;
        EncodedStream s = new EncodedStream(
                new FrequencyTable(good.table().precisionBits(), f), good.symbolCount(), CHUNK, good.chunkOffsets(),
                good.payload());
        assertThrows(L2cException.class, () -> decodeAll(s));
    }

    @Test
    void invalidTablesFromFilesAreRejected() {
        assertThrows(L2cException.class, () -> FrequencyTable.of(0, new int[] {1}));
        assertThrows(L2cException.class, () -> FrequencyTable.of(17, new int[] {1 << 17}));
        assertThrows(L2cException.class, () -> FrequencyTable.of(4, new int[] {8, 7}));
        assertThrows(L2cException.class, () -> FrequencyTable.of(4, new int[] {17, -1}));
        assertThrows(L2cException.class, () -> FrequencyTable.of(4, new int[0]));
        assertThrows(L2cException.class, () -> FrequencyTable.of(4, new int[65537]));
        assertThrows(L2cException.class,
                () -> EncodedStream.of(good.table(), good.symbolCount(), CHUNK, new long[3], good.payload()));
        assertThrows(L2cException.class,
                () -> EncodedStream.of(good.table(), good.symbolCount(), 100, good.chunkOffsets(), good.payload()));
    }

    @Test
    void uncodableSymbolsAreNamedByPosition() {
        int[] s = symbols.clone();
        int absent = 0;
        while (good.table().frequency(absent) != 0) absent++;
        s[5000] = absent;
        s[7000] = absent;
        L2cException e = assertThrows(L2cException.class, () -> CODEC.encode(Sources.direct(s), good.table(), CHUNK));
        assertTrue(e.getMessage().contains("position 5000"), e.getMessage());
        s[5000] = 60000; // outside the alphabet
        e = assertThrows(L2cException.class, () -> CODEC.encode(Sources.direct(s), good.table(), CHUNK));
        assertTrue(e.getMessage().contains("position 5000"), e.getMessage());
        e = assertThrows(L2cException.class, () -> CODEC.histogram(Sources.direct(s), 200));
        assertTrue(e.getMessage().contains("position 5000"), e.getMessage());
    }

    /** Thousands of random payloads and offsets: every outcome is a clean result or L2cException. */
    @Test
    void randomGarbageNeverCrashes() {
        Random rnd = new Random(99);
        int rejected = 0;
        for (int trial = 0; trial < 4000; trial++) {
            int n = rnd.nextInt(3 * 96);
            int chunk = 96;
            int chunks = (n + chunk - 1) / chunk;
            int[] f = new int[1 + rnd.nextInt(300)];
            int p = 1 + rnd.nextInt(16);
            f[rnd.nextInt(f.length)] = 1 << p; // a valid, arbitrary table
            if (f.length > 1 && p > 1) {
                int from = 0;
                while (f[from] == 0) from++;
                int moved = rnd.nextInt(1 << p);
                f[from] -= moved;
                f[rnd.nextInt(f.length)] += moved;
            }
            byte[] garbage = new byte[rnd.nextInt(128 * chunks + 2 * n + 64) + (rnd.nextBoolean() ? 128 * chunks : 0)];
            rnd.nextBytes(garbage);
            ByteBuffer payload = ByteBuffer.allocateDirect(garbage.length).put(garbage).flip();
            long[] off = new long[chunks + 1];
            for (int i = 1; i <= chunks; i++) {
                off[i] = rnd.nextInt(8) == 0 ? rnd.nextInt(garbage.length + 300) - 100
                        : Math.min(garbage.length, off[i - 1] + 128 + 2 * rnd.nextInt(2 * chunk));
            }
            EncodedStream s = new EncodedStream(new FrequencyTable(p, f), n, chunk, off, payload);
            ShortBuffer out = Sources.output(n);
            try {
                CODEC.decodeSymbols(s, 0, chunks, out);
            } catch (L2cException e) {
                rejected++;
                assertTrue(e.getMessage().startsWith("rANS chunk "), e.getMessage());
            }
            if (f.length <= 256) {
                ByteBuffer vals = ByteBuffer.allocateDirect(4 * n);
                assertDoesNotThrow(() -> {
                    try {
                        CODEC.decodeValues(s, 0, chunks, new float[f.length], ValueType.F32, vals);
                    } catch (L2cException expected) {
                        // rejected cleanly
                    }
                });
            }
        }
        assertTrue(rejected > 3000, "only " + rejected + " of 4000 garbage streams rejected");
    }
}
