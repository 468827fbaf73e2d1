package dev.l2c.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.calib.CalibrationSettings;
import dev.l2c.codec.ValueType;
import dev.l2c.counter.CounterKernel;
import dev.l2c.model.DType;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import dev.l2c.pipeline.CompressOptions;
import dev.l2c.pipeline.CompressReport;
import dev.l2c.pipeline.Compressor;
import dev.l2c.pipeline.DecompressOptions;
import dev.l2c.pipeline.Decompressor;
import dev.l2c.pipeline.Progress;
import dev.l2c.pipeline.RatioMethod;
import dev.l2c.pipeline.Verifier;
import dev.l2c.transform.TransformKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes compress -> decompress on small random tensor sets in every mode: --lossless must give
 * every bit back; --bits B (with or without --sparsity and --per-channel) must decode every
 * weight within the quantizer's bound; --ratio (data-free L2 with a few calibration steps, and
 * the uniform and prune baselines) must decode and meet the target when it reports it reached.
 */
class RoundTripFuzzTest {
    private static final ScratchFiles SCRATCH = new ScratchFiles("roundtrip");
    private static final Backend CPU = FuzzBackend.CPU;
    private static final int MAX_ELEMENTS = 4096;
    private static final DType[] TYPES = {DType.F32, DType.F16, DType.BF16, DType.F64, DType.I32, DType.U8};
    private static final float[] SCALES = {0f, 1e-6f, 1e-3f, 0.05f, 1f, 1000f};

    private enum Mode { LOSSLESS, BITS, RATIO }

    @FuzzTest
    void compressThenDecompress(FuzzedDataProvider data) throws L2cException {
        Mode mode = data.pickValue(Mode.values());
        int bits = data.consumeInt(2, 8);
        boolean perChannel = data.consumeBoolean();
        double sparsity = mode == Mode.BITS && data.consumeBoolean() ? data.consumeInt(1, 99) / 100.0 : 0;
        int chunk = 32 * data.consumeInt(1, 64);
        long minElements = data.consumeInt(0, 64);
        double ratio = data.consumeInt(11, 200) / 10.0;
        // GPTQ needs a network and calibration data, which a safetensors file has neither of.
        RatioMethod method = data.pickValue(java.util.EnumSet.complementOf(java.util.EnumSet.of(RatioMethod.GPTQ)));
        List<Tensor> tensors = tensors(data, mode != Mode.LOSSLESS);

        CompressOptions options = switch (mode) {
            case LOSSLESS -> CompressOptions.lossless(null, minElements, chunk, true);
            case BITS -> CompressOptions.uniform(bits, perChannel, null, minElements, chunk, true).withSparsity(sparsity);
            case RATIO -> method == RatioMethod.L2
                    ? CompressOptions.ratio(ratio, new CalibrationSettings(TransformKind.EDGE_SCALE, perChannel, CounterKernel.COS,
                            16, 3, 0.1, Double.NaN, 1), null, minElements, chunk, true).withClosest()
                    : CompressOptions.baseline(ratio, method, null, minElements, chunk, true).withClosest();
        };
        Path in = SCRATCH.root().resolve("in.safetensors");
        Path l2c = SCRATCH.root().resolve("out.l2c");
        Path back = SCRATCH.root().resolve("back.safetensors");
        SafetensorsFile.write(in, tensors, Map.of(), true);
        if (tensors.stream().noneMatch(t -> t.dtype().isFloat())) {
            try {
                new Compressor(CPU, Progress.NONE).compress(in, l2c, options);
            } catch (L2cException expected) {
                return; // a model without float weights is refused
            }
            throw new AssertionError("a model without float weights was compressed");
        }
        CompressReport report = new Compressor(CPU, Progress.NONE).compress(in, l2c, options);
        new Verifier(CPU, Progress.NONE).verify(l2c);
        ValueType out = mode == Mode.LOSSLESS ? null : ValueType.F32;
        new Decompressor(CPU, Progress.NONE).decompress(l2c, back, new DecompressOptions(out, null, true));
        try (SafetensorsFile decoded = SafetensorsFile.open(back)) {
            for (Tensor t : tensors) {
                Tensor d = decoded.tensor(t.name());
                if (!Arrays.equals(t.shape(), d.shape())) throw new AssertionError(t.name() + ": shape changed to " + Arrays.toString(d.shape()));
                if (mode == Mode.LOSSLESS || !t.dtype().isFloat()) {
                    if (t.dtype() != d.dtype() || !t.data().equals(d.data())) {
                        throw new AssertionError(t.name() + ": stored exactly, but decoded as other bytes or type " + d.dtype());
                    }
                    continue;
                }
                if (t.numel() < minElements || t.numel() == 0) {
                    // Kept exact; stored raw, it keeps its type (--dtype is for the compressed tensors).
                    if (d.dtype() == t.dtype() && d.data().equals(t.data())) continue;
                    checkSameFloats(t, d.toFloatArray());
                    continue;
                }
                if (d.dtype() != DType.F32) throw new AssertionError(t.name() + ": decoded as " + d.dtype() + ", asked for F32");
                if (mode == Mode.BITS) {
                    checkQuantized(t, d.toFloatArray(), bits, perChannel, sparsity);
                } else {
                    checkFinite(t, d.toFloatArray());
                }
            }
        }
        if (mode == Mode.RATIO && report.ratio() != null && report.ratio().size().reached()
                && report.summary().ratio() < ratio * (1 - 1e-9)) {
            throw new AssertionError("ratio " + ratio + " reported reached, but the file's ratio is " + report.summary().ratio());
        }
    }

