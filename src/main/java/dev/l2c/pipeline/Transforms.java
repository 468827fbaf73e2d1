package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.format.TransformSpec;
import dev.l2c.format.TransformType;
import dev.l2c.transform.Channels;
import java.nio.ShortBuffer;

/** Reconstructed weights from a tensor's stored transform and alphabet. */
final class Transforms {
    private Transforms() {}

    /** The value of each dense symbol, for a transform with one set of parameters per tensor. */
    static float[] values(TransformSpec spec, int[] alphabet) throws L2cException {
        if (spec.channelAxis() != -1) throw new IllegalArgumentException("per-channel transform");
        float[] values = new float[alphabet.length];
        switch (spec.type()) {
            case UNIFORM -> {
                requireParams(spec, 1);
                float step = spec.params()[0];
                for (int k = 0; k < alphabet.length; k++) values[k] = alphabet[k] * step;
            }
            default -> throw new L2cException("transform " + spec.type() + " is not supported by this version of l2c");
        }
        return values;
    }

    /** The channel layout of a per-channel transform, checked against the tensor's shape. */
    static Channels channels(TransformSpec spec, long[] shape) throws L2cException {
        int axis = spec.channelAxis();
        if (axis < 0 || axis >= shape.length) {
            throw new L2cException(spec.type() + " transform runs along axis " + axis + " of a rank-" + shape.length + " tensor");
        }
        if (spec.type() != TransformType.UNIFORM) {
            throw new L2cException("per-channel " + spec.type() + " transforms are not supported by this version of l2c");
        }
        requireParams(spec, Math.toIntExact(shape[axis]));
        return Channels.along(shape, axis);
    }

    /** Per-channel uniform reconstruction: out[i] = alphabet[symbol[i]] * step[channel(i)]. */
    static float[] dequantize(ShortBuffer symbols, int[] alphabet, float[] steps, Channels channels, int count) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = alphabet[symbols.get(i) & 0xffff] * steps[channels.of(i)];
        }
        return out;
    }

    private static void requireParams(TransformSpec spec, int n) throws L2cException {
        if (spec.params().length != n) {
            throw new L2cException(spec.type() + " transform has " + spec.params().length + " parameters, expected " + n);
        }
    }
}
