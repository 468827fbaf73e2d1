package dev.l2c.transform;

/**
 * Which channel each element of a row-major tensor belongs to, for parameters that run along one
 * axis: element i is in channel (i / inner) % count, where inner is the product of the dims after
 * the axis.
 */
public record Channels(int axis, int count, long inner) {
    public static Channels whole(long elements) {
        return new Channels(-1, 1, Math.max(1, elements));
    }

    /** Channels along {@code axis} of {@code shape}. */
    public static Channels along(long[] shape, int axis) {
        if (axis < 0 || axis >= shape.length) throw new IllegalArgumentException("axis " + axis + " outside rank " + shape.length);
        long inner = 1;
        for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
        return new Channels(axis, Math.toIntExact(shape[axis]), Math.max(1, inner));
    }

    public int of(long element) {
        return axis < 0 ? 0 : (int) ((element / inner) % count);
    }
}
