package dev.l2c.format;

import java.util.Arrays;
import java.util.Objects;

/**
 * The transform of a tensor: its type, the channel axis its parameters run along (-1: one set for
 * the whole tensor) and its float parameters. The array is copied in; {@link #params()} returns
 * the record's own array, which callers must not modify.
 */
public record TransformSpec(TransformType type, int channelAxis, float[] params) {
    public static final TransformSpec NONE = new TransformSpec(TransformType.NONE, -1, new float[0]);

    public TransformSpec {
        Objects.requireNonNull(type, "type");
        params = params == null ? new float[0] : params.clone();
    }

    @Override
    public boolean equals(Object o) {
        // Compares float bit patterns, so NaN parameters and -0.0 compare as stored.
        return o instanceof TransformSpec t && t.type == type && t.channelAxis == channelAxis
                && Arrays.equals(t.params, params);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, channelAxis, Arrays.hashCode(params));
    }

    @Override
    public String toString() {
        return "TransformSpec[" + type + ", axis " + channelAxis + ", " + params.length + " params]";
    }
}
