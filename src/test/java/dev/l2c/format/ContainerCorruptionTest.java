package dev.l2c.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerCorruptionTest {
    /** After "<file>: " a message names the section or tensor at fault. */
    private static final Pattern SECTION =
            Pattern.compile(": (header|footer|index|tensor '[^']+'|padding before|file of \\d+ bytes)");

    @TempDir
    Path dir;

    private int fileCounter;

    @Test
    void flippedBitsAnywhereAreCaught() throws Exception {
        byte[] good = Files.readAllBytes(ContainerRoundTripTest.write(dir.resolve("good.l2c"), new Samples(7, false)));
        for (int i = 0; i < good.length; i++) {
            byte[] b = good.clone();
            b[i] ^= (byte) (1 << (i % 8));
            Path bad = fresh(b);
            String message = failure(bad, "bit " + (i % 8) + " of byte " + i);
            Files.delete(bad);
            assertTrue(message.startsWith(bad.toString() + ": "), message);
            assertTrue(SECTION.matcher(message).find(), message);
        }
    }

    @Test
    void flipsNameTheirSection() throws Exception {
        Path goodPath = ContainerRoundTripTest.write(dir.resolve("good.l2c"), new Samples(8, false));
        byte[] good = Files.readAllBytes(goodPath);
        long indexOffset = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(good.length - 32);
        int lastPayloadByte;
        try (L2cReader r = L2cReader.open(goodPath)) {
            TensorInfo q = r.tensor("lm_head.bias");
            lastPayloadByte = (int) indexOffset - 1; // the RAW plane of the last tensor with a payload ends there
            assertEquals(StreamCoding.RAW, q.streams().get(1).coding());
        }
        Path bad = dir.resolve("bad.l2c");
        assertFlip(good, 20, bad, ": header: CRC mismatch");
        assertFlip(good, 64, bad, ": tensor 'scalar': stream 0: block 0: CRC mismatch");
        assertFlip(good, lastPayloadByte, bad, ": tensor 'lm_head.bias': stream 1: block 0: CRC mismatch");
        assertFlip(good, (int) indexOffset + 3, bad, ": index: CRC mismatch");
        assertFlip(good, good.length - 30, bad, ": footer: CRC mismatch");
        assertFlip(good, good.length - 3, bad, ": footer: bad end magic");
    }

    @Test
    void eachChunkIsCheckedOnItsOwn() throws Exception {
        Path goodPath = ContainerRoundTripTest.write(dir.resolve("good.l2c"), new Samples(9, false));
        byte[] good = Files.readAllBytes(goodPath);
        Path bad = dir.resolve("bad.l2c");
        String name = "encoder.layer.0.attention.self.query.weight";
        long start;
        long[] offsets;
        try (L2cReader r = L2cReader.open(goodPath)) {
            TensorInfo q = r.tensor(name);
            offsets = q.streams().get(0).chunkOffsets();
            ByteBuffer whole = r.streamChunks(q, 0, 0, 1);
            start = indexOf(good, whole);
        }
        int corrupt = 40;
        byte[] b = good.clone();
        b[(int) (start + offsets[corrupt])] ^= 1;
        Files.write(bad, b);
        try (L2cReader r = L2cReader.open(bad)) {
            TensorInfo q = r.tensor(name);
            r.streamChunks(q, 0, 0, corrupt);
            r.streamChunks(q, 0, corrupt + 1, q.streams().get(0).chunkCount() - corrupt - 1);
            L2cException e = assertThrows(L2cException.class, () -> r.streamChunks(q, 0, corrupt - 2, 3));
            assertTrue(e.getMessage().endsWith(": tensor '" + name + "': stream 0: chunk " + corrupt
                    + ": CRC mismatch (payload corrupt)"), e.getMessage());
        }
    }

    @Test
    void truncatedFilesAreRefused() throws Exception {
        byte[] good = Files.readAllBytes(ContainerRoundTripTest.write(dir.resolve("good.l2c"), new Samples(10, false)));
        for (int cut = 0; cut < good.length; cut += cut < 128 || cut > good.length - 128 ? 1 : 7) {
            Path bad = fresh(Arrays.copyOf(good, cut));
            String message = failure(bad, "cut at " + cut);
            Files.delete(bad);
            assertTrue(SECTION.matcher(message).find(), message);
        }
    }

    @Test
    void notAnL2cFile() throws Exception {
        byte[] random = new byte[4096];
        new Random(1).nextBytes(random);
        for (byte[] content : new byte[][] {new byte[0], "L2C".getBytes(), random, "PK\3\4 a zip".getBytes()}) {
            Path p = dir.resolve("x.l2c");
            Files.write(p, content);
            assertTrue(failure(p, "junk").endsWith(": header: not an .l2c file (bad magic)"));
        }
        L2cException e = assertThrows(L2cException.class, () -> L2cReader.open(dir.resolve("missing.l2c")));
        assertTrue(e.getMessage().contains("missing.l2c: no such file"), e.getMessage());
    }

    @Test
    void textModeDamageBreaksTheMagic() throws Exception {
        byte[] good = Files.readAllBytes(ContainerRoundTripTest.write(dir.resolve("good.l2c"), new Samples(11, false)));
        Path bad = dir.resolve("bad.l2c");
        byte[] crlfToLf = new byte[good.length - 1];
        System.arraycopy(good, 0, crlfToLf, 0, 4);
        System.arraycopy(good, 5, crlfToLf, 4, good.length - 5);
        Files.write(bad, crlfToLf);
        assertTrue(failure(bad, "CRLF").endsWith("not an .l2c file (bad magic)"));
        byte[] sevenBit = good.clone();
        sevenBit[0] &= 0x7f;
        Files.write(bad, sevenBit);
        assertTrue(failure(bad, "7-bit").endsWith("not an .l2c file (bad magic)"));
    }

    @Test
    void newerVersionAndUnknownFlags() throws Exception {
        byte[] good = Files.readAllBytes(ContainerRoundTripTest.write(dir.resolve("good.l2c"), new Samples(12, false)));
        Path bad = dir.resolve("bad.l2c");
        byte[] v5 = good.clone();
        v5[8] = 5;
        Forge.fixChecksums(v5);
        Files.write(bad, v5);
        assertEquals(bad + ": header: unsupported format version 5 (this l2c reads 4)", failure(bad, "v5"));
        byte[] flags = good.clone();
        flags[13] = 1;
        Forge.fixChecksums(flags);
        Files.write(bad, flags);
        assertTrue(failure(bad, "flags").endsWith(": header: unknown flags 0x100"));
    }

    @Test
    void aForgedFileFollowingFormatMdOpens() throws Exception {
        byte[] payload = {1, 2, 3, 4, 5};
        byte[] index = new Forge().varint(1).string("k").string("v").varint(1)
                .rawTensor("t", 5, 64, 5, Forge.crc(payload, 0, 5)).bytes();
        Path p = dir.resolve("forged.l2c");
        Files.write(p, Forge.file(payload, index));
        try (L2cReader r = L2cReader.open(p)) {
            assertEquals("v", r.attributes().get("k"));
            TensorInfo t = r.tensor("t");
            assertEquals(StoredDType.U8, t.dtype());
            assertEquals(3, r.rawStream(t, 0, 2, 1).get(0));
            r.verifyChecksums(ProgressListener.NONE);
        }
    }

    @Test
    void version2AlignsOnlyLargePayloads() throws Exception {
        // A 5-byte payload after one byte of another stream: unaligned, which version 2 allows.
        byte[] small = {9, 1, 2, 3, 4, 5};
        byte[] index = new Forge().varint(0).varint(2).rawTensor("a", 1, 64, 1, Forge.crc(small, 0, 1))
                .rawTensor("b", 5, 65, 5, Forge.crc(small, 1, 5)).bytes();
        Path p = dir.resolve("v2small.l2c");
        Files.write(p, Forge.file(2, small, index));
        try (L2cReader r = L2cReader.open(p)) {
            assertEquals(2, r.version());
            assertEquals(3, r.rawStream(r.tensor("b"), 0, 2, 1).get(0));
            r.verifyChecksums(ProgressListener.NONE);
        }
        Files.write(p, Forge.file(1, small, index));
        assertEquals(p + ": index: tensor 'b': stream 0: payload offset 65 is not 64-byte aligned (version 1 aligns payloads of any size)",
                failure(p, "v1 unaligned"));
        // A payload of 4096 bytes must still be aligned in version 2.
        byte[] large = new byte[4097];
        byte[] largeIndex = new Forge().varint(0).varint(2).rawTensor("a", 1, 64, 1, Forge.crc(large, 0, 1))
                .rawTensor("b", 4096, 65, 4096, Forge.crc(large, 1, 4096)).bytes();
        Files.write(p, Forge.file(2, large, largeIndex));
        assertEquals(p + ": index: tensor 'b': stream 0: payload offset 65 is not 64-byte aligned (version 2 aligns payloads of at least 4096 bytes)",
                failure(p, "v2 large unaligned"));
    }

    @Test
    void structuralDamageWithValidChecksums() throws Exception {
        byte[] p5 = {1, 2, 3, 4, 5};
        int crc5 = Forge.crc(p5, 0, 5);
        expectForged(p5, new Forge().varint(0).varint(1).rawTensor("t", 5, 1L << 40, 5, crc5),
                ": index: tensor 't': stream 0: payload 1099511627776+5 runs past the start of the index at 69");
        expectForged(p5, new Forge().varint(0).varint(1).rawTensor("t", 5, 128, 5, crc5), "runs past the start of the index");
        expectForged(p5, new Forge().varint(0).varint(1).rawTensor("t", 5, 65, 5, crc5),
                ": index: tensor 't': stream 0: payload offset 65 is not 64-byte aligned (version 1 aligns payloads of any size)");
        expectForged(p5, new Forge().varint(0).varint(1).rawTensor("t", 5, 0, 5, crc5), "payload offset 0 lies in the header");
        expectForged(p5, new Forge().varint(0).varint(2).rawTensor("a", 5, 64, 5, crc5).rawTensor("b", 2, 64, 2, 0),
                ": index: tensor 'b': stream 0: payload overlaps the payload of tensor 'a': stream 0");
        expectForged(p5, new Forge().varint(0).varint(2).rawTensor("a", 5, 64, 5, crc5).rawTensor("a", 5, 64, 5, crc5),
                ": index: tensor 'a': duplicate tensor name");
        expectForged(p5, new Forge().varint(0).varint(1).rawTensor("t", 5, 64, 4, crc5),
                ": index: tensor 't': stream 0: payload of 4 bytes, 5 elements of 1 bytes need 5");
        expectForged(p5, new Forge().varint(0).varint(1).rawTensor("t", 5, 64, 5, crc5).u8(0),
                ": index: 1 bytes after the last tensor");
        expectForged(p5, new Forge().varint(0).varint(1L << 40), ": index: tensor count 1099511627776 does not fit");
        expectForged(p5, new Forge().varint(1L << 40), ": index: file attributes count 1099511627776 does not fit");
        expectForged(p5, new Forge().varint(0).varint(1).varint(1L << 62), ": index: tensor #0: name byte count");
        expectForged(p5, new Forge().varint(0).varint(1).raw(new byte[] {1, (byte) 0xC3}),
                ": index: tensor #0: name is not valid UTF-8");
        expectForged(p5, new Forge().varint(0).varint(1).string("t").u8(99), ": index: tensor 't': unknown dtype code 99");
        expectForged(p5, new Forge().raw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1}), ": index: varint longer than 9 bytes");
        expectForged(p5, new Forge().varint(0).varint(1).string("t").u8(12).varint(100),
                ": index: tensor 't': dimension count 100 does not fit");
        expectForged(p5, new Forge().varint(0).varint(1).string("t").u8(12).varint(1).varint(5).u8(0).u8(0).varint(0),
                ": index: tensor 't': index ends inside a record");
    }

    @Test
    void absurdRansTables() throws Exception {
        byte[] payload = new byte[10];
        int crc = Forge.crc(payload, 0, 10);
        expectForged(payload, ransTensor(1L << 40, 1, 10, crc, 4),
                ": index: tensor 'q': stream 0: chunk count 1099511627776 does not fit");
        expectForged(payload, ransTensor(1, 65, 10, crc, 4), ": index: tensor 'q': stream 0: 1 chunks, 65 symbols in chunks of 32 need 3");
        expectForged(payload, ransTensor(1, 3, 9, crc, 4), ": index: tensor 'q': stream 0: payload of 10 bytes, its chunks add up to 9");
        expectForged(payload, ransTensor(1, 3, 10, crc, 17), ": index: tensor 'q': stream 0: RANS precision 17 outside 1..16");
        Forge hugeTable = new Forge().varint(0).varint(1).string("q").u8(2).varint(1).varint(3).u8(1).u8(0).varint(0)
                .varint(0).varint(0).varint(0).varint(1).u8(1).u8(1).varint(3).varint(64).varint(10).u8(8)
                .varint(1L << 32);
        expectForged(payload, hugeTable, ": index: tensor 'q': stream 0: frequency count 4294967296 does not fit");
    }

    @Test
    void footerPointingOutside() throws Exception {
        byte[] good = Files.readAllBytes(ContainerRoundTripTest.write(dir.resolve("good.l2c"), new Samples(13, false)));
        Path bad = dir.resolve("bad.l2c");
        long[][] cases = {{good.length, 0}, {-1, 5}, {10, good.length - 42}, {64, 5}};
        String[] expected = {"footer: index offset", "footer: index offset 18446744073709551615", "footer: index offset 10",
            "does not end at the footer"};
        for (int i = 0; i < cases.length; i++) {
            byte[] b = good.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(b.length - 32, cases[i][0])
                    .putLong(b.length - 24, cases[i][1]);
            Forge.fixChecksums(b);
            Files.write(bad, b);
            String message = failure(bad, "case " + i);
            assertTrue(message.contains(expected[i]), message);
        }
    }

    @Test
    void nonZeroPaddingIsCaughtByVerification() throws Exception {
        byte[] payloads = new byte[64 + 3];
        payloads[0] = 7;
        payloads[10] = 9; // inside the padding after the first payload
        payloads[64] = 1;
        int crcA = Forge.crc(payloads, 0, 1);
        int crcB = Forge.crc(payloads, 64, 3);
        byte[] index = new Forge().varint(0).varint(2).rawTensor("a", 1, 64, 1, crcA).rawTensor("b", 3, 128, 3, crcB).bytes();
        Path p = dir.resolve("pad.l2c");
        Files.write(p, Forge.file(payloads, index));
        try (L2cReader r = L2cReader.open(p)) {
            L2cException e = assertThrows(L2cException.class, () -> r.verifyChecksums(ProgressListener.NONE));
            assertEquals(p + ": padding before tensor 'b': stream 0's payload: byte at 74 is not zero", e.getMessage());
        }
    }

    /**
     * Writes {@code content} to a new file: rewriting one file that an earlier reader still maps
     * costs milliseconds per truncation, a new name costs nothing.
     */
    private Path fresh(byte[] content) throws Exception {
        Path p = dir.resolve("bad" + (fileCounter++) + ".l2c");
        Files.write(p, content);
        return p;
    }

    private static Forge ransTensor(long chunkCount, long elements, long chunkBytes, int crc, int precision) {
        return ransTensor(chunkCount, elements, chunkBytes, crc, precision, 10);
    }

    private static Forge ransTensor(long chunkCount, long elements, long chunkBytes, int crc, int precision, long payloadBytes) {
        return new Forge().varint(0).varint(1).string("q").u8(2).varint(1).varint(elements).u8(1)
                .u8(1).varint(0).varint(1).u32(Float.floatToRawIntBits(0.5f)) // UNIFORM, one step 0.5
                .varint(2).varint(5).varint(1).varint(1).string("bits").string("4")
                .varint(1).u8(1).u8(1).varint(elements).varint(64).varint(payloadBytes)
                .u8(precision).varint(2).varint(1).varint(3).varint(32).varint(chunkCount).varint(chunkBytes).u32(crc);
    }

    /**
     * An index with one QUANTIZED f32 tensor 'q' of {@code shape} (holding no element) whose
     * transform is {@code type} on {@code axisPlus1} with {@code params}, and whose one rANS stream
     * has chunks of {@code chunkSymbols}.
     */
    private static Forge emptyQuantized(long[] shape, int type, long axisPlus1, float[] params, long chunkSymbols) {
        Forge f = new Forge().varint(0).varint(1).string("q").u8(2).varint(shape.length);
        for (long d : shape) f.varint(d);
        f.u8(1).u8(type).varint(axisPlus1).varint(params.length);
        for (float p : params) f.u32(Float.floatToRawIntBits(p));
        return f.varint(1).varint(0).varint(0) // alphabet {0}, no attributes
                .varint(1).u8(1).u8(1).varint(0).varint(0).varint(0) // one empty rANS stream
                .u8(4).varint(1).varint(16).varint(chunkSymbols).varint(0);
    }

    @Test
    void transformParametersThatDecodeToGarbageAreRefused() throws Exception {
        byte[] none = new byte[0];
        long[] shape = {0, 4};
        String bad = "parameters must be finite and above 0";
        expectForged(none, emptyQuantized(shape, 1, 0, new float[] {0.25f}, 64), null); // a valid one opens
        for (float step : new float[] {0f, -0f, -0.5f, Float.NaN, Float.POSITIVE_INFINITY}) {
            expectForged(none, emptyQuantized(shape, 1, 0, new float[] {step}, 64),
                    ": index: tensor 'q': UNIFORM transform parameter 0 is " + step + "; " + bad);
        }
        expectForged(none, emptyQuantized(shape, 1, 2, new float[] {0.1f, 0.2f, 0f, 0.3f}, 64),
                ": index: tensor 'q': UNIFORM transform parameter 2 is 0.0; " + bad);
        expectForged(none, emptyQuantized(shape, 1, 2, new float[] {0.1f, 0.2f, 0.3f}, 64),
                ": index: tensor 'q': UNIFORM transform has 3 parameters, expected 1 per channel for 4 channels along axis 1");
        expectForged(none, emptyQuantized(shape, 2, 0, new float[] {Float.NaN, 0.5f}, 64),
                ": index: tensor 'q': EDGE_SCALE transform parameter 0 is NaN; " + bad);
        expectForged(none, emptyQuantized(shape, 3, 0, new float[] {0.1f, 0.1f, 0.2f, Float.NEGATIVE_INFINITY}, 64),
                ": index: tensor 'q': PIECEWISE transform parameter 3 is -Infinity; " + bad);
        expectForged(none, emptyQuantized(shape, 3, 0, new float[] {0.5f, 0.1f, 0.2f, 0.1f}, 64),
                ": index: tensor 'q': PIECEWISE transform has knee 0.2 below its edge 0.5");
        expectForged(none, emptyQuantized(shape, 0, 0, new float[] {1f}, 64),
                ": index: tensor 'q': NONE transform has 1 parameters, expected 0");
    }

    @Test
    void chunkSizesAndShapesThatOverflowAreFormatErrors() throws Exception {
        byte[] none = new byte[0];
        long[] shape = {0, 4};
        float[] step = {0.25f};
        String rule = " symbols, not a multiple of 32 in 32..16777216";
        for (long chunkSymbols : new long[] {0, 1, 33, 100, (1 << 24) + 32, Integer.MAX_VALUE, 1L << 40}) {
            expectForged(none, emptyQuantized(shape, 1, 0, step, chunkSymbols),
                    ": index: tensor 'q': stream 0: chunk size " + chunkSymbols + rule);
        }
        // A per-channel tensor of 2^32 channels and no element: its parameter count cannot match.
        expectForged(none, emptyQuantized(new long[] {1L << 32, 0}, 1, 1, step, 64),
                ": index: tensor 'q': UNIFORM transform has 1 parameters, expected 1 per channel for 4294967296 channels along axis 0");
        expectForged(none, emptyQuantized(new long[] {1L << 31, 1L << 31}, 1, 0, step, 64),
                ": index: tensor 'q': shape [2147483648, 2147483648] of F32 holds 2^62 bytes or more");
        expectForged(none, emptyQuantized(new long[] {1L << 40, 1L << 40, 0}, 1, 0, step, 64), null); // no element: fine
        // A chunk larger than its symbols can code to would be a large read for nothing.
        byte[] big = new byte[200];
        expectForged(big, ransTensor(1, 3, 200, Forge.crc(big, 0, 200), 4, 200),
                ": index: tensor 'q': stream 0: chunk 0 has 200 bytes (offsets must rise, a chunk of 32 symbols has at most 192)");
    }

    /** Writes a file of {@code payloads} and {@code index}; expects an error containing {@code expected}, or none if null. */
    private void expectForged(byte[] payloads, Forge index, String expected) throws Exception {
        Path p = dir.resolve("forged.l2c");
        Files.write(p, Forge.file(payloads, index.bytes()));
        if (expected == null) {
            try (L2cReader r = L2cReader.open(p)) {
                r.verifyChecksums(ProgressListener.NONE);
            }
            return;
        }
        String message = failure(p, expected);
        assertTrue(message.startsWith(p + ": ") && message.contains(expected), "expected '" + expected + "', got: " + message);
    }

    private void assertFlip(byte[] good, int at, Path bad, String expected) throws Exception {
        byte[] b = good.clone();
        b[at] ^= 0x10;
        Files.write(bad, b);
        String message = failure(bad, "flip at " + at);
        assertTrue(message.contains(expected), "flip at " + at + ": expected '" + expected + "', got: " + message);
    }

    /** Opens, verifies and reads everything in {@code file}; returns the L2cException's message. */
    static String failure(Path file, String what) {
        try (L2cReader r = L2cReader.open(file)) {
            r.verifyChecksums(ProgressListener.NONE);
            for (TensorInfo t : r.tensors()) {
                for (int i = 0; i < t.streams().size(); i++) ContainerRoundTripTest.wholeStream(r, t, i);
            }
        } catch (L2cException e) {
            return e.getMessage();
        } catch (Throwable t) {
            throw new AssertionError(what + ": " + t + " instead of an L2cException", t);
        }
        return fail(what + ": no error");
    }

    private static long indexOf(byte[] haystack, ByteBuffer needle) {
        byte[] n = new byte[needle.remaining()];
        needle.duplicate().get(n);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) continue outer;
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
