package dev.l2c.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The small-stream codings of format version 4: single-lane rANS and packed symbols. */
class SmallStreamCodecTest {
    @ParameterizedTest
    @CsvSource({"SKEWED, 3, 1", "SKEWED, 8, 2304", "LAPLACIAN, 16, 10", "LAPLACIAN, 300, 5000", "UNIFORM, 256, 4096",
        "UNIFORM, 1, 100"})
    void singleLaneRansRoundTripsNearTheEntropy(Sources.Kind kind, int alphabet, int n) throws L2cException {
        int[] s = Sources.generate(kind, n, alphabet, 3);
        long[] counts = Sources.counts(s, alphabet);
        FrequencyTable t = FrequencyTable.fromCounts(counts, FrequencyTable.MAX_PRECISION);
        ByteBuffer payload = SingleLaneRans.encode(Sources.direct(s), n, t);
        ShortBuffer out = ByteBuffer.allocateDirect(2 * n).order(ByteOrder.nativeOrder()).asShortBuffer();
        SingleLaneRans.decode(payload, n, t, out);
        for (int i = 0; i < n; i++) assertEquals(s[i], out.get(i) & 0xffff, "symbol " + i);
        // One 4-byte state, then no more than the information plus two words.
        assertTrue(payload.remaining() <= 4 + t.estimatedBits(counts) / 8 + 4, payload.remaining() + " bytes");
    }

    @Test
    void singleLaneRansRejectsEveryCorruption() throws L2cException {
        int n = 2000;
        int[] s = Sources.generate(Sources.Kind.LAPLACIAN, n, 16, 5);
        FrequencyTable t = FrequencyTable.fromCounts(Sources.counts(s, 16), FrequencyTable.MAX_PRECISION);
        ByteBuffer good = SingleLaneRans.encode(Sources.direct(s), n, t);
        ShortBuffer out = ByteBuffer.allocateDirect(2 * n).order(ByteOrder.nativeOrder()).asShortBuffer();
        // Truncated, extended and every single flipped byte: an error, never an exception of another kind.
        assertThrows(L2cException.class, () -> SingleLaneRans.decode(good.duplicate().limit(good.limit() - 2), n, t, out));
        ByteBuffer longer = ByteBuffer.allocate(good.remaining() + 2).put(good.duplicate()).putShort((short) 7).flip();
        assertThrows(L2cException.class, () -> SingleLaneRans.decode(longer, n, t, out));
        assertThrows(L2cException.class, () -> SingleLaneRans.decode(ByteBuffer.allocate(3), n, t, out));
        int caught = 0;
        for (int at = 0; at < good.remaining(); at++) {
            ByteBuffer bad = ByteBuffer.allocate(good.remaining()).put(good.duplicate()).flip();
            bad.put(at, (byte) (bad.get(at) ^ 0x5a));
            try {
                SingleLaneRans.decode(bad, n, t, out);
            } catch (L2cException e) {
                caught++;
            }
        }
        // rANS has no redundancy beyond its end state: most, not all, flips are caught; the CRC catches the rest.
        assertTrue(caught > good.remaining() / 2, caught + " of " + good.remaining());
    }

    @ParameterizedTest
    @CsvSource({"1, 0", "2, 1", "3, 2", "5, 3", "16, 4", "17, 5", "256, 8", "300, 9", "65536, 16"})
    void packedSymbolsRoundTripAtTheirWidth(int alphabet, int bits) throws L2cException {
        assertEquals(bits, PackedSymbols.bitsFor(alphabet));
        int n = 1001;
        int[] s = Sources.generate(Sources.Kind.UNIFORM, n, alphabet, 9);
        ByteBuffer payload = PackedSymbols.pack(Sources.direct(s), n, bits);
        assertEquals((n * bits + 7) / 8, payload.remaining());
        ShortBuffer out = ByteBuffer.allocateDirect(2 * n).order(ByteOrder.nativeOrder()).asShortBuffer();
        PackedSymbols.unpack(payload, n, bits, alphabet, out);
        for (int i = 0; i < n; i++) assertEquals(s[i], out.get(i) & 0xffff, "symbol " + i);
    }

    @Test
    void packedSymbolsRejectWrongLengthsPaddingAndSymbolsOutsideTheAlphabet() {
        ShortBuffer out = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder()).asShortBuffer();
        // Three 3-bit symbols in two bytes: 7 padding bits must be zero.
        ByteBuffer padded = ByteBuffer.wrap(new byte[] {0, (byte) 0x80});
        assertThrows(L2cException.class, () -> PackedSymbols.unpack(padded, 3, 3, 8, out));
        assertThrows(L2cException.class, () -> PackedSymbols.unpack(ByteBuffer.allocate(3), 3, 3, 8, out));
        // Symbol 7 in an alphabet of 5.
        ByteBuffer seven = ByteBuffer.wrap(new byte[] {7, 0});
        L2cException e = assertThrows(L2cException.class, () -> PackedSymbols.unpack(seven, 3, 3, 5, out));
        assertTrue(e.getMessage().contains("outside the alphabet of 5"), e.getMessage());
        assertThrows(L2cException.class, () -> PackedSymbols.unpack(ByteBuffer.allocate(0), 1, 17, 5, out));
    }
}
