package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.backend.Backends;
import dev.l2c.backend.Device;
import dev.l2c.folder.FolderLayout;
import dev.l2c.format.L2cWriter;
import dev.l2c.model.DType;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import dev.l2c.testing.SampleFolders;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Hugging Face-style folder in, the same folder out: byte for byte with --lossless, valid shards
 * with the original headers in lossy modes; and a forged folder layout never writes outside the
 * output folder or leaves a partial one.
 */
class ModelFolderRoundTripTest {
    private static final Backend CPU = cpu();

    private static Backend cpu() {
        try {
            return Backends.select(Device.CPU, m -> {});
        } catch (L2cException e) {
            throw new IllegalStateException(e);
        }
    }

    @TempDir
    Path dir;

    /** {@code model} compressed with {@code options} into dir/m.l2c. */
    private Path compressed(Path model, CompressOptions options) throws Exception {
        Path l2c = dir.resolve("m.l2c");
        new Compressor(CPU, Progress.NONE).compress(model, l2c, options);
        return l2c;
    }

    @Test
    void losslessGivesTheFolderBackByteForByte() throws Exception {
        Path model = SampleFolders.sampleFolder(dir);
        Path l2c = compressed(model, CompressOptions.lossless(null, 0, 65536, false));
        Path back = dir.resolve("back");
        DecompressReport r = new Decompressor(CPU, Progress.NONE).decompress(l2c, back, new DecompressOptions(null, null, false, true));
        Map<String, byte[]> before = SampleFolders.files(model);
        Map<String, byte[]> after = SampleFolders.files(back);
        assertEquals(before.keySet(), after.keySet());
        for (String k : before.keySet()) assertArrayEquals(before.get(k), after.get(k), k);
        assertFalse(Files.exists(back.resolve(".git")), "hidden folders are not part of the model");
        assertFalse(Files.isSymbolicLink(back.resolve("vocab.txt")), "a link comes back as the file it pointed to");
        assertEquals(5, r.tensors());
        assertEquals(before.values().stream().mapToLong(v -> v.length).sum(), r.outputBytes());
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary folder left");
        }

