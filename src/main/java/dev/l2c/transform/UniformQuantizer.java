package dev.l2c.transform;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

/**
 * Symmetric uniform quantization, the {@code --bits} baseline: step s = max|w| / qmax over the
 * tensor or over each channel, with qmax = 2^(B-1) - 1, q = round(w / s) clamped to [-qmax, qmax],
 * reconstruction q * s.
 */
public final class UniformQuantizer {
    public static final int MIN_BITS = 2;
    public static final int MAX_BITS = 8;

    private final int bits;

    public UniformQuantizer(int bits) {
        if (bits < MIN_BITS || bits > MAX_BITS) {
            throw new IllegalArgumentException("bits must be in [" + MIN_BITS + ", " + MAX_BITS + "], got " + bits);
        }
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    /** Quantizes {@code weights} with one step for the whole tensor. */
    public QuantizedTensor quantize(String name, float[] weights) throws L2cException {
        return quantize(name, weights, Channels.whole(weights.length));
    }

    /**
     * Quantizes {@code weights} with one step per channel of {@code channels} (for a whole-tensor
     * layout, one step). {@code name} only labels errors; non-finite weights are refused.
     */
    public QuantizedTensor quantize(String name, float[] weights, Channels channels) throws L2cException {
        int qmax = (1 << (bits - 1)) - 1;
        float[] maxAbs = new float[channels.count()];
        for (int i = 0; i < weights.length; i++) {
            float w = weights[i];
            if (!Float.isFinite(w)) {
                throw new L2cException("tensor " + name + ": element " + i + " is " + w
                        + "; lossy modes need finite weights (keep it exact with --lossless or --keep)");
            }
            int c = channels.of(i);
            maxAbs[c] = Math.max(maxAbs[c], Math.abs(w));
        }
        float[] steps = new float[maxAbs.length];
        for (int c = 0; c < steps.length; c++) steps[c] = maxAbs[c] > 0f ? maxAbs[c] / qmax : 1f;
        IntBuffer q = ByteBuffer.allocateDirect(4 * Math.max(1, weights.length)).order(ByteOrder.nativeOrder()).asIntBuffer();
        for (int i = 0; i < weights.length; i++) {
            int v = Math.round(weights[i] / steps[channels.of(i)]);
            q.put(i, Math.max(-qmax, Math.min(qmax, v)));
        }
        return LearnedSymbols.remap(name, q, weights.length, TransformKind.UNIFORM, channels, steps);
    }
}
