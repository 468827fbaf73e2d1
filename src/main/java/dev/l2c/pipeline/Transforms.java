package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.format.TransformSpec;
import dev.l2c.format.TransformType;
import dev.l2c.transform.Channels;
import dev.l2c.transform.LearnedSymbols;
import dev.l2c.transform.TransformKind;
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
                for (int k = 0; k < alphabet.length; k++) values[k] = uniform(alphabet[k], step);
            }
            case EDGE_SCALE, PIECEWISE -> {
                TransformKind kind = TransformKind.valueOf(spec.type().name());
                requireParams(spec, kind.paramsPerChannel);
                requirePositive(spec);
                requireKneeAboveEdge(spec, 1);
                for (int k = 0; k < alphabet.length; k++) values[k] = LearnedSymbols.decode(kind, spec.params(), 1, 0, alphabet[k]);
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
        int per = switch (spec.type()) {
            case UNIFORM, EDGE_SCALE, PIECEWISE -> TransformKind.valueOf(spec.type().name()).paramsPerChannel;
            default -> throw new L2cException("per-channel " + spec.type() + " transforms are not supported by this version of l2c");
        };
        int count = Math.toIntExact(shape[axis]);
        requireParams(spec, Math.multiplyExact(per, count));
        if (spec.type() != TransformType.UNIFORM) requirePositive(spec);
        if (spec.type() == TransformType.PIECEWISE) requireKneeAboveEdge(spec, count);
        return Channels.along(shape, axis);
    }

    /** Per-channel uniform reconstruction: out[i] = alphabet[symbol[i]] * step[channel(i)]. */
    static float[] dequantize(ShortBuffer symbols, int[] alphabet, float[] steps, Channels channels, int count) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = uniform(alphabet[symbols.get(i) & 0xffff], steps[channels.of(i)]);
        }
        return out;
    }

    /**
     * q * s in double, rounded once to float (docs/FORMAT.md, "Determinism"): a float product would
     * round a q beyond 2^24 before multiplying and miss the value calibration saw.
     */
    private static float uniform(int q, float step) {
        return (float) ((double) q * step);
    }

    /** Per-channel reconstruction of any supported transform: out[i] = decode(alphabet[symbol[i]]; channel(i)). */
    static float[] dequantize(TransformSpec spec, ShortBuffer symbols, int[] alphabet, Channels channels, int count) {
        if (spec.type() == TransformType.UNIFORM) return dequantize(symbols, alphabet, spec.params(), channels, count);
        TransformKind kind = TransformKind.valueOf(spec.type().name());
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = LearnedSymbols.decode(kind, spec.params(), channels.count(), channels.of(i), alphabet[symbols.get(i) & 0xffff]);
        }
        return out;
    }

    private static void requirePositive(TransformSpec spec) throws L2cException {
        for (float p : spec.params()) {
            if (!(p > 0) || !Float.isFinite(p)) {
                throw new L2cException(spec.type() + " transform has parameter " + p + "; its parameters must be positive and finite");
            }
        }
    }

    /** PIECEWISE (e, s1, b, s2 per channel, parameter-major): b >= e, or decode is not monotone. */
    private static void requireKneeAboveEdge(TransformSpec spec, int count) throws L2cException {
        if (spec.type() != TransformType.PIECEWISE) return;
        float[] p = spec.params();
        for (int c = 0; c < count; c++) {
            if (p[2 * count + c] < p[c]) {
                throw new L2cException("PIECEWISE transform has knee " + p[2 * count + c] + " below its edge " + p[c]
                        + (count > 1 ? " in channel " + c : ""));
            }
        }
    }

    private static void requireParams(TransformSpec spec, int n) throws L2cException {
        if (spec.params().length != n) {
            throw new L2cException(spec.type() + " transform has " + spec.params().length + " parameters, expected " + n);
        }
    }
}
