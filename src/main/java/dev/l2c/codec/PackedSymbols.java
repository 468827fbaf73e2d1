package dev.l2c.codec;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/**
 * Dense symbols bit-packed at a fixed width (docs/FORMAT.md, coding 2): symbol i occupies bits
 * [i·b, (i+1)·b) of the payload, least significant bit first; the unused high bits of the last
 * byte are zero. Width 0 (a one-symbol alphabet) has an empty payload. For a small tensor with a
 * flat histogram (a bias) this costs less than rANS with its state and frequency table.
 */
public final class PackedSymbols {
    /** Widest symbol: dense indices of an alphabet of at most 65,536 entries. */
    public static final int MAX_BITS = 16;

    private PackedSymbols() {}

    /** The width that holds every dense index below {@code alphabetSize}: ceil(log2 alphabetSize). */
    public static int bitsFor(int alphabetSize) {
        return alphabetSize <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(alphabetSize - 1);
    }

    /** Payload bytes of {@code n} symbols of {@code bits} bits. */
    public static long payloadBytes(long n, int bits) {
        return (n * bits + 7) / 8;
    }

    /** Packs {@code n} dense symbols of {@code symbols} (from index 0), each below 2^bits. */
    public static ByteBuffer pack(ShortBuffer symbols, int n, int bits) {
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(payloadBytes(n, bits))).order(ByteOrder.LITTLE_ENDIAN);
        long acc = 0;
        int held = 0;
        for (int i = 0; i < n; i++) {
            int s = symbols.get(i) & 0xffff;
            if (s >>> bits != 0) throw new IllegalArgumentException("symbol " + s + " at " + i + " needs more than " + bits + " bits");
            acc |= (long) s << held;
            held += bits;
            while (held >= 8) {
                out.put((byte) acc);
                acc >>>= 8;
                held -= 8;
            }
        }
        if (held > 0) out.put((byte) acc);
        return out.flip();
    }

    /**
     * Unpacks {@code n} symbols of {@code bits} bits from {@code payload} (exactly its remaining
     * bytes) into {@code out} from index 0, each checked against {@code alphabetSize}.
     */
    public static void unpack(ByteBuffer payload, int n, int bits, int alphabetSize, ShortBuffer out) throws L2cException {
        if (bits < 0 || bits > MAX_BITS) throw new L2cException("packed symbols of " + bits + " bits (0.." + MAX_BITS + ")");
        long expected = payloadBytes(n, bits);
        ByteBuffer in = payload.duplicate();
        if (in.remaining() != expected) {
            throw new L2cException("packed payload of " + in.remaining() + " bytes, " + n + " symbols of " + bits + " bits need " + expected);
        }
        int mask = (1 << bits) - 1;
        long acc = 0;
        int held = 0;
        for (int i = 0; i < n; i++) {
            while (held < bits) {
                acc |= (long) (in.get() & 0xff) << held;
                held += 8;
            }
            int s = (int) (acc & mask);
            acc >>>= bits;
            held -= bits;
            if (s >= alphabetSize) throw new L2cException("symbol " + s + " of element " + i + " lies outside the alphabet of " + alphabetSize);
            out.put(i, (short) s);
        }
        if (acc != 0) throw new L2cException("packed payload has nonzero padding bits (corrupt)");
    }
}
