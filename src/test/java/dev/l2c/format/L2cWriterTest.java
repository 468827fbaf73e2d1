package dev.l2c.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class L2cWriterTest {
    @TempDir
    Path dir;

    private static final TensorInfo SMALL = new TensorInfo("w", StoredDType.I8, new long[] {4}, TensorKind.RAW, null,
            null, null, List.of(StreamInfo.raw(1, 4)));

    @Test
    void existingOutputIsRefusedUnlessForced() throws Exception {
        Path out = dir.resolve("model.l2c");
        Files.writeString(out, "precious");
        L2cException e = assertThrows(L2cException.class, () -> L2cWriter.create(out, false, Map.of()));
        assertTrue(e.getMessage().contains("output exists"), e.getMessage());
        assertEquals("precious", Files.readString(out));
        try (L2cWriter w = L2cWriter.create(out, true, Map.of())) {
            w.addTensor(SMALL, List.of(ByteBuffer.wrap(new byte[] {1, 2, 3, 4})));
            assertEquals("precious", Files.readString(out), "replaced only on finish");
            w.finish();
        }
        try (L2cReader r = L2cReader.open(out)) {
            assertEquals(List.of(SMALL), r.tensors());
        }
        assertEquals(List.of(out), listDir());
    }

    @Test
    void closedWithoutFinishLeavesNothing() throws Exception {
        Path out = dir.resolve("model.l2c");
        try (L2cWriter w = L2cWriter.create(out, false, Map.of("producer", "test"))) {
            w.addTensor(SMALL, List.of(ByteBuffer.wrap(new byte[4])));
            assertEquals(1, listDir().size(), "the temporary file exists while writing");
        }
        assertEquals(List.of(), listDir());
    }

    @Test
    void wrongPayloadLengthsAreRefused() throws Exception {
        Path out = dir.resolve("model.l2c");
        try (L2cWriter w = L2cWriter.create(out, false, Map.of())) {
            L2cException e = assertThrows(L2cException.class,
                    () -> w.addTensor(SMALL, List.of(ByteBuffer.wrap(new byte[5]))));
            assertEquals(out + ": tensor 'w': stream 0: payload of 5 bytes, the stream declares 4", e.getMessage());
            TensorSink sink = w.beginTensor(SMALL);
            sink.write(ByteBuffer.wrap(new byte[3]));
            e = assertThrows(L2cException.class, sink::end);
            assertEquals(out + ": tensor 'w': stream 0: payload has 3 bytes, expected 4", e.getMessage());
            assertThrows(L2cException.class, w::finish, "a failed writer cannot finish");
        }
        assertEquals(List.of(), listDir());
        try (L2cWriter w = L2cWriter.create(out, false, Map.of())) {
            TensorSink sink = w.beginTensor(SMALL);
            L2cException e = assertThrows(L2cException.class, () -> sink.write(ByteBuffer.wrap(new byte[6])));
            assertTrue(e.getMessage().endsWith("payload longer than its streams declare"), e.getMessage());
        }
        assertEquals(List.of(), listDir());
    }

    @Test
    void inconsistentTensorsAreRefused() throws Exception {
        Path out = dir.resolve("model.l2c");
        long[] offsets = {0, 10, 20};
        int[] freqs = {3, 5};
        assertRefused(new TensorInfo("p", StoredDType.F32, new long[] {8}, TensorKind.QUANTIZED, null, null, null,
                List.of(StreamInfo.rans(1, 8, 17, freqs, 4, offsets))), "tensor 'p': stream 0: RANS precision 17 outside 1..16");
        assertRefused(new TensorInfo("c", StoredDType.F32, new long[] {8}, TensorKind.QUANTIZED, null, null, null,
                List.of(StreamInfo.rans(1, 65, 8, freqs, 32, offsets))), "tensor 'c': stream 0: 2 chunks, 65 symbols in chunks of 32 need 3");
        assertRefused(new TensorInfo("s", StoredDType.F32, new long[] {8}, TensorKind.QUANTIZED, null, null, null,
                List.of(StreamInfo.rans(1, 8, 8, freqs, 4, new long[] {0, 10}))),
                "tensor 's': stream 0: chunk size 4 symbols, not a multiple of 32 in 32..16777216");
        assertRefused(new TensorInfo("o", StoredDType.F32, new long[] {8}, TensorKind.QUANTIZED, null, null, null,
                List.of(StreamInfo.rans(1, 64, 8, freqs, 32, new long[] {0, 10, 5}))), "tensor 'o': stream 0: chunk 1 has -5 bytes");
        assertRefused(new TensorInfo("f", StoredDType.F32, new long[] {8}, TensorKind.QUANTIZED, null, null, null,
                List.of(StreamInfo.rans(1, 8, 2, new int[] {5}, 4, offsets))), "tensor 'f': stream 0: frequency 5 outside 0..2^2");
        assertRefused(new TensorInfo("r", StoredDType.F32, new long[] {4}, TensorKind.RAW, null, null, null,
                List.of(StreamInfo.raw(1, 4))), "tensor 'r': RAW stream holds 4 bytes, the shape and dtype need 16");
        assertRefused(new TensorInfo("a", StoredDType.F32, new long[] {4}, TensorKind.RAW,
                new TransformSpec(TransformType.UNIFORM, 1, new float[] {1}), null, null, List.of(StreamInfo.raw(4, 4))),
                "tensor 'a': transform channel axis 1 outside -1..0");
        assertRefused(new TensorInfo("", StoredDType.F32, new long[0], TensorKind.RAW, null, null, null,
                List.of(StreamInfo.raw(4, 1))), "empty tensor name");
        assertRefused(new TensorInfo("n", StoredDType.F32, new long[] {-1}, TensorKind.RAW, null, null, null,
                List.of(StreamInfo.raw(4, 1))), "tensor 'n': negative dimension -1");
        try (L2cWriter w = L2cWriter.create(out, false, Map.of())) {
            w.addTensor(SMALL, List.of(ByteBuffer.wrap(new byte[4])));
            L2cException e = assertThrows(L2cException.class, () -> w.addTensor(SMALL, List.of(ByteBuffer.wrap(new byte[4]))));
            assertEquals(out + ": tensor 'w': duplicate tensor name", e.getMessage());
        }
    }

    @Test
    void payloadIsTheBytesGiven() throws Exception {
        Path out = dir.resolve("model.l2c");
        ByteBuffer direct = ByteBuffer.allocateDirect(10).put(new byte[] {9, 9, 9, 1, 2, 3, 4, 9, 9, 9});
        direct.position(3).limit(7);
        try (L2cWriter w = L2cWriter.create(out, false, Map.of())) {
            w.addTensor(SMALL, List.of(direct));
            w.finish();
        }
        assertEquals(7, direct.position(), "the payload was consumed");
        try (L2cReader r = L2cReader.open(out)) {
            byte[] back = new byte[4];
            r.rawStream(r.tensor("w"), 0, 0, 4).get(back);
            assertArrayEquals(new byte[] {1, 2, 3, 4}, back);
        }
    }

    private void assertRefused(TensorInfo info, String expected) throws Exception {
        Path out = dir.resolve("refused.l2c");
        try (L2cWriter w = L2cWriter.create(out, false, Map.of())) {
            L2cException e = assertThrows(L2cException.class, () -> w.beginTensor(info));
            assertTrue(e.getMessage().startsWith(out + ": ") && e.getMessage().contains(expected), e.getMessage());
        }
        assertTrue(Files.notExists(out));
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
