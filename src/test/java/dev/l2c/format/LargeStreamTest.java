package dev.l2c.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One RANS stream of 2.25 GiB, written in 1 MiB windows and read back in bounded pieces. */
@Tag("slow")
class LargeStreamTest {
    private static final int CHUNK = 1 << 20;
    private static final int CHUNKS = 2304; // 2.25 GiB

    @TempDir
    Path dir;

    @Test
    void streamOverTwoGibibytes() throws Exception {
        Path file = dir.resolve("large.l2c");
        long[] offsets = new long[CHUNKS + 1];
        for (int c = 0; c < CHUNKS; c++) offsets[c + 1] = offsets[c] + CHUNK;
        TensorInfo big = new TensorInfo("big", StoredDType.F32, new long[] {CHUNKS, CHUNK}, TensorKind.QUANTIZED,
                new TransformSpec(TransformType.UNIFORM, -1, new float[] {0.01f}), new int[] {0}, null,
                List.of(StreamInfo.rans(1, (long) CHUNKS * CHUNK, 8, new int[] {256}, CHUNK, offsets)));
        TensorInfo head = raw("head", 3);
        TensorInfo tail = raw("tail", 100);
        byte[] base = new byte[CHUNK];
        new Random(42).nextBytes(base);
        try (L2cWriter w = L2cWriter.create(file, false, Map.of("producer", "large test"))) {
            w.addTensor(head, List.of(ByteBuffer.wrap(new byte[] {1, 2, 3})));
            TensorSink sink = w.beginTensor(big);
            ByteBuffer window = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (int c = 0; c < CHUNKS; c++) {
                sink.write(chunk(window, base, c));
            }
            sink.end();
            w.addTensor(tail, List.of(ByteBuffer.wrap(tailBytes())));
            w.finish();
        }
        try {
            assertTrue(Files.size(file) > (long) CHUNKS * CHUNK);
            try (L2cReader r = L2cReader.open(file)) {
                assertEquals(List.of(head, big, tail), r.tensors());
                TensorInfo t = r.tensor("big");
                int first = 2100; // 2100 MiB into the stream: past the 2 GiB mark
                ByteBuffer view = r.streamChunks(t, 0, first, 4);
                assertEquals(4L * CHUNK, view.remaining());
                for (int k = 0; k < 4; k++) {
                    assertEquals(first + k, view.getLong(k * CHUNK));
                    assertEquals(~(long) (first + k), view.getLong(k * CHUNK + CHUNK - 8));
                    assertEquals(base[CHUNK / 2], view.get(k * CHUNK + CHUNK / 2));
                }
                assertEquals(CHUNKS - 1, r.streamChunks(t, 0, CHUNKS - 1, 1).getLong(0));
                byte[] tailBack = new byte[100];
                r.rawStream(r.tensor("tail"), 0, 0, 100).get(tailBack);
                assertArrayEquals(tailBytes(), tailBack);
                assertThrows(IllegalArgumentException.class, () -> r.streamChunks(t, 0, 0, 2048), "a view over 2 GiB");
                r.verifyChecksums(ProgressListener.NONE);
            }
        } finally {
            Files.delete(file);
            
        }
    }

    private static ByteBuffer chunk(ByteBuffer window, byte[] base, int c) {
        window.clear();
        window.put(base);
        window.putLong(0, c);
        window.putLong(CHUNK - 8, ~(long) c);
        return window.flip();
    }

    private static TensorInfo raw(String name, int n) {
        return new TensorInfo(name, StoredDType.U8, new long[] {n}, TensorKind.RAW, null, null, null,
                List.of(StreamInfo.raw(1, n)));
    }

    private static byte[] tailBytes() {
        byte[] b = new byte[100];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i * 7);
        return b;
    }
}
