package dev.l2c.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import dev.l2c.L2cException;
import dev.l2c.model.onnx.proto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX reading and writing on small models built here: data encodings, external data, errors. */
class OnnxModelTest {
    @TempDir
    Path dir;

    private static final float[] W = {0.5f, -1f, 2f, 3.25f, -0.125f, 7f};

    private static ByteBuffer floatsLe(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b;
    }

    /** Writes the bytes of W at offset 4096 of w.bin and a model referring to them. */
    private Path externalModel(String offset, String length, String location) throws Exception {
        byte[] file = new byte[4096 + 24 + 100];
        floatsLe(W).get(0, file, 4096, 24);
        Files.write(dir.resolve("w.bin"), file);
        TensorProto w = OnnxTestModels.external("W", 1, new long[] {2, 3}, location, offset, length);
        return OnnxTestModels.save(OnnxTestModels.addModel(w, List.of()), dir.resolve("ext.onnx"));
    }

    @Test
    void readsExternalDataAndRunsInOnnxRuntime() throws Exception {
        Path model = externalModel("4096", "24", "w.bin");
        List<Tensor> weights = OnnxModel.read(model).floatInitializers();
        assertEquals(1, weights.size());
        assertArrayEquals(W, weights.get(0).toFloatArray());
        assertArrayEquals(new long[] {2, 3}, weights.get(0).shape());

        // Length may be omitted when the tensor runs to the end of the file.
        Files.write(dir.resolve("tail.bin"), java.util.Arrays.copyOfRange(Files.readAllBytes(dir.resolve("w.bin")), 0, 4120));
        TensorProto tail = OnnxTestModels.external("W", 1, new long[] {2, 3}, "tail.bin", "4096", null);
        Path tailModel = OnnxTestModels.save(OnnxTestModels.addModel(tail, List.of()), dir.resolve("tail.onnx"));
        assertArrayEquals(W, OnnxModel.read(tailModel).floatInitializers().get(0).toFloatArray());

        // A replaced external tensor goes to the output's own external data file (a model kept
        // under protobuf's 2 GiB by external data stays so); the result runs in ONNX Runtime.
        float[] w2 = {1, 2, 3, 4, 5, 6};
        Path out = dir.resolve("sub/replaced.onnx");
        OnnxModel.read(model).write(out, Map.of("W", Tensor.ofFloats("W", new long[] {2, 3}, w2)), false);
        TensorProto written = OnnxModel.read(out).proto().getGraph().getInitializer(0);
        assertEquals(TensorProto.DataLocation.EXTERNAL, written.getDataLocation());
        assertEquals(0, written.getRawData().size());
        assertEquals(List.of("location", "offset", "length"),
                written.getExternalDataList().stream().map(e -> e.getKey()).toList());
        assertEquals("replaced.onnx.data", written.getExternalData(0).getValue());
        assertEquals(24, Files.size(dir.resolve("sub/replaced.onnx.data")));
        assertArrayEquals(w2, OnnxModel.read(out).floatInitializers().get(0).toFloatArray());
        // The data file is an output too: refused when it exists, replaced with force.
        L2cException exists = assertThrows(L2cException.class, () -> OnnxModel.read(model).write(out,
                Map.of("W", Tensor.ofFloats("W", new long[] {2, 3}, w2)), false));
        assertTrue(exists.getMessage().contains("replaced.onnx.data: output exists"), exists.getMessage());
        // An output whose data file is the one the model reads from is refused before anything is written.
        Files.copy(dir.resolve("w.bin"), dir.resolve("ext.onnx.data"));
        Path clash = OnnxTestModels.save(OnnxTestModels.addModel(
                OnnxTestModels.external("W", 1, new long[] {2, 3}, "ext.onnx.data", "4096", "24"), List.of()), dir.resolve("c.onnx"));
        L2cException same = assertThrows(L2cException.class, () -> OnnxModel.read(clash).write(dir.resolve("ext.onnx"),
                Map.of("W", Tensor.ofFloats("W", new long[] {2, 3}, w2)), true));
        assertTrue(same.getMessage().contains("name the output otherwise"), same.getMessage());
        float[][] x = {{1, 1, 1}, {2, 2, 2}};
        float[][] y = runAdd(out, x);
        assertArrayEquals(new float[] {2, 3, 4}, y[0]);
        assertArrayEquals(new float[] {6, 7, 8}, y[1]);
        float[][] yOriginal = runAdd(model, x);
        assertArrayEquals(new float[] {1.5f, 0f, 3f}, yOriginal[0]);
    }

