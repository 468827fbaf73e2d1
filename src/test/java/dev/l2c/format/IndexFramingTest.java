package dev.l2c.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexFramingTest {
    @TempDir
    Path dir;

    private static byte[] unframe(byte[] section) throws L2cException {
        ByteBuffer b = IndexFraming.unframe("f.l2c", ByteBuffer.wrap(section));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static byte[] names(int count) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < count; i++) s.append("block").append(i % 7).append(".conv.weight\u0002\u0004zeros");
        return s.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void compressibleIndexIsDeflatedAndComesBack() throws Exception {
        byte[] index = names(200);
        byte[] section = IndexFraming.frame(index);
        assertEquals(IndexFraming.DEFLATE, section[0]);
        assertTrue(section.length < index.length / 4, section.length + " of " + index.length);
        assertArrayEquals(index, unframe(section));
    }

    @Test
    void incompressibleIndexIsStored() throws Exception {
        byte[] index = new byte[300];
        new Random(3).nextBytes(index);
        byte[] section = IndexFraming.frame(index);
        assertEquals(IndexFraming.STORED, section[0]);
        assertEquals(index.length + 3, section.length); // coding byte and a two-byte length
        assertArrayEquals(index, unframe(section));
    }

    @Test
    void damagedSectionsAreRefusedWithTheirReason() {
        byte[] section = IndexFraming.frame(names(50));
        String[][] cases = {
            {"empty", "index: empty"},
            {"coding", "index: unknown coding 7"},
            {"truncated", "index: DEFLATE data ends after"},
            {"trailing", "bytes after the DEFLATE data"},
            {"bomb", "more than"},
            {"stored length", "stored index of 4 bytes declares 5"},
            {"garbage", "index: DEFLATE data"},
        };
        byte[][] inputs = {
            new byte[0],
            withByte(section, 0, 7),
            Arrays.copyOf(section, section.length - 5),
            concat(section, new byte[] {1, 2}),
            {IndexFraming.DEFLATE, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 0x03, 0x00},
            {IndexFraming.STORED, 5, 1, 2, 3, 4},
            {IndexFraming.DEFLATE, 20, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
        };
        for (int i = 0; i < cases.length; i++) {
            byte[] input = inputs[i];
            L2cException e = assertThrows(L2cException.class, () -> unframe(input), cases[i][0]);
            assertTrue(e.getMessage().startsWith("f.l2c: index: "), e.getMessage());
            assertTrue(e.getMessage().contains(cases[i][1]), cases[i][0] + ": " + e.getMessage());
        }
    }

    @Test
    void writtenFilesCompressTheirIndexAndOlderVersionsStayReadable() throws Exception {
        Path file = ContainerRoundTripTest.write(dir.resolve("v3.l2c"), new Samples(21, false));
        byte[] bytes = Files.readAllBytes(file);
        long indexOffset = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(bytes.length - 32);
        assertEquals(IndexFraming.DEFLATE, bytes[(int) indexOffset]);
        try (L2cReader r = L2cReader.open(file)) {
            assertEquals(Layout.VERSION, r.version());
            long sum = 0;
            for (TensorInfo t : r.tensors()) sum += r.storedBytes(t);
            assertEquals(r.fileSize(), sum, "stored bytes add up to the file");
            r.verifyChecksums(ProgressListener.NONE);
        }
        // The same index, bare, in a version 2 file; and framed (stored) in a version 3 file.
        byte[] payload = {1, 2, 3, 4, 5};
        byte[] index = new Forge().varint(0).varint(1).rawTensor("t", 5, 64, 5, Forge.crc(payload, 0, 5)).bytes();
        for (int version = 2; version <= 3; version++) {
            Path p = dir.resolve("forged" + version + ".l2c");
            byte[] stored = concat(new byte[] {IndexFraming.STORED, (byte) index.length}, index);
            Files.write(p, Forge.file(version, payload, version == 3 ? stored : index));
            try (L2cReader r = L2cReader.open(p)) {
                assertEquals(version, r.version());
                assertEquals(4, r.rawStream(r.tensor("t"), 0, 3, 1).get(0));
            }
        }
    }

    private static byte[] withByte(byte[] b, int at, int value) {
        byte[] c = b.clone();
        c[at] = (byte) value;
        return c;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
