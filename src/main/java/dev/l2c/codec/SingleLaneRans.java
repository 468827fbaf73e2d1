package dev.l2c.codec;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/**
 * rANS with one lane, for small streams (docs/FORMAT.md, coding 3): the math of one lane of the
 * 32-lane coder (src/main/cpp/l2c/rans_core.h: state in [2^16, 2^32), 16-bit renormalization,
 * x = (x / f) << P + x % f + c), but the payload holds one final state (4 bytes) instead of 32
 * (128 bytes). On a small model's tensors of a few thousand symbols, the 32 lane states were most
 * of a tensor's bytes at 20x and more. Decoded on the host; a small stream is never a speed issue.
 *
 * <p>Payload: the final state (u32 LE), then the W renormalization words (u16 LE) in the order the
 * decoder reads them. The decoder never reads past the payload, and at the end the state must be
 * back at 2^16 with every word consumed; otherwise the stream is corrupt.
 */
public final class SingleLaneRans {
    private static final long LOW = 1L << 16;
    private static final int STATE_BYTES = 4;

    private SingleLaneRans() {}

    /** The payload coding {@code n} dense symbols of {@code symbols} (from index 0) with {@code table}. */
    public static ByteBuffer encode(ShortBuffer symbols, int n, FrequencyTable table) {
        int prec = table.precisionBits();
        int[] freqs = table.freqsNoCopy();
        int[] cum = cumulative(freqs);
        char[] words = new char[n];
        int w = 0;
        long x = LOW;
        for (int i = n - 1; i >= 0; i--) {
            int s = symbols.get(i) & 0xffff;
            long f = freqs[s];
            if (f == 0) throw new IllegalArgumentException("symbol " + s + " at " + i + " has frequency 0");
            if (x >= f << (32 - prec)) {
                words[w++] = (char) x;
                x >>>= 16;
            }
            x = ((x / f) << prec) + x % f + cum[s];
        }
        ByteBuffer out = ByteBuffer.allocateDirect(STATE_BYTES + 2 * w).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt((int) x);
        // Words were shed last symbol first; the decoder reads them first symbol first.
        for (int k = w - 1; k >= 0; k--) out.putChar(words[k]);
        return out.flip();
    }

    /**
     * Decodes {@code n} symbols from {@code payload} (its remaining bytes, little-endian) into
     * {@code out} from index 0.
     *
     * @throws L2cException when the payload is not a valid single-lane stream of n symbols under
     *     {@code table}
     */
    public static void decode(ByteBuffer payload, int n, FrequencyTable table, ShortBuffer out) throws L2cException {
        ByteBuffer in = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int bytes = in.remaining();
        if (n == 0 && bytes == 0) return;
        if (bytes < STATE_BYTES || (bytes - STATE_BYTES) % 2 != 0) {
            throw new L2cException("single-lane rANS payload of " + bytes + " bytes (a 4-byte state and 2-byte words)");
        }
        int prec = table.precisionBits();
        int mask = (1 << prec) - 1;
        int[] freqs = table.freqsNoCopy();
        int[] cum = cumulative(freqs);
        short[] slotSymbol = new short[1 << prec];
        for (int s = 0; s < freqs.length; s++) {
            for (int k = cum[s]; k < cum[s] + freqs[s]; k++) slotSymbol[k] = (short) s;
        }
        long x = in.getInt() & 0xffffffffL;
        if (x < LOW) throw new L2cException("single-lane rANS state " + x + " below 2^16 (stream corrupt)");
        for (int i = 0; i < n; i++) {
            int slot = (int) (x & mask);
            int s = slotSymbol[slot] & 0xffff;
            x = freqs[s] * (x >>> prec) + slot - cum[s];
            if (x < LOW) {
                if (!in.hasRemaining()) throw new L2cException("single-lane rANS stream ends at symbol " + i + " of " + n + " (corrupt)");
                x = (x << 16) | in.getChar();
            }
            out.put(i, (short) s);
        }
        if (x != LOW || in.hasRemaining()) {
            throw new L2cException("single-lane rANS stream does not end in its initial state (corrupt)");
        }
    }

    /** c[s]: the sum of the frequencies below s. */
    private static int[] cumulative(int[] freqs) {
        int[] cum = new int[freqs.length];
        for (int s = 1; s < freqs.length; s++) cum[s] = cum[s - 1] + freqs[s - 1];
        return cum;
    }
}