    /** 1 to 3 tensors of random types and shapes; lossy runs get finite weights in one of several scales. */
    private static List<Tensor> tensors(FuzzedDataProvider data, boolean finite) {
        int count = data.consumeInt(1, 3);
        List<Tensor> out = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            DType type = data.pickValue(TYPES);
            long[] shape = new long[data.consumeInt(0, 3)];
            long n = 1;
            for (int d = 0; d < shape.length; d++) {
                shape[d] = data.consumeInt(0, 40);
                n *= shape[d];
            }
            if (n > MAX_ELEMENTS) {
                shape = new long[] {MAX_ELEMENTS};
                n = MAX_ELEMENTS;
            }
            float scale = data.pickValue(SCALES);
            ByteBuffer b = ByteBuffer.allocate((int) n * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < n; i++) {
                if (!finite || !type.isFloat()) {
                    byte[] raw = data.consumeBytes(type.byteSize());
                    b.put(Arrays.copyOf(raw, type.byteSize()));
                    continue;
                }
                float v = scale == 0 ? 0 : data.consumeRegularFloat(-scale, scale);
                switch (type) {
                    case F32 -> b.putFloat(v);
                    case F64 -> b.putDouble(v);
                    // bf16 is the top half of a float; truncation keeps a finite value finite.
                    case BF16 -> b.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
                    default -> b.putShort(finiteHalf(data.consumeShort()));
                }
            }
            out.add(new Tensor("t" + k + "." + data.consumeAsciiString(4), type, shape, b.flip()));
        }
        return out;
    }

    /**
     * Every decoded weight lies within half a quantization step of the original, the step being
     * max|w| / (2^(B-1) - 1) over the tensor or, per channel, over its row; a weight that pruning
     * may have zeroed lies within the pruning threshold instead.
     */
    private static void checkQuantized(Tensor t, float[] decoded, int bits, boolean perChannel, double sparsity) {
        float[] w = t.toFloatArray();
        int qmax = (1 << (bits - 1)) - 1;
        int rows = perChannel && t.rank() >= 2 ? (int) t.shape()[0] : 1;
        int perRow = rows == 0 ? 0 : w.length / rows;
        float[] step = new float[Math.max(rows, 1)];
        for (int i = 0; i < w.length; i++) {
            int c = perRow == 0 ? 0 : i / perRow;
            step[c] = Math.max(step[c], Math.abs(w[i]) / qmax);
        }
        float threshold = 0;
        int pruned = (int) Math.min(w.length, Math.round(sparsity * w.length));
        if (pruned > 0) {
            float[] mags = new float[w.length];
            for (int i = 0; i < w.length; i++) mags[i] = Math.abs(w[i]);
            Arrays.sort(mags);
            threshold = mags[pruned - 1];
        }
        for (int i = 0; i < w.length; i++) {
            float s = step[perRow == 0 ? 0 : i / perRow];
            // Float rounding of w / s and q * s adds a few ulps; a subnormal step loses relative precision.
            float bound = Math.max(threshold, 0.5f * s * 1.0001f) + 4 * Math.ulp(Math.abs(w[i])) + 4 * Math.ulp(s) + Float.MIN_NORMAL;
            if (!(Math.abs(w[i] - decoded[i]) <= bound)) {
                throw new AssertionError(t.name() + "[" + i + "]: " + w[i] + " decoded as " + decoded[i] + ", bound " + bound
                        + " (" + bits + " bits, sparsity " + sparsity + ", per-channel " + perChannel + ")");
            }
        }
    }

    /** Any f16 bit pattern with its exponent below all-ones (inf and NaN) made finite. */
    private static short finiteHalf(short bits) {
        return ((bits >> 10) & 0x1f) == 0x1f ? (short) (bits & ~0x4000) : bits;
    }

    private static void checkSameFloats(Tensor t, float[] decoded) {
        float[] w = t.toFloatArray();
        for (int i = 0; i < w.length; i++) {
            if (Float.floatToRawIntBits(w[i]) != Float.floatToRawIntBits(decoded[i])) {
                throw new AssertionError(t.name() + "[" + i + "]: stored exactly, " + w[i] + " decoded as " + decoded[i]);
            }
        }
    }

    private static void checkFinite(Tensor t, float[] decoded) {
        for (int i = 0; i < decoded.length; i++) {
            if (!Float.isFinite(decoded[i])) throw new AssertionError(t.name() + "[" + i + "]: decoded as " + decoded[i]);
        }
    }
}