    private static float[][] runAdd(Path model, float[][] x) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(model.toString(), opts);
                OnnxTensor input = OnnxTensor.createTensor(env, x);
                OrtSession.Result result = session.run(Map.of("X", input))) {
            return (float[][]) result.get(0).getValue();
        }
    }

    private void assertRefused(Path model, String... mentions) {
        L2cException e = assertThrows(L2cException.class, () -> OnnxModel.read(model).floatInitializers());
        assertTrue(e.getMessage().contains(model.toString()), "names the file: " + e.getMessage());
        for (String m : mentions) assertTrue(e.getMessage().contains(m), "mentions " + m + ": " + e.getMessage());
        // The streamed read refuses it with the same words.
        assertEquals(e.getMessage(), assertThrows(L2cException.class, () -> OnnxModel.readFloatInitializers(model)).getMessage());
    }

    @Test
    void badExternalDataIsRefusedClearly() throws Exception {
        assertRefused(externalModel("4197", "24", "w.bin"), "W", "past the end");
        assertRefused(externalModel("99999999", "24", "w.bin"), "W", "past the end");
        assertRefused(externalModel("4096", "20", "w.bin"), "W", "length 20");
        assertRefused(externalModel("-1", "24", "w.bin"), "W", "offset");
        assertRefused(externalModel("x12", "24", "w.bin"), "W", "offset");
        assertRefused(externalModel("4096", "1e3", "w.bin"), "W", "length");
        assertRefused(externalModel("4096", "24", "missing.bin"), "W", "missing.bin", "does not exist");
        assertRefused(externalModel("4096", "24", "../w.bin"), "W", "outside");
        assertRefused(externalModel("4096", "24", dir.resolve("w.bin").toAbsolutePath().toString()), "W", "outside");
        assertRefused(externalModel("4096", "24", ""), "W", "location");
        assertRefused(externalModel("4096", "24", "."), "W");
    }

    /** A model in dir/model whose W lies in {@code location} (relative to that folder), 24 bytes at 0. */
    private Path linkedModel(String location) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("model"));
        TensorProto w = OnnxTestModels.external("W", 1, new long[] {2, 3}, location, "0", "24");
        return OnnxTestModels.save(OnnxTestModels.addModel(w, List.of()), folder.resolve("m.onnx"));
    }

    private Path secretOutside() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        byte[] secret = new byte[24];
        floatsLe(W).get(0, secret, 0, 24);
        return Files.write(outside.resolve("secret.bin"), secret);
    }

    @Test
    void externalDataLinkedToAFileOutsideIsRefused() throws Exception {
        Path secret = secretOutside();
        Path model = linkedModel("w.bin");
        Files.createSymbolicLink(model.resolveSibling("w.bin"), secret);
        assertRefused(model, "W", "\"w.bin\"", "outside the model's folder");
    }

    @Test
    void externalDataThroughALinkedFolderOutsideIsRefused() throws Exception {
        Path secret = secretOutside();
        Path model = linkedModel("sub/secret.bin");
        Files.createSymbolicLink(model.resolveSibling("sub"), secret.getParent());
        assertRefused(model, "W", "\"sub/secret.bin\"", "outside the model's folder");
    }

    @Test
    void externalDataLinkedInsideTheFolderIsRead() throws Exception {
        Path model = linkedModel("link.bin");
        byte[] bytes = new byte[24];
        floatsLe(W).get(0, bytes, 0, 24);
        Files.write(Files.createDirectories(model.resolveSibling("data")).resolve("w.bin"), bytes);
        Files.createSymbolicLink(model.resolveSibling("link.bin"), Path.of("data/w.bin"));
        assertArrayEquals(W, OnnxModel.read(model).floatInitializers().get(0).toFloatArray());
    }

    @Test
    void writingAModelThatKeepsLinkedExternalDataIsRefused() throws Exception {
        // An int64 initializer is not decoded as a weight, but the written model still refers to it.
        Path secret = secretOutside();
        Path folder = Files.createDirectories(dir.resolve("model"));
        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(1).addDims(2).addDims(3)
                .addAllFloatData(List.of(0.5f, -1f, 2f, 3.25f, -0.125f, 7f)).build();
        TensorProto ids = OnnxTestModels.external("ids", 7, new long[] {3}, "ids.bin", "0", "24");
        Path model = OnnxTestModels.save(OnnxTestModels.addModel(w, List.of(ids)), folder.resolve("m.onnx"));
        Files.createSymbolicLink(folder.resolve("ids.bin"), secret);
        OnnxModel m = OnnxModel.read(model);
        Path out = folder.resolve("out.onnx");
        L2cException e = assertThrows(L2cException.class,
                () -> m.write(out, Map.of("W", Tensor.ofFloats("W", new long[] {2, 3}, W)), false));
        assertTrue(e.getMessage().contains("ids") && e.getMessage().contains("outside the model's folder"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void keptExternalDataIsCopiedIntoTheOutputsOwnDataFile() throws Exception {
        Path model = externalModel("4096", "24", "w.bin");
        OnnxModel m = OnnxModel.read(model);
        Path out = dir.resolve("elsewhere/out.onnx");
        m.write(out, Map.of(), false);
        TensorProto written = OnnxModel.read(out).proto().getGraph().getInitializer(0);
        assertEquals("out.onnx.data", written.getExternalData(0).getValue(), "the output needs none of the input's files");
        assertArrayEquals(W, OnnxModel.read(out).floatInitializers().get(0).toFloatArray());
        float[][] y = runAdd(out, new float[][] {{1, 1, 1}, {2, 2, 2}});
        assertArrayEquals(new float[] {1.5f, 0f, 3f}, y[0]);
    }

    @Test
    void typedFieldsDecodeForEveryType() throws Exception {
        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(1).addDims(2).addDims(3)
                .addAllFloatData(List.of(0.5f, -1f, 2f, 3.25f, -0.125f, 7f)).build();
        List<TensorProto> extra = List.of(
                TensorProto.newBuilder().setName("h").setDataType(10).addDims(3)
                        .addInt32Data(0x3c00).addInt32Data(0xc000).addInt32Data(0x7e01).build(),
                TensorProto.newBuilder().setName("b").setDataType(16).addDims(2)
                        .addInt32Data(0x3f80).addInt32Data(0xc0a0).build(),
                TensorProto.newBuilder().setName("d").setDataType(11).addDims(2)
                        .addDoubleData(1.25).addDoubleData(-3).build(),
                TensorProto.newBuilder().setName("i8").setDataType(3).addDims(2).addInt32Data(-5).addInt32Data(127).build(),
                TensorProto.newBuilder().setName("u16").setDataType(4).addDims(1).addInt32Data(65535).build(),
                TensorProto.newBuilder().setName("i64").setDataType(7).addDims(2)
                        .addInt64Data(-1).addInt64Data(Long.MAX_VALUE).build(),
                TensorProto.newBuilder().setName("u32").setDataType(12).addUint64Data(0xffffffffL).build(),
                TensorProto.newBuilder().setName("bool").setDataType(9).addDims(2).addInt32Data(1).addInt32Data(0).build(),
                TensorProto.newBuilder().setName("empty").setDataType(1).addDims(0).build(),
                TensorProto.newBuilder().setName("str").setDataType(8).addDims(1)
                        .addStringData(ByteString.copyFromUtf8("x")).build());
        Path path = OnnxTestModels.save(OnnxTestModels.addModel(w, extra), dir.resolve("typed.onnx"));
        assertStreamedReadAgrees(path);
        OnnxModel model = OnnxModel.read(path);

        List<Tensor> floats = model.floatInitializers();
        assertEquals(List.of("W", "h", "b", "d", "empty"), floats.stream().map(Tensor::name).toList());
        assertArrayEquals(W, floats.get(0).toFloatArray());
        Tensor h = floats.get(1);
        assertEquals(DType.F16, h.dtype());
        assertEquals(1f, h.floatAt(0));
        assertEquals(-2f, h.floatAt(1));
        assertEquals(0x7fc02000, Float.floatToRawIntBits(h.floatAt(2)), "NaN payload of the half kept");
        assertArrayEquals(new float[] {1f, -5f}, floats.get(2).toFloatArray());
        assertEquals(DType.BF16, floats.get(2).dtype());
        assertArrayEquals(new float[] {1.25f, -3f}, floats.get(3).toFloatArray());

        Map<String, Tensor> all = new java.util.HashMap<>();
        for (Tensor t : model.allInitializers()) all.put(t.name(), t);
        assertFalse(all.containsKey("str"), "strings have no DType");
        assertEquals(-5, all.get("i8").data().get(0));
        assertEquals(127, all.get("i8").data().get(1));
        assertEquals((short) 0xffff, all.get("u16").data().getShort(0));
        assertEquals(Long.MAX_VALUE, all.get("i64").data().getLong(8));
        assertEquals(0, all.get("u32").rank());
        assertEquals(-1, all.get("u32").data().getInt(0));
        assertEquals(1, all.get("bool").data().get(0));

        // A written model keeps typed fields of tensors it does not replace, and raw_data for those it does.
        Tensor newH = new Tensor("h", DType.F16, new long[] {3},
                ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) 0x4000));
        Path out = dir.resolve("typed2.onnx");
        model.write(out, Map.of("h", newH), false);
        OnnxModel back = OnnxModel.read(out);
        TensorProto hProto = back.proto().getGraph().getInitializer(1);
        assertEquals(0, hProto.getInt32DataCount());
        assertEquals(6, hProto.getRawData().size());
        assertEquals(2f, back.floatInitializers().get(1).floatAt(0));
        assertEquals(model.proto().getGraph().getInitializer(0), back.proto().getGraph().getInitializer(0));
    }

    @Test
    void inconsistentTensorsAreRefused() throws Exception {
        TensorProto shortFloats = TensorProto.newBuilder().setName("W").setDataType(1).addDims(2).addDims(3)
                .addFloatData(1f).build();
        assertRefused(OnnxTestModels.save(OnnxTestModels.addModel(shortFloats, List.of()), dir.resolve("a.onnx")),
                "W", "float_data holds 1");
        TensorProto shortRaw = TensorProto.newBuilder().setName("W").setDataType(1).addDims(2).addDims(3)
                .setRawData(ByteString.copyFrom(new byte[20])).build();
        assertRefused(OnnxTestModels.save(OnnxTestModels.addModel(shortRaw, List.of()), dir.resolve("b.onnx")),
                "W", "raw_data holds 20");
        TensorProto noData = TensorProto.newBuilder().setName("W").setDataType(1).addDims(2).addDims(3).build();
        assertRefused(OnnxTestModels.save(OnnxTestModels.addModel(noData, List.of()), dir.resolve("c.onnx")), "W");
        TensorProto negative = TensorProto.newBuilder().setName("W").setDataType(1).addDims(-2).build();
        assertRefused(OnnxTestModels.save(OnnxTestModels.addModel(negative, List.of()), dir.resolve("d.onnx")),
                "W", "negative");
        TensorProto huge = TensorProto.newBuilder().setName("W").setDataType(1).addDims(1L << 30).build();
        assertRefused(OnnxTestModels.save(OnnxTestModels.addModel(huge, List.of()), dir.resolve("e.onnx")),
                "W", "larger");
    }

    @Test
    void replacementsMustMatchNameTypeAndShape() throws Exception {
        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(1).addDims(2).addDims(3)
                .setRawData(ByteString.copyFrom(floatsLe(W))).build();
        OnnxModel model = OnnxModel.read(OnnxTestModels.save(OnnxTestModels.addModel(w, List.of()), dir.resolve("m.onnx")));
        Path out = dir.resolve("out.onnx");
        Tensor wrongShape = Tensor.ofFloats("W", new long[] {3, 2}, W);
        Tensor wrongType = new Tensor("W", DType.F16, new long[] {2, 3}, ByteBuffer.allocate(12));
        Tensor wrongName = Tensor.ofFloats("V", new long[] {2, 3}, W);
        assertTrue(msg(() -> model.write(out, Map.of("W", wrongShape), false)).contains("shape"));
        assertTrue(msg(() -> model.write(out, Map.of("W", wrongType), false)).contains("F16"));
        assertTrue(msg(() -> model.write(out, Map.of("W", wrongName), false)).contains("V"));
        assertTrue(msg(() -> model.write(out, Map.of("V", wrongName), false)).contains("no initializer named V"));
        assertFalse(Files.exists(out));
        model.write(out, Map.of(), false);
        assertTrue(msg(() -> model.write(out, Map.of(), false)).contains("exists"));
    }

    @Test
    void aGraphReadWithoutItsWeightsSerializesLikeTheWholeModel() throws Exception {
        Path zoo = Path.of("src/test/resources/models/fmnist-resnet.onnx");
        OnnxModel whole = OnnxModel.read(zoo);
        OnnxModel graph = OnnxModel.readGraph(zoo);
        // Unreplaced initializers come from the file then: the same bytes as the model read whole.
        assertArrayEquals(whole.toBytes(Map.of()), graph.toBytes(Map.of()));
        Tensor first = whole.floatInitializers().get(0);
        float[] zeros = new float[(int) first.numel()];
        Map<String, Tensor> replaced = Map.of(first.name(), Tensor.ofFloats(first.name(), first.shape(), zeros));
        assertArrayEquals(whole.toBytes(replaced), graph.toBytes(replaced));
        // Its weights were never read, so nothing may hand out tensor data.
        assertThrows(IllegalStateException.class, graph::floatInitializers);
        assertThrows(IllegalStateException.class, () -> graph.write(dir.resolve("g.onnx"), Map.of(), false));
    }

    private interface Action {
        void run() throws L2cException;
    }

    private static String msg(Action a) {
        return assertThrows(L2cException.class, a::run).getMessage();
    }

    /** The streamed read gives the float weights the whole-file parse gives, or fails as it does. */
    private static void assertStreamedReadAgrees(Path model) {
        List<Tensor> whole;
        try {
            whole = OnnxModel.read(model).floatInitializers();
        } catch (L2cException e) {
            // Of several faults the two parses may meet a different one first: the same kind of error, naming the file.
            L2cException streamed = assertThrows(L2cException.class, () -> OnnxModel.readFloatInitializers(model), e.getMessage());
            assertEquals(e.getClass(), streamed.getClass(), streamed.getMessage());
            assertTrue(streamed.getMessage().contains(model.toString()), streamed.getMessage());
            return;
        }
        try {
            assertEquals(whole, OnnxModel.readFloatInitializers(model));
        } catch (L2cException e) {
            throw new AssertionError("the whole-file parse read " + model + ", the streamed read did not", e);
        }
    }

    @Test
    void garbageIsNotAnOnnxModel() throws Exception {
        Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        assertTrue(msg(() -> OnnxModel.read(empty)).contains("not an ONNX model"));
        Path text = Files.write(dir.resolve("text.onnx"), "hello, this is not a model\n".getBytes(StandardCharsets.UTF_8));
        assertTrue(msg(() -> OnnxModel.read(text)).contains("not an ONNX model"));
        Path huge = dir.resolve("huge.onnx");
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            raf.setLength(1L << 31); // sparse, one byte over protobuf's limit
        }
        String hugeMsg = msg(() -> OnnxModel.read(huge));
        assertTrue(hugeMsg.contains("huge.onnx") && hugeMsg.contains("2 GiB"), hugeMsg);
        Files.delete(huge);
        // A valid protobuf that is no model: a lone StringStringEntryProto.
        Path other = Files.write(dir.resolve("other.onnx"), OnnxTestModels.entry("k", "v").toByteArray());
        assertTrue(msg(() -> OnnxModel.read(other)).contains("not an ONNX model"));

        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(1).addDims(2).addDims(3)
                .setRawData(ByteString.copyFrom(floatsLe(W))).build();
        byte[] good = OnnxTestModels.addModel(w, List.of()).toByteArray();
        Path bad = dir.resolve("bad.onnx");
        Random rnd = new Random(3);
        int parsed = 0;
        for (int trial = 0; trial < 2000; trial++) {
            byte[] b = trial % 2 == 0 ? good.clone() : new byte[1 + rnd.nextInt(200)];
            if (trial % 2 == 0) {
                for (int k = 0; k < 1 + rnd.nextInt(3); k++) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt();
                if (rnd.nextBoolean()) b = java.util.Arrays.copyOf(b, 1 + rnd.nextInt(b.length));
            } else {
                rnd.nextBytes(b);
            }
            Files.write(bad, b);
            try {
                OnnxModel m = OnnxModel.read(bad);
                m.allInitializers();
                parsed++;
            } catch (L2cException expected) {
                assertTrue(expected.getMessage().contains(bad.toString()), expected.getMessage());
            }
            assertStreamedReadAgrees(bad);
        }
        assertTrue(parsed < 2000, "some corruptions must be caught");
    }
}
