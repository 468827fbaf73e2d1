package dev.l2c.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.testing.SampleFolders;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public API as an embedding program uses it: compress, open, list, decode, verify. */
class ApiTest {
    @TempDir
    Path dir;

    private static byte[] bytes(ByteBuffer b) {
        return ApiModels.bytes(b);
    }

    private Path model() throws Exception {
        return ApiModels.safetensors(dir);
    }

    @Test
    void losslessDecodesEveryTensorToItsOriginalBytes() throws Exception {
        Path in = model();
        List<String> stages = new ArrayList<>();
        long[] last = {0, 0};
        CompressionResult r = Compression.lossless().listener((stage, done, total) -> {
            if (!stages.contains(stage)) stages.add(stage);
            last[0] = done;
            last[1] = total;
        }).compress(in, dir.resolve("m.l2c"));
        assertEquals(Files.size(in), r.inputBytes());
        assertEquals(Files.size(dir.resolve("m.l2c")), r.outputBytes());
        assertEquals(List.of("compress"), stages);
        assertEquals(last[1], last[0], "the listener hears the end");
        try (L2cFile f = L2cFile.open(r.output()); SafetensorsFile original = SafetensorsFile.open(in)) {
            assertEquals(List.of("a.weight", "b.weight", "c.weight", "ids"), f.tensors().stream().map(TensorEntry::name).toList());
            assertEquals(ElementType.BF16, f.find("c.weight").orElseThrow().type());
            assertEquals(StoredForm.LOSSLESS, f.find("a.weight").orElseThrow().form());
            assertEquals(StoredForm.RAW, f.find("ids").orElseThrow().form());
            assertFalse(f.isFolder());
            for (TensorEntry t : f.tensors()) {
                assertArrayEquals(bytes(original.tensor(t.name()).data()), bytes(f.decode(t.name())), t.name());
            }
            // bf16 widened to f32 is exact.
            assertArrayEquals(original.tensor("c.weight").toFloatArray(), floats(f.decodeFloats("c.weight")));
            f.verify(ProgressListener.NONE);
        }
    }

    private static float[] floats(java.nio.FloatBuffer b) {
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void decodeIntoChecksItsArguments() throws Exception {
        CompressionResult r = Compression.bits(8).compress(model(), dir.resolve("m.l2c"));
        try (L2cFile f = L2cFile.open(r.output())) {
            TensorEntry a = f.find("a.weight").orElseThrow();
            assertEquals(StoredForm.QUANTIZED, a.form());
            ByteBuffer dst = ByteBuffer.allocate(8 + (int) a.decodedBytes(ElementType.F16));
            dst.position(8);
            f.decodeInto("a.weight", ElementType.F16, dst);
            assertEquals(dst.capacity(), dst.position(), "the position advances by the bytes written");
            ByteBuffer same = f.decode("a.weight", ElementType.F16);
            assertArrayEquals(bytes(same), bytes(dst.position(8)));
            // A direct buffer is decoded into in place, batch by batch.
            ByteBuffer direct = ByteBuffer.allocateDirect(dst.capacity());
            direct.position(8);
            f.decodeInto("a.weight", ElementType.F16, direct);
            assertEquals(direct.capacity(), direct.position());
            assertArrayEquals(bytes(same), bytes(direct.position(8)));
            assertThrows(IllegalArgumentException.class, () -> f.decodeInto("a.weight", ElementType.F32, ByteBuffer.allocate(16)));
            assertThrows(IllegalArgumentException.class, () -> f.decode("missing"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.decode("ids", ElementType.F16));
            assertTrue(e.getMessage().contains("ids is I64"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> f.decodeInto("a.weight", null, ByteBuffer.allocate(1 << 16).asReadOnlyBuffer()));
            List<String> seen = new ArrayList<>();
            f.decodeAll(ElementType.BF16, (t, data) -> {
                seen.add(t.name());
                assertEquals(t.decodedBytes(t.type().isFloat() ? ElementType.BF16 : null), data.remaining(), t.name());
            }, ProgressListener.NONE);
            assertEquals(List.of("a.weight", "b.weight", "c.weight", "ids"), seen);
        }
        L2cFile closed = L2cFile.open(r.output());
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.decode("a.weight"));
    }

    @Test
    void ratioModeReachesItsTargetAndAFolderListsItsWeights() throws Exception {
        CompressionResult r = Compression.ratio(6).seed(1).threads(1).compress(model(), dir.resolve("r.l2c"));
        assertEquals(6.0, r.ratio(), 6.0 * 0.03, "ratio " + r.ratio());
        Path folder = SampleFolders.sampleFolder(dir);
        CompressionResult f = Compression.lossless().compress(folder, dir.resolve("f.l2c"));
        try (L2cFile file = L2cFile.open(f.output())) {
            assertTrue(file.isFolder());
            assertEquals(5, file.tensors().size(), "the folder's other files are not tensors");
            assertFalse(file.attributes().containsKey("folder"));
        }
    }

    @Test
    void badInputIsAnExceptionNamingTheFile() throws Exception {
        Path junk = Files.write(dir.resolve("junk.l2c"), new byte[200]);
        L2cException e = assertThrows(L2cException.class, () -> L2cFile.open(junk));
        assertTrue(e.getMessage().contains("junk.l2c"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Compression.bits(9));
        assertThrows(IllegalArgumentException.class, () -> Compression.ratio(1));
        assertThrows(IllegalArgumentException.class, () -> Compression.lossless().perChannel(true));
        Path in = model();
        Compression.lossless().compress(in, dir.resolve("x.l2c"));
        L2cException exists = assertThrows(L2cException.class, () -> Compression.lossless().compress(in, dir.resolve("x.l2c")));
        assertTrue(exists.getMessage().contains("output exists"), exists.getMessage());
        Compression.lossless().force(true).compress(in, dir.resolve("x.l2c"));
    }
}
