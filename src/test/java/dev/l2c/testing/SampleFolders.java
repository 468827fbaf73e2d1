package dev.l2c.testing;

import dev.l2c.L2cException;
import dev.l2c.model.DType;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A small Hugging Face-style model folder with the odd corners real ones have. */
public final class SampleFolders {
    private SampleFolders() {}

    /**
     * Two shards (one written by hand: keys out of order, spaces in the header, a gap between
     * tensors and bytes after the last), their index, configs in a subfolder, a binary file, a
     * link to a file outside the folder, and a .git folder that is skipped.
     */
    public static Path sampleFolder(Path root) throws IOException, L2cException {
        Path m = root.resolve("model");
        Files.createDirectories(m.resolve("1_Pooling"));
        Files.createDirectories(m.resolve(".git"));
        Random rnd = new Random(7);
        byte[] a = bf16(rnd, 64 * 32);
        byte[] b = f32(rnd, 16);
        String header = "{\"b.bias\": {\"dtype\": \"F32\", \"shape\": [16], \"data_offsets\": [0, 64]},\n"
                + " \"__metadata__\": {\"format\": \"pt\"},\n"
                + " \"a.weight\": {\"dtype\": \"BF16\", \"shape\": [64, 32], \"data_offsets\": [69, " + (69 + a.length) + "]}}  ";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer shard = ByteBuffer.allocate(8 + h.length + 69 + a.length + 3).order(ByteOrder.LITTLE_ENDIAN);
        shard.putLong(h.length).put(h).put(b).put(new byte[] {1, 2, 3, 4, 5}).put(a).put(new byte[] {9, 9, 9});
        Files.write(m.resolve("model-00001-of-00002.safetensors"), shard.array());
        List<Tensor> second = List.of(
                new Tensor("c.weight", DType.F16, new long[] {32, 32}, ByteBuffer.wrap(f16(rnd, 32 * 32))),
                new Tensor("position_ids", DType.I64, new long[] {1, 10}, ByteBuffer.wrap(new byte[80])),
                new Tensor("d.weight", DType.BF16, new long[] {128, 64}, ByteBuffer.wrap(bf16(rnd, 128 * 64))));
        SafetensorsFile.write(m.resolve("model-00002-of-00002.safetensors"), second, Map.of("format", "pt"), false);
        Files.writeString(m.resolve("model.safetensors.index.json"), "{\"metadata\": {\"total_size\": 24000},\n"
                + " \"weight_map\": {\"a.weight\": \"model-00001-of-00002.safetensors\"}}\n");
        Files.writeString(m.resolve("config.json"), "{\"model_type\": \"bert\"}\n");
        Files.writeString(m.resolve("1_Pooling/config.json"), "{\"pooling_mode_mean_tokens\": true}\n");
        byte[] binary = new byte[3000];
        rnd.nextBytes(binary);
        Files.write(m.resolve("tokenizer.model"), binary);
        Files.writeString(m.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        Path outside = Files.writeString(root.resolve("vocab-blob.txt"), "[PAD]\n[UNK]\nhello\n");
        Files.createSymbolicLink(m.resolve("vocab.txt"), outside);
        return m;
    }

    private static byte[] bf16(Random rnd, int n) {
        ByteBuffer out = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) out.putShort((short) (Float.floatToIntBits((float) (0.05 * rnd.nextGaussian())) >>> 16));
        return out.array();
    }

    /** Normal half-precision values of magnitude 2^-7 to 2^-1, random sign and mantissa. */
    private static byte[] f16(Random rnd, int n) {
        ByteBuffer out = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) out.putShort((short) ((rnd.nextInt(2) << 15) | ((8 + rnd.nextInt(7)) << 10) | rnd.nextInt(1024)));
        return out.array();
    }

    private static byte[] f32(Random rnd, int n) {
        ByteBuffer out = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) out.putFloat((float) rnd.nextGaussian());
        return out.array();
    }

    /** Every regular file under {@code root} (links followed, hidden folders skipped), by relative path. */
    public static Map<String, byte[]> files(Path root) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String rel = root.relativize(p).toString();
                if (rel.startsWith(".git") || !Files.isRegularFile(p)) continue;
                out.put(rel, Files.readAllBytes(p));
            }
        }
        return out;
    }
}
