package dev.l2c.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The native encoder writes exactly the bytes of the Java reference encoder (pins the format). */
class RansFormatTest {
    @Property(tries = 60)
    void nativeBytesEqualTheReference(
            @ForAll @IntRange(min = 0, max = 20000) int n,
            @ForAll @IntRange(min = 1, max = 70000) int alphabetWish,
            @ForAll Sources.Kind kind,
            @ForAll @IntRange(min = 1, max = 8) int chunkRows,
            @ForAll @IntRange(min = 1, max = 4) int threads)
            throws L2cException {
        int alphabet = Math.min(alphabetWish, 65536);
        int chunk = 32 * chunkRows * chunkRows * 4;
        int[] s = Sources.generate(kind, n, alphabet, n + alphabet);
        FrequencyTable t = FrequencyTable.fromCounts(Sources.counts(s, alphabet));
        RansReference.Encoded ref = RansReference.encode(s, t, chunk);
        EncodedStream e = new CpuRansCodec(threads).encode(Sources.direct(s), t, chunk);
        assertArrayEquals(ref.offsets(), e.chunkOffsets());
        assertArrayEquals(ref.payload(), bytes(e.payload()));
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] r = new byte[b.remaining()];
        b.duplicate().get(r);
        return r;
    }
}
