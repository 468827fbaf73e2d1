package dev.l2c.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.Random;

/** Symbol sources for codec tests: uniform, discrete Laplacian and heavily skewed. */
final class Sources {
    private Sources() {}

    enum Kind { UNIFORM, LAPLACIAN, SKEWED }

    /** n symbols in [0, alphabet) from the given source. */
    static int[] generate(Kind kind, int n, int alphabet, long seed) {
        Random rnd = new Random(seed);
        int[] s = new int[n];
        int center = alphabet / 2;
        for (int i = 0; i < n; i++) {
            s[i] = switch (kind) {
                case UNIFORM -> rnd.nextInt(alphabet);
                case LAPLACIAN -> {
                    // Two-sided geometric with scale ~ alphabet / 16, clamped to the alphabet.
                    double scale = Math.max(1.0, alphabet / 16.0);
                    long mag = Math.round(-scale * Math.log(1 - rnd.nextDouble()));
                    long v = center + (rnd.nextBoolean() ? mag : -mag);
                    yield (int) Math.max(0, Math.min(alphabet - 1, v));
                }
                case SKEWED -> rnd.nextDouble() < 0.999 ? center : rnd.nextInt(alphabet);
            };
        }
        return s;
    }

    static ShortBuffer direct(int[] symbols) {
        ShortBuffer b = ByteBuffer.allocateDirect(2 * symbols.length).order(ByteOrder.nativeOrder()).asShortBuffer();
        for (int v : symbols) b.put((short) v);
        return b.flip();
    }

    static ByteBuffer directBytes(int[] symbols) {
        ByteBuffer b = ByteBuffer.allocateDirect(symbols.length);
        for (int v : symbols) b.put((byte) v);
        return b.flip();
    }

    static ShortBuffer output(long n) {
        return ByteBuffer.allocateDirect((int) (2 * n)).order(ByteOrder.nativeOrder()).asShortBuffer();
    }

    static long[] counts(int[] symbols, int alphabet) {
        long[] c = new long[alphabet];
        for (int v : symbols) c[v]++;
        return c;
    }

    static int[] toInts(ShortBuffer b) {
        int[] r = new int[b.remaining()];
        for (int i = 0; i < r.length; i++) r[i] = Short.toUnsignedInt(b.get(b.position() + i));
        return r;
    }

    /** Shannon entropy in bits of the empirical distribution, times the count. */
    static double entropyBits(long[] counts) {
        long n = 0;
        for (long c : counts) n += c;
        double bits = 0;
        for (long c : counts) {
            if (c > 0) bits -= c * (Math.log((double) c / n) / Math.log(2));
        }
        return bits;
    }
}
