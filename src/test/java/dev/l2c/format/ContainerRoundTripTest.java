package dev.l2c.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void everyTensorComesBackEqual() throws Exception {
        Samples s = new Samples(1, true);
        Path file = write(dir.resolve("model.l2c"), s);
        try (L2cReader r = L2cReader.open(file)) {
            assertEquals(s.tensors, r.tensors());
            assertEquals(Samples.fileAttributes(), r.attributes());
            assertEquals(List.copyOf(Samples.fileAttributes().keySet()), List.copyOf(r.attributes().keySet()));
            for (int t = 0; t < s.tensors.size(); t++) {
                TensorInfo info = r.tensor(s.tensors.get(t).name());
                for (int i = 0; i < info.streams().size(); i++) {
                    assertArrayEquals(s.payloads.get(t).get(i), wholeStream(r, info, i), info.name() + " stream " + i);
                }
            }
            assertEquals(Files.size(file), r.fileSize());
        }
    }

    @Test
    void chunkViewsStartAtTheFirstChunkAndAreReadOnly() throws Exception {
        Samples s = new Samples(2, false);
        Path file = write(dir.resolve("q.l2c"), s);
        try (L2cReader r = L2cReader.open(file)) {
            TensorInfo q = r.tensor("encoder.layer.0.attention.self.query.weight");
            long[] offsets = q.streams().get(0).chunkOffsets();
            byte[] all = s.payloads.get(2).get(0);
            ByteBuffer view = r.streamChunks(q, 0, 3, 10);
            assertTrue(view.isReadOnly());
            assertEquals(ByteOrder.LITTLE_ENDIAN, view.order());
            assertEquals(offsets[13] - offsets[3], view.remaining());
            for (int i = 0; i < view.remaining(); i++) assertEquals(all[(int) offsets[3] + i], view.get(i));
            assertEquals(0, r.streamChunks(q, 0, 5, 0).remaining());
            assertThrows(IllegalArgumentException.class, () -> r.streamChunks(q, 0, 130, 3));
            assertThrows(IllegalArgumentException.class, () -> r.rawStream(q, 0, 0, 1));
        }
    }

    @Test
    void rawRangesAcrossCrcBlocks() throws Exception {
        Samples s = new Samples(3, true);
        Path file = write(dir.resolve("raw.l2c"), s);
        try (L2cReader r = L2cReader.open(file)) {
            TensorInfo t = r.tensor("embeddings.weight");
            byte[] all = s.payloads.get(s.payloads.size() - 1).get(0);
            long[][] ranges = {{0, 1}, {(1 << 20) - 3, 7}, {all.length - 5, 5}, {12345, 2 << 20}, {all.length, 0}};
            for (long[] range : ranges) {
                ByteBuffer b = r.rawStream(t, 0, range[0], (int) range[1]);
                assertEquals(range[1], b.remaining());
                for (int i = 0; i < range[1]; i += 997) assertEquals(all[(int) range[0] + i], b.get(i));
            }
            assertThrows(IllegalArgumentException.class, () -> r.rawStream(t, 0, all.length - 1, 2));
        }
    }

    @Test
    void storedBytesAddUpToTheFileAndVerificationCoversIt() throws Exception {
        Samples s = new Samples(4, true);
        Path file = write(dir.resolve("sizes.l2c"), s);
        try (L2cReader r = L2cReader.open(file)) {
            long sum = 0;
            for (TensorInfo t : r.tensors()) {
                long stored = r.storedBytes(t);
                long payload = t.streams().stream().mapToLong(StreamInfo::payloadLength).sum();
                assertTrue(stored >= payload, t.name());
                sum += stored;
            }
            assertEquals(r.fileSize(), sum);
            AtomicLong last = new AtomicLong(-1);
            r.verifyChecksums((done, total) -> {
                assertTrue(done >= last.get() && done <= total);
                last.set(done);
            });
            assertEquals(r.fileSize(), last.get());
        }
    }

    @Test
    void largePayloadsAreAlignedInTheFile() throws Exception {
        Samples s = new Samples(5, false);
        Path file = write(dir.resolve("align.l2c"), s);
        byte[] bytes = Files.readAllBytes(file);
        // Each payload of 4096 bytes or more must appear at a multiple of 64: find it by its first 32 bytes.
        for (List<byte[]> streams : s.payloads) {
            for (byte[] p : streams) {
                if (p.length < 32) continue;
                int at = indexOf(bytes, java.util.Arrays.copyOf(p, 32));
                assertTrue(at >= 64, "payload at " + at);
                if (p.length >= 4096) assertEquals(0, at % 64, "payload of " + p.length + " bytes at " + at);
            }
        }
    }

    @Test
    void smallPayloadsAreNotPadded() throws Exception {
        Path file = dir.resolve("small.l2c");
        L2cWriter w = L2cWriter.create(file, false, java.util.Map.of());
        byte[][] payloads = new byte[3][];
        for (int i = 0; i < 3; i++) {
            byte[] p = new byte[5 + 7 * i];
            java.util.Arrays.fill(p, (byte) (i + 1));
            payloads[i] = p;
            w.addTensor(new TensorInfo("t" + i, StoredDType.U8, new long[] {p.length}, TensorKind.RAW, TransformSpec.NONE,
                    null, null, List.of(StreamInfo.raw(1, p.length))), List.of(ByteBuffer.allocateDirect(p.length).put(p).flip()));
        }
        w.finish();
        byte[] bytes = Files.readAllBytes(file);
        // The payloads follow the header back to back, with no padding.
        int expected = 64;
        for (byte[] p : payloads) {
            assertEquals(expected, indexOf(bytes, p), "payload of " + p.length + " bytes");
            expected += p.length;
        }
        try (L2cReader r = L2cReader.open(file)) {
            assertEquals(Layout.VERSION, r.version());
            r.verifyChecksums(ProgressListener.NONE);
        }
    }

    @Test
    void unknownTensorNameIsAnError() throws Exception {
        Path file = write(dir.resolve("n.l2c"), new Samples(6, false));
        try (L2cReader r = L2cReader.open(file)) {
            L2cException e = assertThrows(L2cException.class, () -> r.tensor("nope"));
            assertTrue(e.getMessage().contains("nope"));
        }
    }

    /** Writing a tensor's payload in arbitrary pieces gives the same file as writing it whole. */
    @Property(tries = 30)
    void piecewiseWritesGiveTheSameFile(@ForAll @IntRange(min = 1, max = 5000) int maxPiece,
            @ForAll @IntRange(min = 0, max = 1000) int seed) throws Exception {
        Samples s = new Samples(seed, false);
        Path whole = write(Files.createTempFile("whole", ".l2c"), s, true);
        Path pieces = Files.createTempFile("pieces", ".l2c");
        Random random = new Random(seed);
        try (L2cWriter w = L2cWriter.create(pieces, true, Samples.fileAttributes())) {
            for (int t = 0; t < s.tensors.size(); t++) {
                TensorSink sink = w.beginTensor(s.tensors.get(t));
                ByteBuffer joined = ByteBuffer.wrap(concat(s.payloads.get(t)));
                while (joined.hasRemaining()) {
                    int take = Math.min(joined.remaining(), 1 + random.nextInt(maxPiece));
                    ByteBuffer piece = ByteBuffer.allocateDirect(take).put(joined.slice(joined.position(), take)).flip();
                    joined.position(joined.position() + take);
                    sink.write(piece);
                    assertEquals(0, piece.remaining());
                }
                sink.end();
            }
            w.finish();
        }
        try {
            assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(pieces));
        } finally {
            Files.delete(whole);
            Files.delete(pieces);
        }
    }

    static Path write(Path file, Samples s) throws L2cException {
        return write(file, s, false);
    }

    static Path write(Path file, Samples s, boolean force) throws L2cException {
        try (L2cWriter w = L2cWriter.create(file, force, Samples.fileAttributes())) {
            for (int t = 0; t < s.tensors.size(); t++) w.addTensor(s.tensors.get(t), Samples.buffers(s.payloads.get(t)));
            w.finish();
        }
        return file;
    }

    static byte[] wholeStream(L2cReader r, TensorInfo t, int stream) throws L2cException {
        StreamInfo s = t.streams().get(stream);
        ByteBuffer b = s.coding() == StreamCoding.RANS ? r.streamChunks(t, stream, 0, s.chunkCount())
                : r.rawStream(t, stream, 0, (int) s.payloadLength());
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static byte[] concat(List<byte[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) b.put(p);
        return b.array();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
