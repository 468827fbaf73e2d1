package dev.l2c.cabi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.backend.Backends;
import dev.l2c.backend.Device;
import dev.l2c.calib.CalibrationSettings;
import dev.l2c.codec.FloatNarrowing;
import dev.l2c.codec.ValueType;
import dev.l2c.format.L2cReader;
import dev.l2c.fuzz.ContainerChecksums;
import dev.l2c.format.StreamInfo;
import dev.l2c.format.TensorInfo;
import dev.l2c.format.TensorKind;
import dev.l2c.model.DType;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import dev.l2c.pipeline.CompressOptions;
import dev.l2c.pipeline.Compressor;
import dev.l2c.pipeline.Progress;
import dev.l2c.pipeline.RatioMethod;
import dev.l2c.pipeline.TensorDecoder;
import dev.l2c.pipeline.Verifier;
import dev.l2c.transform.TransformKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C ABI (include/l2c.h, target/native/libl2c.so) against the Java reader, through the test
 * driver target/native/l2c-c-test: the same verdict (open and verify accepted or refused) on the
 * committed fuzz seeds, on freshly written files of every coding and on corrupted
 * variants, and, where a file is valid, every tensor decoded to the same bytes in its own type
 * and as F32, F16 and BF16. Verdicts and listings are checked through a path and through
 * l2c_open_memory; decodes alternate between the two.
 */
class CAbiTest {
    private static final Path DRIVER = Path.of("target/native/l2c-c-test");
    private static final Path SEEDS = Path.of("src/test/resources/dev/l2c/fuzz/ContainerFuzzTestInputs/readDecodeAndVerify");
    /**
     * dtype codes of docs/FORMAT.md asked of the C decoder (0: the tensor's own, F32, F16, BF16),
     * each through a path (false) or l2c_open_memory (true).
     */
    private static final int[] DECODE_AS = {0, 0, 2, 3, 4};
    private static final boolean[] DECODE_MEMORY = {false, true, false, true, false};

    @TempDir
    static Path dir;

    static Backend cpu;

    @BeforeAll
    static void setUp() throws Exception {
        assertTrue(Files.isExecutable(DRIVER), DRIVER + " missing: `mvn package` builds it");
        cpu = Backends.select(Device.CPU, m -> {});
    }

    @Test
    void theReadmeExampleRuns() throws Exception {
        Result r = run("example", SEEDS.resolve("valid-bits4").toString());
        assertEquals(0, r.exit, r.toString());
        assertTrue(r.out.get(0).startsWith("example ") && r.out.get(0).endsWith(" ok"), r.toString());
    }

