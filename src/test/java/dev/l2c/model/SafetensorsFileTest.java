package dev.l2c.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    private static Tensor randomTensor(String name, DType dtype, long[] shape, Random rnd) {
        long n = 1;
        for (long d : shape) n *= d;
        byte[] bytes = new byte[(int) n * dtype.byteSize()];
        rnd.nextBytes(bytes);
        return new Tensor(name, dtype, shape, ByteBuffer.wrap(bytes));
    }

    @Test
    void everyDtypeRoundTripsWithMetadataAndOrder() throws Exception {
        Random rnd = new Random(42);
        List<Tensor> tensors = new ArrayList<>();
        long[][] shapes = {{3, 5}, {}, {0}, {2, 3, 4}, {7}};
        int i = 0;
        for (DType t : DType.values()) {
            tensors.add(randomTensor("z" + t.name().toLowerCase() + ".weight", t, shapes[i++ % shapes.length], rnd));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "unicode \u00e9 \"quoted\"");
        Path out = dir.resolve("all.safetensors");
        SafetensorsFile.write(out, tensors, meta, false);

        byte[] raw = Files.readAllBytes(out);
        long headerLength = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + headerLength) % 8, "data section starts 8-byte aligned");
        String header = new String(raw, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.stripTrailing().endsWith("}"), header);
        assertTrue(header.length() - header.stripTrailing().length() < 8, "at most 7 bytes of padding");
        assertTrue(header.substring(header.stripTrailing().length()).chars().allMatch(c -> c == ' '), "padding is spaces");
        long dataBytes = tensors.stream().mapToLong(Tensor::byteSize).sum();
        assertEquals(8 + headerLength + dataBytes, raw.length, "tensors are contiguous, nothing else follows");

        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals(tensors, f.tensors());
            assertEquals(meta, f.metadata());
            assertEquals(tensors.get(3), f.tensor(tensors.get(3).name()));
            L2cException e = assertThrows(L2cException.class, () -> f.tensor("missing"));
            assertTrue(e.getMessage().contains("all.safetensors") && e.getMessage().contains("missing"));
        }
    }

    @Test
    void writeRefusesExistingOutputDuplicatesAndReservedName() throws Exception {
        Tensor a = Tensor.ofFloats("a", new long[] {1}, new float[] {1});
        Path out = dir.resolve("x.safetensors");
        SafetensorsFile.write(out, List.of(a), Map.of(), false);
        assertThrows(L2cException.class, () -> SafetensorsFile.write(out, List.of(a), Map.of(), false));
        SafetensorsFile.write(out, List.of(a), Map.of(), true);
        assertThrows(L2cException.class, () -> SafetensorsFile.write(dir.resolve("d"), List.of(a, a), Map.of(), false));
        Tensor reserved = Tensor.ofFloats("__metadata__", new long[] {1}, new float[] {1});
        assertThrows(L2cException.class, () -> SafetensorsFile.write(dir.resolve("r"), List.of(reserved), Map.of(), false));
        assertTrue(Files.notExists(dir.resolve("d")) && Files.notExists(dir.resolve("r")));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary files left behind");
        }
    }

    /** A file with this header text (unpadded) followed by {@code dataBytes} zero bytes. */
    private Path file(String name, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(json.length).put(json);
        Path p = dir.resolve(name);
        Files.write(p, buf.array());
        return p;
    }

    private static void assertRefused(Path p, String... mentions) {
        L2cException e = assertThrows(L2cException.class, () -> SafetensorsFile.open(p).close());
        assertTrue(e.getMessage().contains(p.toString()), "names the file: " + e.getMessage());
        for (String m : mentions) assertTrue(e.getMessage().contains(m), "mentions " + m + ": " + e.getMessage());
    }

    @Test
    void malformedFilesAreRefusedNamingFileAndTensor() throws IOException {
        String ok = "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        // Sanity: the well-formed variant opens.
        assertDoesNotFail(file("good", "{" + ok + "}", 8));

        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertRefused(tiny, "8-byte");
        Path truncated = file("truncated", "{" + ok + "}", 8);
        byte[] all = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(all, all.length - 20));
        assertRefused(truncated);
        Path pastEnd = dir.resolve("pastend");
        Files.write(pastEnd, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        assertRefused(pastEnd, "header length");
        Path hugeLength = dir.resolve("hugelength");
        Files.write(hugeLength, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).array());
        assertRefused(hugeLength, "header length");

        assertRefused(file("badjson", "{\"w\":{\"dtype\":\"F32\",", 8), "JSON");
        assertRefused(file("notobject", "[1, 2]", 0));
        assertRefused(file("trailing", "{" + ok + "} x", 8));
        assertRefused(file("entrynotobject", "{\"w\":[1]}", 0), "w");
        assertRefused(file("unknowndtype", "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2),
                "w", "F8_E4M3");
        assertRefused(file("nodtype", "{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "w", "dtype");
        assertRefused(file("outofrange", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 8),
                "w", "past");
        assertRefused(file("reversed", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8), "w");
        assertRefused(file("negoffset", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8), "w");
        assertRefused(file("threeoffsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,9]}}", 8), "w");
        assertRefused(file("floatoffset", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8.0]}}", 8), "w");
        assertRefused(file("overlap", "{" + ok + ",\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
                "w", "v", "overlap");
        assertRefused(file("sizemismatch", "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "w", "12");
        assertRefused(file("negshape", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "w");
        assertRefused(file("hugeshape", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1073741824],\"data_offsets\":[0,8]}}", 8),
                "w", "larger");
        assertRefused(file("duplicate", "{" + ok + "," + ok + "}", 8), "\"w\"", "twice");
        assertRefused(file("badmeta", "{\"__metadata__\":{\"k\":3}," + ok + "}", 8), "__metadata__", "k");
        assertRefused(file("metanotobject", "{\"__metadata__\":\"x\"}", 0), "__metadata__");
    }

    private static void assertDoesNotFail(Path p) {
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(List.of("w"), f.names());
        } catch (L2cException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void zeroSizedTensorsDoNotOverlapAndHolesAreAllowed() throws Exception {
        String header = "{\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[4,4]},"
                + "\"w\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[8,10]}}";
        try (SafetensorsFile f = SafetensorsFile.open(file("holes", header, 10))) {
            assertEquals(List.of("e", "w", "u"), f.names(), "header order, not offset order");
            assertEquals(0, f.tensor("e").numel());
            assertEquals(2, f.tensor("u").byteSize());
        }
    }

    @Test
    void randomCorruptionOnlyEverGivesL2cException() throws Exception {
        Random rnd = new Random(7);
        List<Tensor> tensors = List.of(
                randomTensor("a", DType.F32, new long[] {4, 4}, rnd), randomTensor("b", DType.BF16, new long[] {3}, rnd));
        Path good = dir.resolve("good.safetensors");
        SafetensorsFile.write(good, tensors, Map.of("k", "v"), false);
        byte[] original = Files.readAllBytes(good);
        long headerEnd = 8 + ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Path bad = dir.resolve("bad.safetensors");
        int opened = 0;
        int refused = 0;
        for (int trial = 0; trial < 2000; trial++) {
            byte[] b = original.clone();
            int edits = 1 + rnd.nextInt(3);
            for (int k = 0; k < edits; k++) {
                int at = rnd.nextInt((int) headerEnd);
                b[at] = rnd.nextInt(3) == 0 ? (byte) "{}[],:\"0123456789-".charAt(rnd.nextInt(18)) : (byte) rnd.nextInt();
            }
            if (rnd.nextInt(10) == 0) b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
            Files.write(bad, b);
            try (SafetensorsFile f = SafetensorsFile.open(bad)) {
                for (Tensor t : f.tensors()) assertEquals(t.byteSize(), t.data().remaining());
                opened++;
            } catch (L2cException expected) {
                assertTrue(expected.getMessage().contains(bad.toString()), expected.getMessage());
                refused++;
            }
        }
        assertTrue(opened > 0 && refused > 1000, "opened " + opened + ", refused " + refused);
    }

    @Test
    void filesOver2GiBMapEachTensorSeparately() throws Exception {
        long far = (1L << 31) + 8; // the second tensor starts past the 2 GiB mark
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[" + far + "," + (far + 12) + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        Path p = dir.resolve("big.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            ByteBuffer head = ByteBuffer.allocate(8 + json.length + 8).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(json.length).put(json).putFloat(1.5f).putFloat(-2f);
            raf.write(head.array());
            long dataStart = 8 + json.length;
            raf.setLength(dataStart + far + 12); // sparse: the gap takes no disk space
            raf.seek(dataStart + far);
            ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(3f).putFloat(4f).putFloat(5f);
            raf.write(b.array());
        }
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertArrayEquals(new float[] {1.5f, -2f}, f.tensor("a").toFloatArray());
            assertArrayEquals(new float[] {3f, 4f, 5f}, f.tensor("b").toFloatArray());
        } finally {
            Files.delete(p);
        }
    }
}
