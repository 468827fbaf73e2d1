package dev.l2c.bench;

import dev.l2c.L2cException;
import dev.l2c.codec.FrequencyTable;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.Tensor;
import dev.l2c.transform.QuantizedTensor;
import dev.l2c.transform.UniformQuantizer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The symbol bytes every benchmark codes: uint8 symbols q + 127 of 8-bit quantized weights.
 * Both sources are deterministic, so every fork and every codec sees the same bytes.
 */
public final class BenchData {
    /** Symbols of the synthetic source. */
    public static final int LAPLACE_SYMBOLS = 16 << 20;
    /** Laplace scale in quantization steps: about 5.4 bits of entropy, near MiniLM's 8-bit symbols. */
    public static final double LAPLACE_SCALE = 8.0;
    public static final long LAPLACE_SEED = 0x12C0FFEEL;
    /** Offset that turns the symmetric 8-bit symbols q in [-127, 127] into uint8. */
    public static final int Q_OFFSET = 127;
    public static final String MODEL_FILE = "all-minilm-l6-v2.onnx";

    private BenchData() {}

    /** The source named by a benchmark parameter: "laplace" or "minilm". */
    public static byte[] source(String name) throws L2cException {
        return switch (name) {
            case "laplace" -> laplace();
            case "minilm" -> minilm().bytes();
            default -> throw new IllegalArgumentException("unknown source " + name + " (laplace, minilm)");
        };
    }

    /** Laplacian integers of scale {@link #LAPLACE_SCALE}, rounded, clamped to [-127, 127], plus 127. */
    public static byte[] laplace() {
        SplittableRandom random = new SplittableRandom(LAPLACE_SEED);
        byte[] out = new byte[LAPLACE_SYMBOLS];
        for (int i = 0; i < out.length; i++) {
            double u = random.nextDouble() - 0.5;
            double x = -LAPLACE_SCALE * Math.signum(u) * Math.log(1 - 2 * Math.abs(u));
            long q = Math.max(-Q_OFFSET, Math.min(Q_OFFSET, Math.round(x)));
            out[i] = (byte) (q + Q_OFFSET);
        }
        return out;
    }

    /** MiniLM's float initializers quantized to 8 bits per tensor, and their symbols concatenated. */
    public record MiniLm(List<QuantizedTensor> tensors, byte[] bytes) {}

    public static MiniLm minilm() throws L2cException {
        OnnxModel model = OnnxModel.read(modelPath());
        UniformQuantizer quantizer = new UniformQuantizer(8);
        List<QuantizedTensor> tensors = new ArrayList<>();
        long total = 0;
        for (Tensor t : model.floatInitializers()) {
            QuantizedTensor q = quantizer.quantize(t.name(), t.toFloatArray());
            tensors.add(q);
            total += q.symbols().remaining();
        }
        byte[] bytes = new byte[Math.toIntExact(total)];
        int at = 0;
        for (QuantizedTensor q : tensors) {
            int[] alphabet = q.alphabet();
            for (int i = q.symbols().position(); i < q.symbols().limit(); i++)
                bytes[at++] = (byte) (alphabet[q.symbols().get(i)] + Q_OFFSET);
        }
        return new MiniLm(tensors, bytes);
    }

    /**
     * The MiniLM ONNX file: system property {@code l2c.minilm}, else environment variable
     * {@code L2C_MINILM}, else the copy the root build unpacks to target/models/minilm (looked up
     * from the repository root and from benchmarks/).
     */
    public static Path modelPath() throws L2cException {
        String given = System.getProperty("l2c.minilm", System.getenv("L2C_MINILM"));
        List<Path> candidates = given != null
                ? List.of(Path.of(given))
                : List.of(Path.of("target/models/minilm", MODEL_FILE), Path.of("../target/models/minilm", MODEL_FILE));
        for (Path p : candidates) if (Files.isRegularFile(p)) return p;
        throw new L2cException("MiniLM model not found at " + candidates
                + "; build the root project first (mvn -B -DskipTests install) or set -Dl2c.minilm=PATH");
    }

    public static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length);
        b.put(bytes).flip();
        return b;
    }

    /** Occurrences of each byte value. */
    public static long[] byteCounts(byte[] bytes) {
        long[] counts = new long[256];
        for (byte b : bytes) counts[b & 0xFF]++;
        return counts;
    }

    /** The rANS table l2c would build for these bytes (alphabet 256, absent values at frequency 0). */
    public static FrequencyTable table(byte[] bytes) {
        return FrequencyTable.fromCounts(byteCounts(bytes));
    }

    /** Order-0 Shannon entropy in bits per symbol. */
    public static double entropyBits(long[] counts) {
        long total = 0;
        for (long c : counts) total += c;
        double bits = 0;
        for (long c : counts) if (c > 0) bits -= c * (Math.log((double) c / total) / Math.log(2));
        return total == 0 ? 0 : bits / total;
    }
}
