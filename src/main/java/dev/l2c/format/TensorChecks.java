package dev.l2c.format;

import dev.l2c.L2cException;
import java.util.Map;

/**
 * The rules of docs/FORMAT.md that a tensor's index entry must follow, checked the same way by the
 * writer (before anything is written) and by the reader (after parsing).
 */
final class TensorChecks {
    private TensorChecks() {
    }

    /** Throws an exception whose message is {@code where + ": " + problem} at the first broken rule. */
    static void check(TensorInfo t, String where) throws L2cException {
        String problem = problem(t);
        if (problem != null) throw new L2cException(where + ": " + problem);
    }

    private static String problem(TensorInfo t) {
        if (t.name().isEmpty()) return "empty tensor name";
        if (t.shape().length > Layout.MAX_RANK) return "rank " + t.shape().length + " above " + Layout.MAX_RANK;
        for (long d : t.shape()) {
            if (d < 0) return "negative dimension " + d;
        }
        long n = t.elementCount();
        if (n < 0 || n >= Layout.MAX_ELEMENTS / t.dtype().bytes()) {
            return "shape " + java.util.Arrays.toString(t.shape()) + " of " + t.dtype() + " holds 2^62 bytes or more";
        }
        int axis = t.transform().channelAxis();
        if (axis < -1 || axis >= t.shape().length) {
            return "transform channel axis " + axis + " outside -1.." + (t.shape().length - 1);
        }
        String transform = transformProblem(t.transform(), t.shape());
        if (transform != null) return transform;
        if (t.alphabet().length > Layout.MAX_ALPHABET) {
            return "alphabet of " + t.alphabet().length + " symbols, above " + Layout.MAX_ALPHABET;
        }
        String attr = attributesProblem(t.attributes());
        if (attr != null) return attr;
        for (int i = 0; i < t.streams().size(); i++) {
            String p = streamProblem(t.streams().get(i));
            if (p != null) return "stream " + i + ": " + p;
        }
        for (StreamInfo s : t.streams()) {
            if (s.coding().isSmall() && (t.kind() != TensorKind.QUANTIZED || t.streams().size() != 1 || s.elementCount() != n)) {
                return "a " + s.coding() + " stream must be the only stream of a QUANTIZED tensor, one symbol per element";
            }
        }
        if (t.kind() == TensorKind.RAW) {
            if (t.streams().size() != 1 || t.streams().get(0).coding() != StreamCoding.RAW) {
                return "a RAW tensor needs exactly one RAW stream";
            }
            long expected = n * t.dtype().bytes();
            long actual = t.streams().get(0).payloadLength();
            if (actual != expected) {
                return "RAW stream holds " + actual + " bytes, the shape and dtype need " + expected;
            }
        }
        return null;
    }

    /**
     * The parameter rules of docs/FORMAT.md (transform): the count the type and channel axis need,
     * every parameter finite and above zero (a zero, NaN or infinite step decodes to garbage), and
     * a PIECEWISE knee at or above its edge.
     */
    static String transformProblem(TransformSpec spec, long[] shape) {
        float[] p = spec.params();
        int perChannel = switch (spec.type()) {
            case NONE -> 0;
            case UNIFORM -> 1;
            case EDGE_SCALE -> 2;
            case PIECEWISE -> 4;
        };
        long channels = spec.channelAxis() < 0 ? 1 : shape[spec.channelAxis()];
        // Compared by division: perChannel * channels may overflow for a huge axis.
        if (perChannel == 0 ? p.length != 0 : p.length % perChannel != 0 || p.length / perChannel != channels) {
            return spec.type() + " transform has " + p.length + " parameters, "
                    + (spec.channelAxis() < 0 ? "expected " + perChannel
                            : "expected " + perChannel + " per channel for " + channels + " channels along axis " + spec.channelAxis());
        }
        for (int i = 0; i < p.length; i++) {
            if (!(p[i] > 0) || !Float.isFinite(p[i])) {
                return spec.type() + " transform parameter " + i + " is " + p[i] + "; parameters must be finite and above 0";
            }
        }
        if (spec.type() == TransformType.PIECEWISE) {
            int n = p.length / 4;
            for (int c = 0; c < n; c++) {
                if (p[2 * n + c] < p[c]) {
                    return "PIECEWISE transform has knee " + p[2 * n + c] + " below its edge " + p[c]
                            + (n > 1 ? " in channel " + c : "");
                }
            }
        }
        return null;
    }

