package dev.l2c.format;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The index entry of one tensor: name, original dtype, shape, kind, transform, alphabet (the int32
 * symbol value of each dense index), attributes and streams. Arrays and collections are copied
 * in; array accessors return the record's own arrays, which callers must not modify.
 */
public record TensorInfo(String name, StoredDType dtype, long[] shape, TensorKind kind,
        TransformSpec transform, int[] alphabet, Map<String, String> attributes, List<StreamInfo> streams) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(kind, "kind");
        shape = shape == null ? new long[0] : shape.clone();
        transform = transform == null ? TransformSpec.NONE : transform;
        alphabet = alphabet == null ? new int[0] : alphabet.clone();
        attributes = attributes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        streams = streams == null ? List.of() : List.copyOf(streams);
    }

    /** Product of the dims, or -1 if it overflows a long or a dim is negative. */
    public long elementCount() {
        for (long d : shape) {
            if (d < 0) return -1;
        }
        for (long d : shape) {
            if (d == 0) return 0; // whatever the other dims: their product may overflow, this one does not
        }
        long n = 1;
        for (long d : shape) {
            if (n > Long.MAX_VALUE / d) return -1;
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.name.equals(name) && t.dtype == dtype
                && Arrays.equals(t.shape, shape) && t.kind == kind && t.transform.equals(transform)
                && Arrays.equals(t.alphabet, alphabet) && t.attributes.equals(attributes)
                && t.streams.equals(streams);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), kind, transform,
                Arrays.hashCode(alphabet), attributes, streams);
    }

    @Override
    public String toString() {
        return "TensorInfo[" + name + ", " + dtype + Arrays.toString(shape) + ", " + kind + ", " + transform
                + ", A=" + alphabet.length + ", " + attributes + ", " + streams + "]";
    }
}
