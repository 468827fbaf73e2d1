package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.format.TransformSpec;

/** The reconstructed value of each dense symbol, from a tensor's stored transform. */
final class Transforms {
    private Transforms() {}

    static float[] values(TransformSpec spec, int[] alphabet) throws L2cException {
        if (spec.channelAxis() != -1) {
            throw new L2cException("per-channel " + spec.type() + " transforms are not supported by this version of l2c");
        }
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

    private static void requireParams(TransformSpec spec, int n) throws L2cException {
        if (spec.params().length != n) {
            throw new L2cException(spec.type() + " transform has " + spec.params().length + " parameters, expected " + n);
        }
    }
}