    static String attributesProblem(Map<String, String> attributes) {
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) return "attribute with a null key or value";
        }
        return null;
    }

    private static String streamProblem(StreamInfo s) {
        if (s.elementCount() < 0) return "negative element count " + s.elementCount();
        if (s.coding() == StreamCoding.RAW) return rawProblem(s);
        if (s.coding().isSmall()) return smallProblem(s);
        return ransProblem(s);
    }

    private static String smallProblem(StreamInfo s) {
        int w = s.elementBytes();
        if (w != 1 && w != 2) return s.coding() + " element width " + w + " not 1 or 2";
        if (s.elementCount() > Layout.MAX_SMALL_STREAM) {
            return s.coding() + " stream of " + s.elementCount() + " symbols, above " + Layout.MAX_SMALL_STREAM;
        }
        if (s.coding() == StreamCoding.PACKED) {
            int bits = s.packedBits();
            if (bits < 0 || bits > Math.min(Layout.MAX_PACKED_BITS, 8 * w)) {
                return "PACKED symbols of " + bits + " bits, outside 0.." + Math.min(Layout.MAX_PACKED_BITS, 8 * w);
            }
            return s.freqs().length != 0 || s.chunkOffsets().length != 1 ? "PACKED stream with a frequency or chunk table" : null;
        }
        String table = tableProblem(s);
        if (table != null) return table;
        long length = s.payloadLength();
        long max = s.elementCount() == 0 ? 0 : 4 + 2 * s.elementCount();
        if (s.elementCount() > 0 && length < 4 || length > max || length % 2 != 0) {
            return "SINGLE_LANE_RANS payload of " + length + " bytes for " + s.elementCount()
                    + " symbols (a 4-byte state and up to one 2-byte word per symbol)";
        }
        return null;
    }

    /** The frequency-table rules of the rANS codings. */
    private static String tableProblem(StreamInfo s) {
        int w = s.elementBytes();
        int p = s.precisionBits();
        if (p < 1 || p > Layout.MAX_PRECISION) return s.coding() + " precision " + p + " outside 1.." + Layout.MAX_PRECISION;
        int a = s.freqs().length;
        if (a > 1 << (8 * w)) return "frequency table of " + a + " symbols, above 2^" + 8 * w;
        if (a == 0 && s.elementCount() > 0) return "empty frequency table for " + s.elementCount() + " symbols";
        for (int f : s.freqs()) {
            if (f < 0 || f > 1 << p) return "frequency " + f + " outside 0..2^" + p;
        }
        return null;
    }

    private static String rawProblem(StreamInfo s) {
        int w = s.elementBytes();
        if (w != 1 && w != 2 && w != 4 && w != 8) return "RAW element width " + w + " not 1, 2, 4 or 8";
        if (s.elementCount() > Layout.MAX_ELEMENTS / w) return "RAW stream of " + s.elementCount() + " elements is too large";
        if (s.precisionBits() != 0 || s.freqs().length != 0 || s.chunkSymbols() != 0 || s.chunkOffsets().length != 1
                || s.chunkOffsets()[0] != 0) {
            return "RAW stream with a frequency or chunk table";
        }
        return null;
    }

    private static String ransProblem(StreamInfo s) {
        int w = s.elementBytes();
        if (w != 1 && w != 2) return "RANS element width " + w + " not 1 or 2";
        String table = tableProblem(s);
        if (table != null) return table;
        int cs = s.chunkSymbols();
        if (cs < Layout.LANES || cs % Layout.LANES != 0 || cs > Layout.MAX_CHUNK_SYMBOLS) {
            return "chunk size " + cs + " symbols, not a multiple of " + Layout.LANES + " in " + Layout.LANES + ".."
                    + Layout.MAX_CHUNK_SYMBOLS;
        }
        long chunks = (s.elementCount() + s.chunkSymbols() - 1) / s.chunkSymbols();
        long[] offsets = s.chunkOffsets();
        if (offsets.length - 1 != chunks) {
            return (offsets.length - 1) + " chunks, " + s.elementCount() + " symbols in chunks of " + s.chunkSymbols()
                    + " need " + chunks;
        }
        if (offsets[0] != 0) return "first chunk offset " + offsets[0] + ", not 0";
        for (int c = 0; c < chunks; c++) {
            long size = offsets[c + 1] - offsets[c];
            if (offsets[c + 1] < offsets[c] || size > Layout.maxChunkBytes(cs)) {
                return "chunk " + c + " has " + size + " bytes (offsets must rise, a chunk of " + cs
                        + " symbols has at most " + Layout.maxChunkBytes(cs) + ")";
            }
        }
        return null;
    }
}
