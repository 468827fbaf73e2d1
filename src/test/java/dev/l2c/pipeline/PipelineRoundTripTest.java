package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.backend.Backend;
import dev.l2c.backend.Backends;
import dev.l2c.backend.Device;
import dev.l2c.codec.ValueType;
import dev.l2c.model.DType;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** safetensors -> .l2c -> safetensors, lossless and quantized, every dtype. */
class PipelineRoundTripTest {
    @TempDir
    Path dir;

    static Backend cpu;

    @BeforeAll
    static void backend() throws Exception {
        cpu = Backends.select(Device.CPU, m -> {});
    }

    private static Tensor tensor(String name, DType type, long[] shape, Random rnd, boolean specials) {
        long n = 1;
        for (long d : shape) n *= d;
        ByteBuffer b = ByteBuffer.allocate((int) n * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i++) {
            double g = rnd.nextGaussian() * 0.05;
            switch (type) {
                case F32 -> b.putInt(specials && i < 6 ? SPECIAL_F32[(int) i] : Float.floatToRawIntBits((float) g));
                case F64 -> b.putLong(specials && i < 3 ? SPECIAL_F64[(int) i] : Double.doubleToRawLongBits(g));
                case F16 -> b.putShort(specials && i < 4 ? SPECIAL_F16[(int) i] : Conversions.floatToHalf((float) g));
                case BF16 -> b.putShort(specials && i < 4 ? SPECIAL_BF16[(int) i] : Conversions.floatToBf16((float) g));
                default -> {
                    byte[] raw = new byte[type.byteSize()];
                    rnd.nextBytes(raw);
                    if (type == DType.BOOL) raw[0] &= 1;
                    b.put(raw);
                }
            }
        }
        return new Tensor(name, type, shape, b.flip());
    }

    // NaN with payloads (quiet and signalling), -0.0, infinities, a subnormal.
    private static final int[] SPECIAL_F32 = {0x7fc12345, 0x7f800001, 0x80000000, 0x7f800000, 0xff800000, 0x00000001};
    private static final long[] SPECIAL_F64 = {0x7ff8000000abcdefL, 0x8000000000000000L, 0x0000000000000001L};
    private static final short[] SPECIAL_F16 = {(short) 0x7e01, (short) 0x8000, (short) 0x7c00, (short) 0x0001};
    private static final short[] SPECIAL_BF16 = {(short) 0x7fc1, (short) 0x8000, (short) 0xff80, (short) 0x0001};

    private List<Tensor> model() {
        Random rnd = new Random(7);
        List<Tensor> ts = new ArrayList<>();
        for (DType t : DType.values()) {
            ts.add(tensor("w." + t.name().toLowerCase(), t, new long[] {64, 80}, rnd, true));
        }
        ts.add(tensor("scalar", DType.F32, new long[0], rnd, false));
        ts.add(tensor("empty", DType.F32, new long[] {0, 4}, rnd, false));
        ts.add(tensor("big", DType.F32, new long[] {300, 700}, rnd, false));
        return ts;
    }

    private Path write(List<Tensor> ts) throws Exception {
        Path in = dir.resolve("in.safetensors");
        SafetensorsFile.write(in, ts, Map.of("note", "test"), false);
        return in;
    }

    @Test
    void losslessReturnsEveryBit() throws Exception {
        List<Tensor> original = model();
        Path in = write(original);
        Path l2c = dir.resolve("m.l2c");
        Path out = dir.resolve("out.safetensors");
        new Compressor(cpu, Progress.NONE).compress(in, l2c, CompressOptions.lossless(null, 1024, 4096, false));
        new Decompressor(cpu, Progress.NONE).decompress(l2c, out, new DecompressOptions(null, null, false));
        try (SafetensorsFile back = SafetensorsFile.open(out)) {
            assertEquals(original.size(), back.tensors().size());
            for (Tensor t : original) {
                Tensor b = back.tensor(t.name());
                assertEquals(t.dtype(), b.dtype(), t.name());
                assertArrayEquals(t.shape(), b.shape(), t.name());
                assertEquals(t.data(), b.data(), t.name() + " differs");
            }
        }
        new Verifier(cpu, Progress.NONE).verify(l2c);
    }

    @Test
    void quantizedTensorsAreWithinHalfAStep() throws Exception {
        Random rnd = new Random(3);
        List<Tensor> original = List.of(tensor("a", DType.F32, new long[] {256, 300}, rnd, false),
                tensor("b", DType.BF16, new long[] {128, 64}, rnd, false),
                tensor("ids", DType.I64, new long[] {10}, rnd, false),
                tensor("small", DType.F32, new long[] {16}, rnd, false));
        Path in = write(original);
        Path l2c = dir.resolve("q.l2c");
        var report = new Compressor(cpu, Progress.NONE).compress(in, l2c, CompressOptions.uniform(6, false, null, 1024, 65536, false));
        assertTrue(report.summary().ratio() > 4.0, "6-bit Gaussian weights: ratio " + report.summary().ratio());
        Path out = dir.resolve("q.safetensors");
        new Decompressor(cpu, Progress.NONE).decompress(l2c, out, new DecompressOptions(ValueType.F32, null, false));
        try (SafetensorsFile back = SafetensorsFile.open(out)) {
            for (Tensor t : original) {
                Tensor b = back.tensor(t.name());
                if (!t.dtype().isFloat() || t.numel() < 1024) {
                    assertEquals(t.data(), b.data(), t.name() + " should be exact");
                    continue;
                }
                assertEquals(DType.F32, b.dtype());
                float[] w = t.toFloatArray();
                float[] r = b.toFloatArray();
                float max = 0;
                for (float v : w) max = Math.max(max, Math.abs(v));
                float step = max / 31;
                for (int i = 0; i < w.length; i++) {
                    assertTrue(Math.abs(w[i] - r[i]) <= step * 0.5001f, t.name() + "[" + i + "]: " + w[i] + " vs " + r[i]);
                }
            }
        }
    }

    @Test
    void decompressToHalfTypes() throws Exception {
        Random rnd = new Random(5);
        Tensor t = tensor("a", DType.F32, new long[] {64, 64}, rnd, false);
        Path in = write(List.of(t));
        Path l2c = dir.resolve("h.l2c");
        new Compressor(cpu, Progress.NONE).compress(in, l2c, CompressOptions.uniform(8, false, null, 1024, 65536, false));
        for (ValueType type : new ValueType[] {ValueType.F16, ValueType.BF16}) {
            Path out = dir.resolve("h-" + type + ".safetensors");
            new Decompressor(cpu, Progress.NONE).decompress(l2c, out, new DecompressOptions(type, null, false));
            Path f32 = dir.resolve("h-f32-" + type + ".safetensors");
            new Decompressor(cpu, Progress.NONE).decompress(l2c, f32, new DecompressOptions(ValueType.F32, null, false));
            try (SafetensorsFile half = SafetensorsFile.open(out); SafetensorsFile full = SafetensorsFile.open(f32)) {
                Tensor h = half.tensor("a");
                Tensor f = full.tensor("a");
                assertEquals(Formats.model(type), h.dtype());
                for (int i = 0; i < f.numel(); i++) {
                    short expected = type == ValueType.F16 ? Conversions.floatToHalf(f.floatAt(i)) : Conversions.floatToBf16(f.floatAt(i));
                    assertEquals(expected, h.data().getShort(2 * i), "element " + i);
                }
            }
        }
    }
}
