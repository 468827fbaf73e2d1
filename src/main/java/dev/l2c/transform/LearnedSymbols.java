package dev.l2c.transform;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;

/**
 * Symbols of a learned transform made ready for the coder: the integer symbols q from the
 * transform kernels remapped to a dense alphabet, and the reconstruction of each symbol, computed
 * here in Java (the decoder's formula, docs/DESIGN.md "Unified transform").
 */
public final class LearnedSymbols {
    /** Widest symbol range counted directly; the optimizer keeps alphabets far below it. */
    private static final long MAX_SPAN = 1 << 24;

    private LearnedSymbols() {}

    /**
     * Remaps q[0..n) (absolute positions) of a tensor transformed by {@code kind} with
     * {@code params} over {@code channels}. Values are filled when the tensor has one parameter set.
     */
    public static QuantizedTensor remap(String name, IntBuffer q, int n, TransformKind kind, Channels channels,
            float[] params) throws L2cException {
        return remap(name, q, n, kind, channels, params,
                ByteBuffer.allocateDirect(2 * Math.max(1, n)).order(ByteOrder.nativeOrder()).asShortBuffer());
    }

    /**
     * {@link #remap} writing the dense symbols into {@code out} (direct, native order, room for n
     * from 0), which the result then holds: a caller coding tensor after tensor reuses one buffer.
     */
    public static QuantizedTensor remap(String name, IntBuffer q, int n, TransformKind kind, Channels channels,
            float[] params, ShortBuffer out) throws L2cException {
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            int v = q.get(i);
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (n == 0) min = max = 0;
        long span = (long) max - min + 1;
        if (span > MAX_SPAN) throw new L2cException("tensor " + name + ": symbols span [" + min + ", " + max + "], too wide to code");
        long[] byQ = new long[(int) span];
        for (int i = 0; i < n; i++) byQ[q.get(i) - min]++;
        int present = 0;
        for (long c : byQ) if (c > 0) present++;
        if (present > 65536) throw new L2cException("tensor " + name + ": " + present + " distinct symbols, above 65,536");
        int[] alphabet = new int[present];
        long[] counts = new long[present];
        int[] denseOf = new int[(int) span];
        int k = 0;
        for (int v = 0; v < span; v++) {
            if (byQ[v] == 0) continue;
            alphabet[k] = v + min;
            counts[k] = byQ[v];
            denseOf[v] = k++;
        }
        ShortBuffer symbols = out.duplicate().clear();
        for (int i = 0; i < n; i++) symbols.put(i, (short) denseOf[q.get(i) - min]);
        symbols.limit(n);
        float[] values = null;
        if (channels.count() == 1) {
            values = new float[present];
            for (int j = 0; j < present; j++) values[j] = decode(kind, params, 1, 0, alphabet[j]);
        }
        return new QuantizedTensor(symbols, alphabet, values, params.clone(), counts);
    }

    /**
     * decode(q) of channel {@code channel} of {@code channelCount}, parameters laid out as
     * {@link TransformKind} documents: the same double operations as the native kernels'
     * decode (src/main/cpp/l2c/transform_core.h), so the file decodes to the values calibration saw.
     */
    public static float decode(TransformKind kind, float[] params, int channelCount, int channel, int q) {
        switch (kind) {
            case UNIFORM:
                return (float) ((double) q * params[channel]);
            case EDGE_SCALE: {
                if (q == 0) return 0f;
                double e = params[channel];
                double s = params[channelCount + channel];
                double magnitude = e + (Math.abs((double) q) - 0.5) * s;
                return (float) (q < 0 ? -magnitude : magnitude);
            }
            case PIECEWISE: {
                if (q == 0) return 0f;
                double e = params[channel];
                double s1 = params[channelCount + channel];
                double b = params[2 * channelCount + channel];
                double s2 = params[3 * channelCount + channel];
                double knee = 0.5 + (b - e) * (1 / s1);
                double m = Math.abs((double) q);
                double magnitude = m <= knee ? e + (m - 0.5) * s1 : b + (m - knee) * s2;
                return (float) (q < 0 ? -magnitude : magnitude);
            }
            default:
                throw new IllegalArgumentException(kind + " is not decoded by this version");
        }
    }
}
