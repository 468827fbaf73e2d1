package dev.l2c.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.l2c.L2cException;
import dev.l2c.backend.Backends;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The CUDA codec through Java equals the CPU codec; skipped where no GPU is usable. */
class CudaRansCodecTest {
    @BeforeAll
    static void needsGpu() {
        assumeTrue(Backends.cudaUnavailableReason() == null, "CUDA unavailable: " + Backends.cudaUnavailableReason());
    }

    @Test
    void cudaMatchesCpuBitForBit() throws L2cException {
        RansCodec cpu = new CpuRansCodec(2), gpu = new CudaRansCodec();
        for (Sources.Kind kind : Sources.Kind.values()) {
            for (int alphabet : new int[] {1, 200, 65536}) {
                int[] s = Sources.generate(kind, 300_001, alphabet, alphabet);
                FrequencyTable t = FrequencyTable.fromCounts(cpu.histogram(Sources.direct(s), alphabet));
                assertArrayEquals(Sources.counts(s, alphabet), gpu.histogram(Sources.direct(s), alphabet));
                EncodedStream c = cpu.encode(Sources.direct(s), t, 4096);
                assertEquals(c, gpu.encode(Sources.direct(s), t, 4096));
                ShortBuffer out = Sources.output(s.length);
                gpu.decodeSymbols(c, 0, c.chunkCount(), out);
                assertArrayEquals(s, Sources.toInts(out));
                if (alphabet <= 256) {
                    assertEquals(c, gpu.encodeBytes(Sources.directBytes(s), t, 4096));
                    ByteBuffer bytes = ByteBuffer.allocateDirect(s.length);
                    gpu.decodeBytes(c, 0, c.chunkCount(), bytes);
                    assertEquals(Sources.directBytes(s), bytes);
                }
                float[] values = new float[alphabet];
                for (int i = 0; i < alphabet; i++) values[i] = (i - alphabet / 2) * 1.37e-3f;
                for (ValueType type : ValueType.values()) {
                    ByteBuffer a = ByteBuffer.allocateDirect(type.bytes() * s.length);
                    ByteBuffer b = ByteBuffer.allocateDirect(type.bytes() * s.length);
                    cpu.decodeValues(c, 0, c.chunkCount(), values, type, a);
                    gpu.decodeValues(c, 0, c.chunkCount(), values, type, b);
                    assertEquals(a, b, type.toString());
                }
            }
        }
    }

    @Test
    void cudaReportsCorruptChunks() throws L2cException {
        RansCodec gpu = new CudaRansCodec();
        int[] s = Sources.generate(Sources.Kind.LAPLACIAN, 50_000, 256, 1);
        FrequencyTable t = FrequencyTable.fromCounts(Sources.counts(s, 256));
        EncodedStream e = gpu.encode(Sources.direct(s), t, 4096);
        long[] off = e.chunkOffsets();
        off[off.length - 1] -= 2;
        EncodedStream cut = new EncodedStream(t, e.symbolCount(), 4096, off, e.payload());
        L2cException x = assertThrows(L2cException.class,
                () -> gpu.decodeSymbols(cut, 0, cut.chunkCount(), Sources.output(s.length)));
        assertEquals(true, x.getMessage().startsWith("rANS chunk " + (cut.chunkCount() - 1) + " (cuda)"), x.getMessage());
    }
}