        ContainerSummary s = Inspector.inspect(l2c);
        assertEquals(5, s.tensors().size(), "blobs are not listed as tensors");
        assertEquals(7, s.files().size());
        assertEquals(2, s.files().stream().filter(FileRow::shard).count());
    }

    @Test
    void lossyModesKeepEveryShardHeaderAndEveryOtherFile() throws Exception {
        Path model = SampleFolders.sampleFolder(dir);
        Path l2c = compressed(model, CompressOptions.uniform(8, false, null, 0, 65536, false));
        Path back = dir.resolve("back");
        new Decompressor(CPU, Progress.NONE).decompress(l2c, back, new DecompressOptions(null, null, false, true));
        Map<String, byte[]> before = SampleFolders.files(model);
        Map<String, byte[]> after = SampleFolders.files(back);
        assertEquals(before.keySet(), after.keySet());
        for (String k : before.keySet()) {
            if (!k.endsWith(".safetensors")) {
                assertArrayEquals(before.get(k), after.get(k), k);
                continue;
            }
            assertEquals(before.get(k).length, after.get(k).length, k);
            try (SafetensorsFile o = SafetensorsFile.open(model.resolve(k)); SafetensorsFile d = SafetensorsFile.open(back.resolve(k))) {
                assertEquals(o.ranges(), d.ranges(), k);
                byte[] x = before.get(k).clone();
                byte[] y = after.get(k).clone();
                for (SafetensorsFile.Range range : o.ranges()) {
                    Tensor ot = o.tensor(range.name());
                    Tensor dt = d.tensor(range.name());
                    assertEquals(ot.dtype(), dt.dtype());
                    float[] ov = ot.dtype().isFloat() ? ot.toFloatArray() : null;
                    if (ov != null) {
                        float[] dv = dt.toFloatArray();
                        double err = 0;
                        double norm = 0;
                        for (int i = 0; i < ov.length; i++) {
                            err += (ov[i] - dv[i]) * (double) (ov[i] - dv[i]);
                            norm += ov[i] * (double) ov[i];
                        }
                        assertTrue(Math.sqrt(err / norm) < 0.02, k + " " + range.name() + ": relative error " + Math.sqrt(err / norm));
                    }
                    Arrays.fill(x, (int) range.begin(), (int) range.end(), (byte) 0);
                    Arrays.fill(y, (int) range.begin(), (int) range.end(), (byte) 0);
                }
                assertArrayEquals(x, y, k + ": the bytes outside the tensors (header, gaps) are the original's");
            }
        }
    }

    @Test
    void aSingleFileIsStillWrittenFromAFolder() throws Exception {
        Path model = SampleFolders.sampleFolder(dir);
        Path l2c = compressed(model, CompressOptions.lossless(null, 0, 65536, false));
        Path one = dir.resolve("one.safetensors");
        new Decompressor(CPU, Progress.NONE).decompress(l2c, one, new DecompressOptions(null, null, false));
        try (SafetensorsFile f = SafetensorsFile.open(one)) {
            assertEquals(List.of("b.bias", "a.weight", "c.weight", "position_ids", "d.weight"), f.names());
            assertFalse(f.metadata().containsKey(FolderLayout.ATTRIBUTE), "the layout is no tensor metadata");
        }
        L2cException e = assertThrows(L2cException.class, () -> new Decompressor(CPU, Progress.NONE)
                .decompress(l2c, dir.resolve("f16"), new DecompressOptions(dev.l2c.codec.ValueType.F16, null, false, true)));
        assertTrue(e.getMessage().startsWith("--dtype"), e.getMessage());
    }

    @Test
    void aFileMadeFromOneModelFileHasNoFolderToWrite() throws Exception {
        Path in = dir.resolve("in.safetensors");
        SafetensorsFile.write(in, List.of(Tensor.ofFloats("w", new long[] {4}, new float[] {1, 2, 3, 4})), Map.of(), false);
        Path l2c = dir.resolve("m.l2c");
        new Compressor(CPU, Progress.NONE).compress(in, l2c, CompressOptions.lossless(null, 0, 65536, false));
        L2cException e = assertThrows(L2cException.class, () -> new Decompressor(CPU, Progress.NONE)
                .decompress(l2c, dir.resolve("out"), new DecompressOptions(null, null, false, true)));
        assertTrue(e.getMessage().contains("was made from one model file, not a folder"), e.getMessage());
    }

    /** A .l2c file whose layout is {@code layout}, holding each (name, bytes) as a deflated blob. */
    private Path forged(String layout, Map<String, byte[]> blobs) throws Exception {
        Path l2c = dir.resolve("forged.l2c");
        TensorEncoder encoder = new TensorEncoder(CPU.rans(), CompressOptions.lossless(null, 0, 65536, true));
        try (L2cWriter w = L2cWriter.create(l2c, true, Map.of(FolderLayout.ATTRIBUTE, layout))) {
            for (Map.Entry<String, byte[]> b : blobs.entrySet()) {
                byte[] packed = deflate(b.getValue());
                TensorEncoder.Encoded e = encoder.encode(new Tensor(b.getKey(), DType.U8, new long[] {packed.length}, ByteBuffer.wrap(packed)));
                w.addTensor(e.info(), e.payloads());
            }
            w.finish();
        }
        return l2c;
    }

    private static byte[] deflate(byte[] raw) {
        Deflater d = new Deflater(9, true);
        d.setInput(raw);
        d.finish();
        byte[] out = new byte[raw.length + 64];
        int n = d.deflate(out);
        d.end();
        return Arrays.copyOf(out, n);
    }

    private static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static String entry(String path, long bytes, String sha, String blob) {
        return "{\"path\":\"" + path + "\",\"bytes\":" + bytes + ",\"sha256\":\"" + sha + "\",\"blob\":\"" + blob + "\"}";
    }

    private void assertRefused(Path l2c, Path out, String message) throws IOException {
        L2cException e = assertThrows(L2cException.class, () -> new Decompressor(CPU, Progress.NONE)
                .decompress(l2c, out, new DecompressOptions(null, null, false, true)));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertFalse(Files.exists(out), "no output folder after a refusal");
        try (Stream<Path> left = Files.list(dir)) {
            List<String> names = new ArrayList<>(left.map(p -> p.getFileName().toString()).toList());
            assertTrue(names.stream().noneMatch(n -> n.endsWith(".tmp")), "no temporary folder left: " + names);
            assertFalse(names.contains("evil.txt"), "nothing written outside the output folder");
        }
    }

    @Test
    void forgedLayoutsAreRefusedBeforeAnythingIsPlaced() throws Exception {
        byte[] text = "hello\n".getBytes(StandardCharsets.UTF_8);
        String sha = sha256(text);
        Path out = dir.resolve("out");
        assertRefused(forged("{\"version\":1,\"files\":[" + entry("../evil.txt", 6, sha, "b") + "]}", Map.of("b", text)), out,
                "has an empty, '.' or '..' component");
        // The stored bytes are not the file the layout promises.
        assertRefused(forged("{\"version\":1,\"files\":[" + entry("a.txt", 6, "1".repeat(64), "b") + "]}", Map.of("b", text)), out,
                "SHA-256");
        assertRefused(forged("{\"version\":1,\"files\":[" + entry("a.txt", 7, sha, "b") + "]}", Map.of("b", text)), out,
                "stored bytes end after 6 of 7");
        assertRefused(forged("{\"version\":1,\"files\":[" + entry("a.txt", 5, sha, "b") + "]}", Map.of("b", text)), out,
                "hold more than the file's 5 bytes");
        assertRefused(forged("{\"version\":1,\"files\":[" + entry("a.txt", 1L << 40, sha, "b") + "]}", Map.of("b", text)), out,
                "cannot come from");
        assertRefused(forged("{\"version\":1,\"files\":[" + entry("a.txt", 6, sha, "b") + "]}", Map.of("b", text, "c", text)), out,
                "is in no file of the folder layout");
        assertRefused(forged("{\"version\":1,\"files\":[" + entry("a.txt", 6, sha, "missing") + "]}", Map.of()), out,
                "which is missing");
    }

    @Test
    void anExistingOutputFolderIsReplacedOnlyWithForce() throws Exception {
        Path model = SampleFolders.sampleFolder(dir);
        Path l2c = compressed(model, CompressOptions.lossless(null, 0, 65536, false));
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("old.txt"), "old");
        L2cException e = assertThrows(L2cException.class, () -> new Decompressor(CPU, Progress.NONE)
                .decompress(l2c, out, new DecompressOptions(null, null, false, true)));
        assertTrue(e.getMessage().contains("output exists"), e.getMessage());
        assertTrue(Files.exists(out.resolve("old.txt")));
        new Decompressor(CPU, Progress.NONE).decompress(l2c, out, new DecompressOptions(null, null, true, true));
        assertFalse(Files.exists(out.resolve("old.txt")), "the old folder is replaced as a whole");
        assertEquals(SampleFolders.files(model).keySet(), SampleFolders.files(out).keySet());
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".old")), "the replaced folder is deleted");
        }
    }
}
