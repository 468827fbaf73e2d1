package dev.l2c.transform;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

/**
 * Symmetric uniform quantization, the {@code --bits} baseline: step s = max|w| / qmax over the
 * tensor or over each channel, with qmax = 2^(B-1) - 1, q = round(w / s) clamped to [-qmax, qmax],
 * reconstruction q * s.
 *
 * <p>The ratio-mode baselines use the relative-step form instead ({@link #quantizeRelative}): the
 * step of each channel is a common factor f times the channel's max|w|, so one number f moves
 * every tensor's file size together and a search on f meets any file size, not only the seven
 * that whole bit widths give.
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
        float[] maxAbs = maxAbs(name, weights, channels);
        float[] steps = new float[maxAbs.length];
        for (int c = 0; c < steps.length; c++) steps[c] = maxAbs[c] > 0f ? maxAbs[c] / qmax : 1f;
        IntBuffer q = ByteBuffer.allocateDirect(4 * Math.max(1, weights.length)).order(ByteOrder.nativeOrder()).asIntBuffer();
        for (int i = 0; i < weights.length; i++) {
            int v = Math.round(weights[i] / steps[channels.of(i)]);
            q.put(i, Math.max(-qmax, Math.min(qmax, v)));
        }
        return LearnedSymbols.remap(name, q, weights.length, TransformKind.UNIFORM, channels, steps);
    }

    /**
     * The largest |q| a relative step allows: round(1 / factor), the channel's max|w| in steps, and
     * at least 1. Never 0: GPTQ's error feedback can carry a weight past half a step even when
     * max|w| is below it, and a clamp that dropped to 0 at f = 2 would make the file size jump
     * from ternary to all zeros there, a gap no step search could land in. With at least one
     * level a side the size keeps shrinking as f grows, to all zeros for f large enough.
     */
    public static int levels(double factor) {
        if (!(factor > 0)) throw new IllegalArgumentException("step factor must be > 0, got " + factor);
        return (int) Math.max(1, Math.min(1 << 20, Math.round(1 / factor)));
    }

    /**
     * The step of each channel: {@code factor} times its max|w| (1 where the channel is all zero).
     * Non-finite weights are refused, naming {@code name}.
     */
    public static float[] relativeSteps(String name, float[] weights, Channels channels, double factor) throws L2cException {
        float[] maxAbs = maxAbs(name, weights, channels);
        float[] steps = new float[maxAbs.length];
        for (int c = 0; c < steps.length; c++) {
            float s = (float) (factor * maxAbs[c]);
            steps[c] = s > 0 && Float.isFinite(s) ? s : maxAbs[c] > 0 ? maxAbs[c] : 1f;
        }
        return steps;
    }

    /**
     * Symmetric round-to-nearest with the relative step of {@link #relativeSteps}: q = round(w / s)
     * clamped to [-levels(factor), levels(factor)].
     */
    public static QuantizedTensor quantizeRelative(String name, float[] weights, Channels channels, double factor)
            throws L2cException {
        float[] steps = relativeSteps(name, weights, channels, factor);
        int levels = levels(factor);
        IntBuffer q = ByteBuffer.allocateDirect(4 * Math.max(1, weights.length)).order(ByteOrder.nativeOrder()).asIntBuffer();
        for (int i = 0; i < weights.length; i++) {
            long v = Math.round((double) weights[i] / steps[channels.of(i)]);
            q.put(i, (int) Math.max(-levels, Math.min(levels, v)));
        }
        return LearnedSymbols.remap(name, q, weights.length, TransformKind.UNIFORM, channels, steps);
    }

    /** max|w| of each channel; non-finite weights are refused, naming {@code name}. */
    private static float[] maxAbs(String name, float[] weights, Channels channels) throws L2cException {
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
        return maxAbs;
    }
}
