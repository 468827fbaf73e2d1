package dev.l2c.fuzz;

import dev.l2c.backend.Backend;
import dev.l2c.backend.Backends;
import dev.l2c.backend.Device;
import dev.l2c.model.DType;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.ModelProto;
import dev.l2c.model.onnx.proto.StringStringEntryProto;
import dev.l2c.model.onnx.proto.TensorProto;
import dev.l2c.pipeline.CompressOptions;
import dev.l2c.pipeline.Compressor;
import dev.l2c.pipeline.Progress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes the committed seed corpus of the fuzz targets with the real writers: small valid files
 * and a few damaged copies, into src/test/resources/dev/l2c/fuzz/&lt;Target&gt;Inputs/&lt;method&gt;/
 * where Jazzer's regression mode finds them. Run from the repository root after a build:
 * {@code scripts/fuzz.sh seeds}. Deterministic: the same files every run. The container inputs
 * named {@code legacy-v3-*} are files of the format version 3 writer, kept so that the reader's
 * older rules stay fuzzed; this class does not write them.
 */
public final class SeedCorpus {
    private static final Path ROOT = Path.of("src/test/resources/dev/l2c/fuzz");

    private SeedCorpus() {}

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("l2c-seeds");
        Path models = work.resolve("model.safetensors");
        SafetensorsFile.write(models, tensors(new Random(1)), Map.of("note", "seed"), false);
        containerSeeds(work, models, ROOT.resolve("ContainerFuzzTestInputs/readDecodeAndVerify"));
        safetensorsSeeds(models, ROOT.resolve("SafetensorsFuzzTestInputs/openAndReadEveryTensor"));
        onnxSeeds(ROOT.resolve("OnnxFuzzTestInputs/readEveryInitializer"));
        randomSeeds(ROOT.resolve("RoundTripFuzzTestInputs/compressThenDecompress"), 2);
        randomSeeds(ROOT.resolve("DecoderFuzzTestInputs/decodeWrittenStreams"), 3);
    }

    /** A small model: every float type, an integer tensor, a scalar and an empty tensor. */
    static List<Tensor> tensors(Random rnd) {
        return List.of(floats("w.f32", DType.F32, new long[] {8, 12}, rnd), floats("w.f16", DType.F16, new long[] {40}, rnd),
                floats("w.bf16", DType.BF16, new long[] {4, 4, 3}, rnd), floats("w.f64", DType.F64, new long[] {24}, rnd),
                floats("scalar", DType.F32, new long[0], rnd), floats("empty", DType.F32, new long[] {0, 3}, rnd),
                new Tensor("ids", DType.I32, new long[] {5}, ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(1).putInt(-2).putInt(3).putInt(Integer.MAX_VALUE).putInt(0).flip()));
    }

    private static Tensor floats(String name, DType type, long[] shape, Random rnd) {
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * 0.1);
        Tensor f32 = Tensor.ofFloats(name, shape, v);
        ByteBuffer b = ByteBuffer.allocate(n * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            switch (type) {
                case F32 -> b.putFloat(x);
                case F64 -> b.putDouble(x);
                // Both 16-bit types as truncated bits: what the reader sees is all that matters here.
                case BF16 -> b.putShort((short) (Float.floatToRawIntBits(x) >>> 16));
                default -> b.putShort((short) (0x3000 | (Float.floatToRawIntBits(x) >>> 20 & 0x3ff)));
            }
        }
        return type == DType.F32 ? f32 : new Tensor(name, type, shape, b.flip());
    }

    private static void containerSeeds(Path work, Path model, Path dir) throws Exception {
        Files.createDirectories(dir);
        Backend cpu = Backends.select(Device.CPU, m -> {});
        Compressor compressor = new Compressor(cpu, Progress.NONE);
        Object[][] modes = {{"lossless", CompressOptions.lossless(null, 0, 32, true)},
            // Lossy modes keep the empty tensor exact (min elements 1): quantizing it fails, see the fuzz report.
            {"bits4", CompressOptions.uniform(4, false, null, 1, 32, true)},
            {"bits8-per-channel", CompressOptions.uniform(8, true, null, 1, 64, true)},
            {"bits3-sparsity", CompressOptions.uniform(3, false, null, 1, 32, true).withSparsity(0.5)},
            {"bits6-min-elements", CompressOptions.uniform(6, false, null, 30, 4096, true)}};
        for (Object[] m : modes) {
            Path out = work.resolve(m[0] + ".l2c");
            compressor.compress(model, out, (CompressOptions) m[1]);
            byte[] bytes = Files.readAllBytes(out);
            Files.write(dir.resolve("valid-" + m[0]), bytes);
            if (m[0].equals("lossless") || m[0].equals("bits4")) damaged(bytes, dir, (String) m[0]);
        }
    }

    /** A truncated copy, one with a flipped payload byte and one with a flipped index byte. */
    private static void damaged(byte[] file, Path dir, String name) throws Exception {
        Files.write(dir.resolve("truncated-" + name), Arrays.copyOf(file, file.length / 2));
        byte[] payload = file.clone();
        payload[64 + 3] ^= 0x10;
        Files.write(dir.resolve("payload-bit-" + name), payload);
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int index = (int) b.getLong(file.length - 32);
        byte[] idx = file.clone();
        idx[index + 5] ^= 0x01;
        Files.write(dir.resolve("index-bit-" + name), ContainerChecksums.refresh(idx));
    }

    private static void safetensorsSeeds(Path model, Path dir) throws Exception {
        Files.createDirectories(dir);
        byte[] valid = Files.readAllBytes(model);
        Files.write(dir.resolve("valid-model"), valid);
        Files.write(dir.resolve("truncated"), Arrays.copyOf(valid, valid.length - 7));
        Files.write(dir.resolve("valid-empty"), header("{}"));
        Files.write(dir.resolve("overlapping"), withData(header(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}"), 12));
        Files.write(dir.resolve("huge-header-length"), ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(Long.MAX_VALUE).putLong(0).array());
        Files.write(dir.resolve("bad-json"), header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],"));
    }

    private static byte[] header(String json) {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + j.length).order(ByteOrder.LITTLE_ENDIAN).putLong(j.length).put(j).array();
    }

    private static byte[] withData(byte[] header, int dataBytes) {
        return Arrays.copyOf(header, header.length + dataBytes);
    }

    private static void onnxSeeds(Path dir) throws Exception {
        Files.createDirectories(dir);
        byte[] weights = new byte[64];
        for (int i = 0; i < weights.length; i++) weights[i] = (byte) i;
        TensorProto raw = TensorProto.newBuilder().setName("raw").setDataType(1).addDims(2).addDims(2)
                .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[16])).build();
        TensorProto typed = TensorProto.newBuilder().setName("typed").setDataType(7).addDims(3)
                .addInt64Data(1).addInt64Data(-1).addInt64Data(5).build();
        TensorProto half = TensorProto.newBuilder().setName("half").setDataType(10).addDims(2)
                .addInt32Data(0x3c00).addInt32Data(0xbc00).build();
        Files.write(dir.resolve("inline"), OnnxFuzzTest.join(model(raw, typed, half), new byte[0]));
        Files.write(dir.resolve("external"), OnnxFuzzTest.join(model(raw,
                external("ext", OnnxFuzzTest.WEIGHTS, "16", "32", 8)), weights));
        Files.write(dir.resolve("external-whole-file"), OnnxFuzzTest.join(model(
                external("ext", OnnxFuzzTest.WEIGHTS, null, null, 16)), weights));
        Files.write(dir.resolve("external-past-end"), OnnxFuzzTest.join(model(
                external("ext", OnnxFuzzTest.WEIGHTS, "48", "32", 8)), weights));
        Files.write(dir.resolve("external-outside"), OnnxFuzzTest.join(model(
                external("ext", "../" + OnnxFuzzTest.OUTSIDE, null, "32", 8)), weights));
        // A link inside the folder to a file outside it: refused since the real path is checked.
        Files.write(dir.resolve("external-symlink"), OnnxFuzzTest.join(model(
                external("ext", OnnxFuzzTest.LINK, null, "32", 8)), weights));
        byte[] m = model(raw, typed);
        Files.write(dir.resolve("truncated"), OnnxFuzzTest.join(Arrays.copyOf(m, m.length - 5), new byte[0]));
    }

    private static TensorProto external(String name, String location, String offset, String length, int floats) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1).addDims(floats)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL).addExternalData(entry("location", location));
        if (offset != null) t.addExternalData(entry("offset", offset));
        if (length != null) t.addExternalData(entry("length", length));
        return t.build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static byte[] model(TensorProto... initializers) {
        GraphProto graph = GraphProto.newBuilder().setName("seed").addAllInitializer(List.of(initializers)).build();
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("l2c-seed").setGraph(graph).build().toByteArray();
    }

    /** Random byte strings of a few lengths, for targets that read their choices from a data provider. */
    private static void randomSeeds(Path dir, long seed) throws Exception {
        Files.createDirectories(dir);
        Random rnd = new Random(seed);
        int[] lengths = {16, 64, 256, 1024, 4096};
        for (int i = 0; i < 15; i++) {
            byte[] b = new byte[lengths[i % lengths.length]];
            rnd.nextBytes(b);
            b[b.length - 1] = (byte) i; // the data provider takes its choices from the end: spread them
            Files.write(dir.resolve("random-" + i), b);
        }
    }
}