    @Test
    void committedSeedsGetJavasVerdictAndBytes() throws Exception {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(SEEDS)) {
            s.sorted().forEach(files::add);
        }
        assertTrue(files.size() >= 10, files.toString());
        // As the fuzz test reads them: with their fixed-position CRCs made right.
        for (Path f : List.copyOf(files)) {
            files.add(write("refreshed-" + f.getFileName(), ContainerChecksums.refresh(Files.readAllBytes(f))));
        }
        List<Boolean> verdicts = assertSameVerdicts(files);
        int valid = 0;
        for (int i = 0; i < files.size(); i++) {
            if (verdicts.get(i)) {
                assertSameDecodes(files.get(i));
                valid++;
            }
        }
        assertTrue(valid >= 5, "only " + valid + " valid seeds");
    }

    @Test
    void freshFilesOfEveryCodingDecodeLikeJava() throws Exception {
        Path model = writeModel(dir.resolve("model.safetensors"), false);
        Path specials = writeModel(dir.resolve("specials.safetensors"), true);
        CalibrationSettings d = CalibrationSettings.defaults();
        CalibrationSettings piecewise = new CalibrationSettings(TransformKind.PIECEWISE, true, d.kernel(), d.resolution(), 8,
                d.learningRate(), d.lambda(), 0);
        CalibrationSettings edge = new CalibrationSettings(TransformKind.EDGE_SCALE, false, d.kernel(), d.resolution(), 8,
                d.learningRate(), d.lambda(), 0);
        int chunk = 4096;
        List<Path> files = List.of(
                compress(specials, "lossless-specials", CompressOptions.lossless(null, 0, chunk, true)),
                compress(model, "lossless", CompressOptions.lossless(null, 0, chunk, true)),
                compress(model, "bits4", CompressOptions.uniform(4, false, null, 0, chunk, true)),
                compress(model, "bits8-per-channel", CompressOptions.uniform(8, true, null, 0, chunk, true)),
                compress(model, "bits2", CompressOptions.uniform(2, false, null, 0, chunk, true)),
                compress(model, "ratio-uniform", CompressOptions.baseline(12, RatioMethod.UNIFORM, null, 0, chunk, true)),
                compress(model, "ratio-piecewise-per-channel", CompressOptions.ratio(10, piecewise, null, 0, chunk, true)),
                compress(model, "ratio-edge", CompressOptions.ratio(20, edge, null, 0, chunk, true)));
        // The files between them hold every kind, stream coding and transform of the format.
        TreeSet<String> seen = new TreeSet<>();
        for (Path f : files) {
            try (L2cReader r = L2cReader.open(f)) {
                for (TensorInfo t : r.tensors()) {
                    seen.add("kind " + t.kind());
                    seen.add("transform " + t.transform().type() + (t.transform().channelAxis() >= 0 ? " per channel" : ""));
                    seen.add("dtype " + t.dtype() + " " + t.kind());
                    for (StreamInfo s : t.streams()) seen.add("coding " + s.coding());
                }
            }
        }
        for (String want : List.of("kind RAW", "kind QUANTIZED", "kind LOSSLESS_FLOAT", "coding RAW", "coding RANS",
                "coding PACKED", "coding SINGLE_LANE_RANS", "transform UNIFORM", "transform UNIFORM per channel",
                "transform EDGE_SCALE", "transform PIECEWISE per channel", "dtype F64 QUANTIZED", "dtype F16 QUANTIZED",
                "dtype BF16 QUANTIZED", "dtype F32 RAW", "dtype F64 LOSSLESS_FLOAT", "dtype F16 LOSSLESS_FLOAT", "dtype BF16 LOSSLESS_FLOAT")) {
            assertTrue(seen.contains(want), want + " not covered: " + seen);
        }
        List<Boolean> verdicts = assertSameVerdicts(files);
        assertEquals(List.of(true, true, true, true, true, true, true, true), verdicts);
        for (Path f : files) assertSameDecodes(f);
    }

    @Test
    void corruptFilesAreRefusedExactlyWhenJavaRefusesThem() throws Exception {
        Path model = writeModel(dir.resolve("small.safetensors"), false);
        List<Path> valid = List.of(
                compress(model, "c-bits3", CompressOptions.uniform(3, false, null, 0, 4096, true)),
                compress(model, "c-lossless", CompressOptions.lossless(null, 0, 4096, true)),
                SEEDS.resolve("legacy-v3-bits8-per-channel"));
        Random rnd = new Random(14);
        List<Path> bad = new ArrayList<>();
        int n = 0;
        for (Path source : valid) {
            byte[] good = Files.readAllBytes(source);
            int indexOffset = (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(good.length - 32);
            // A third of the bytes of the header, index and footer, the CRCs made right so that the
            // parsers see the damage, and about 100 payload bytes.
            int payloadEvery = Math.max(1, (indexOffset - 64) / 100);
            for (int i = 0; i < good.length; i++) {
                boolean structure = i < 64 || i >= indexOffset;
                if (rnd.nextInt(structure ? 3 : payloadEvery) != 0) continue;
                byte[] b = good.clone();
                b[i] ^= (byte) (1 << rnd.nextInt(8));
                bad.add(write("flip-" + n++, structure ? ContainerChecksums.refresh(b) : b));
                if (structure && rnd.nextInt(8) == 0) {
                    byte[] c = good.clone();
                    c[i] = (byte) rnd.nextInt(256);
                    bad.add(write("set-" + n++, ContainerChecksums.refresh(c)));
                }
            }
            for (int k = 0; k < 40; k++) {
                int cut = rnd.nextInt(good.length);
                bad.add(write("cut-" + n++, Arrays.copyOf(good, cut)));
            }
            bad.add(write("cut-" + n++, new byte[0]));
        }
        List<Boolean> verdicts = assertSameVerdicts(bad);
        List<Path> accepted = new ArrayList<>();
        for (int i = 0; i < bad.size(); i++) if (verdicts.get(i)) accepted.add(bad.get(i));
        assertTrue(accepted.size() < bad.size() / 2, accepted.size() + " of " + bad.size() + " variants accepted");
        // Damage that leaves a file valid (an attribute's text, a name, padding bits of a transform
        // parameter) must still decode alike: 24 of them, spread over the list.
        for (int k = 0; k < Math.min(24, accepted.size()); k++) assertSameDecodes(accepted.get(k * accepted.size() / Math.min(24, accepted.size())));
    }

    // --- Java against C ---------------------------------------------------------------------------

    /** Asserts that C (path and memory) and Java agree whether each file opens and verifies; returns Java's verdicts. */
    private static List<Boolean> assertSameVerdicts(List<Path> files) throws Exception {
        List<Boolean> java = new ArrayList<>();
        for (Path f : files) java.add(javaVerifies(f));
        for (boolean memory : new boolean[] {false, true}) {
            List<String> args = new ArrayList<>();
            if (memory) args.add("-m");
            args.add("verify");
            for (Path f : files) args.add(f.toString());
            Result r = run(args.toArray(String[]::new));
            assertEquals(files.size(), r.out.size(), r.toString());
            for (int i = 0; i < files.size(); i++) {
                String[] w = r.out.get(i).split(" ");
                assertEquals(String.valueOf(i), w[1]);
                boolean c = w[2].equals("ok");
                assertEquals(java.get(i), c, files.get(i) + (memory ? " (memory)" : "") + ": Java "
                        + (java.get(i) ? "accepts" : "refuses") + ", C says " + r.out.get(i));
            }
            assertEquals(java.contains(false) ? 1 : 0, r.exit, r.toString());
        }
        return java;
    }

    private static boolean javaVerifies(Path f) {
        try {
            new Verifier(cpu, Progress.NONE).verify(f);
            return true;
        } catch (L2cException refused) {
            return false;
        }
    }

    /** Asserts that every tensor of valid file {@code f} lists and decodes alike, in each type. */
    private static void assertSameDecodes(Path f) throws Exception {
        try (L2cReader reader = L2cReader.open(f)) {
            List<TensorInfo> tensors = reader.tensors();
            for (boolean memory : new boolean[] {false, true}) {
                Result info = run(memory ? new String[] {"-m", "info", f.toString()} : new String[] {"info", f.toString()});
                assertEquals(0, info.exit, info.toString());
                assertEquals("version " + reader.version(), info.out.get(0));
                assertEquals("tensors " + tensors.size(), info.out.get(1));
                for (int i = 0; i < tensors.size(); i++) {
                    TensorInfo t = tensors.get(i);
                    StringBuilder want = new StringBuilder("tensor " + i + " " + t.dtype().code() + " " + t.kind().code() + " "
                            + t.elementCount() + " " + HexFormat.of().formatHex(t.name().getBytes(StandardCharsets.UTF_8)) + " "
                            + t.shape().length);
                    for (long d : t.shape()) want.append(' ').append(d);
                    assertEquals(want.toString(), info.out.get(2 + i));
                }
                List<String> attributes = new java.util.ArrayList<>();
                reader.attributes().forEach((k, v) -> attributes.add("attribute " + HexFormat.of().formatHex(k.getBytes(StandardCharsets.UTF_8))
                        + " " + HexFormat.of().formatHex(v.getBytes(StandardCharsets.UTF_8))));
                assertEquals(attributes, info.out.subList(2 + tensors.size(), info.out.size()), "the file attributes, in order");
            }
            TensorDecoder decoder = new TensorDecoder(f.toString(), reader, cpu.rans());
            for (int k = 0; k < DECODE_AS.length; k++) {
                int as = DECODE_AS[k];
                Path prefix = dir.resolve("out-" + as);
                Result r = run(DECODE_MEMORY[k] ? new String[] {"-m", "decode-all", f.toString(), "" + as, prefix.toString()}
                        : new String[] {"decode-all", f.toString(), "" + as, prefix.toString()});
                assertEquals(tensors.size(), r.out.size(), r.toString());
                for (int i = 0; i < tensors.size(); i++) {
                    TensorInfo t = tensors.get(i);
                    DType original = DType.valueOf(t.dtype().name());
                    boolean convert = as != 0 && as != t.dtype().code();
                    if (convert && !original.isFloat()) {
                        assertEquals("refused size 7", r.out.get(i), f + ": " + t.kind() + " " + original + " as " + as);
                        continue;
                    }
                    assertEquals("decoded " + i, r.out.get(i).substring(0, r.out.get(i).lastIndexOf(' ')), r.toString());
                    byte[] c = Files.readAllBytes(Path.of(prefix + "." + i));
                    Files.delete(Path.of(prefix + "." + i));
                    ValueType type = convert ? ValueType.values()[as - 2] : null;
                    byte[] java = javaDecode(decoder, t, type);
                    assertArrayEquals(java, c, f + ": tensor " + i + " (" + t.kind() + " " + original + ") as " + type);
                }
            }
        }
    }

    /**
     * Java's decode of {@code t} as {@code type}. A RAW tensor decodes to its own type in Java
     * whatever type is asked (TensorDecoder.decode); the C ABI converts it as the Java side converts
     * every other float tensor (Tensor's widening, FloatNarrowing), which this reproduces.
     */
    private static byte[] javaDecode(TensorDecoder decoder, TensorInfo t, ValueType type) throws L2cException {
        Tensor decoded = decoder.decode(t, type);
        if (type != null && t.kind() == TensorKind.RAW && decoded.dtype() != DType.valueOf(type.name())) {
            float[] values = decoded.toFloatArray();
            FloatBuffer floats = ByteBuffer.allocateDirect(4 * values.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
            floats.put(values).flip();
            ByteBuffer bytes = type == ValueType.F32 ? f32Bytes(values) : FloatNarrowing.narrow(floats, type);
            return bytes(bytes);
        }
        return bytes(decoded.data());
    }

    private static ByteBuffer f32Bytes(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putInt(Float.floatToRawIntBits(v));
        return b.flip();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    // --- files --------------------------------------------------------------------------------------

    /**
     * A small model of every element type: f32 tensors large enough for 32-lane rANS and small ones
     * for PACKED and SINGLE_LANE_RANS, f16, bf16 and f64 tensors, integers, a scalar and an empty
     * tensor; with {@code specials}, NaNs with payloads, infinities, -0.0 and subnormals as well
     * (for lossless files only).
     */
    private static Path writeModel(Path out, boolean specials) throws Exception {
        Random rnd = new Random(specials ? 2 : 1);
        List<Tensor> tensors = new ArrayList<>();
        tensors.add(Tensor.ofFloats("big.weight", new long[] {160, 512}, gaussian(rnd, 160 * 512, 0.05)));
        tensors.add(Tensor.ofFloats("small.weight", new long[] {24, 40}, gaussian(rnd, 960, 0.1)));
        tensors.add(Tensor.ofFloats("bias", new long[] {24}, gaussian(rnd, 24, 0.02)));
        tensors.add(Tensor.ofFloats("scalar", new long[] {}, new float[] {0.75f}));
        tensors.add(Tensor.ofFloats("empty", new long[] {0, 4}, new float[0]));
        tensors.add(typed("half.weight", DType.F16, new long[] {48, 40}, gaussian(rnd, 1920, 0.2)));
        tensors.add(typed("brain.weight", DType.BF16, new long[] {4, 6, 50}, gaussian(rnd, 1200, 0.3)));
        tensors.add(typed("double.weight", DType.F64, new long[] {30, 33}, gaussian(rnd, 990, 0.1)));
        ByteBuffer ints = ByteBuffer.allocate(4 * 21).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 21; i++) ints.putInt(rnd.nextInt());
        tensors.add(new Tensor("ids", DType.I32, new long[] {7, 3}, ints.flip()));
        tensors.add(new Tensor("mask", DType.U8, new long[] {5}, ByteBuffer.wrap(new byte[] {1, 0, 1, 1, 0})));
        if (specials) {
            int[] bits = {0x7F810000, 0x7F800001, 0xFFC00123, 0x7F800000, 0xFF800000, 0x80000000, 0x00000001, 0x807FFFFF,
                0x477FF000, 0x477FEFFF, 0x38800000, 0x33800000, 0x3F808000, 0x3F818000, 0x7F7FFFFF, 0x00400000};
            float[] v = new float[64];
            for (int i = 0; i < v.length; i++) v[i] = Float.intBitsToFloat(bits[i % bits.length] ^ (i >= 32 ? 0x80000000 : 0));
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float x : v) b.putInt(Float.floatToRawIntBits(x));
            tensors.add(new Tensor("specials", DType.F32, new long[] {8, 8}, b.flip()));
            ByteBuffer h = ByteBuffer.allocate(2 * 16).order(ByteOrder.LITTLE_ENDIAN);
            for (int x : new int[] {0x7C01, 0xFE00, 0x7C00, 0x8000, 0x0001, 0x03FF, 0x7BFF, 0xFC00, 0x7D55, 0x3C00, 0, 1, 2, 3, 4, 5}) {
                h.putShort((short) x);
            }
            tensors.add(new Tensor("half.specials", DType.F16, new long[] {16}, h.flip()));
            ByteBuffer d = ByteBuffer.allocate(8 * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (long x : new long[] {0x7FF0000000000001L, 0xFFF8000000000123L, 0x7FF0000000000000L, 0x8000000000000000L, 1L,
                0x47EFFFFFF0000000L, 0x3810000000000000L, 0x36A0000000000000L}) {
                d.putLong(x);
            }
            tensors.add(new Tensor("double.specials", DType.F64, new long[] {8}, d.flip()));
        }
        SafetensorsFile.write(out, tensors, Map.of(), false);
        return out;
    }

    private static float[] gaussian(Random rnd, int n, double scale) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (rnd.nextGaussian() * scale);
        return w;
    }

    private static Tensor typed(String name, DType type, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (type) {
                case F64 -> b.putDouble(v);
                case F16 -> b.putShort(FloatNarrowing.toF16(v));
                case BF16 -> b.putShort(FloatNarrowing.toBf16(v));
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
        return new Tensor(name, type, shape, b.flip());
    }

    private static Path compress(Path model, String name, CompressOptions options) throws L2cException {
        Path out = dir.resolve(name + ".l2c");
        new Compressor(cpu, Progress.NONE).compress(model, out, options);
        return out;
    }

    private static Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    // --- the driver -----------------------------------------------------------------------------

    private record Result(int exit, List<String> out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + ", stdout " + out + ", stderr " + err;
        }
    }

    private static Result run(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(DRIVER.toAbsolutePath().toString());
        command.addAll(List.of(args));
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        String errText = Files.readString(err);
        Files.delete(err);
        return new Result(exit, out.isEmpty() ? List.of() : List.of(out.split("\n")), errText);
    }
}
