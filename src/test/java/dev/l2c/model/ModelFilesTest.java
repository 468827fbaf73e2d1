package dev.l2c.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.l2c.L2cException;
import dev.l2c.model.onnx.proto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
    @TempDir
    Path dir;

    @Test
    void dispatchesByContentNotName() throws Exception {
        List<Tensor> tensors = List.of(Tensor.ofFloats("a", new long[] {2}, new float[] {1, 2}),
                new Tensor("n", DType.I64, new long[] {1}, ByteBuffer.allocate(8)));
        Path st = dir.resolve("weights.onnx"); // misleading name on purpose
        SafetensorsFile.write(st, tensors, Map.of(), false);
        assertEquals(ModelFiles.Format.SAFETENSORS, ModelFiles.detect(st));
        assertEquals(tensors, ModelFiles.readWeights(st));

        ByteBuffer raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 3f).putFloat(4, 4f);
        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(1).addDims(2)
                .setRawData(ByteString.copyFrom(raw)).build();
        Path onnx = OnnxTestModels.save(OnnxTestModels.addModel(w, List.of()), dir.resolve("model.safetensors"));
        assertEquals(ModelFiles.Format.ONNX, ModelFiles.detect(onnx));
        List<Tensor> weights = ModelFiles.readWeights(onnx);
        assertEquals(1, weights.size());
        assertEquals(Tensor.ofFloats("W", new long[] {2}, new float[] {3, 4}), weights.get(0));
    }

    @Test
    void anythingElseIsAClearError() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "just some text that is no model at all");
        L2cException e = assertThrows(L2cException.class, () -> ModelFiles.readWeights(text));
        assertTrue(e.getMessage().contains("notes.txt") && e.getMessage().contains("neither"), e.getMessage());
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertThrows(L2cException.class, () -> ModelFiles.readWeights(empty));
        Path missing = dir.resolve("missing.onnx");
        e = assertThrows(L2cException.class, () -> ModelFiles.readWeights(missing));
        assertTrue(e.getMessage().contains("missing.onnx"), e.getMessage());
        // Looks like safetensors (length fits, '{' follows) but the header is broken: the safetensors error.
        ByteBuffer b = ByteBuffer.allocate(8 + 4).order(ByteOrder.LITTLE_ENDIAN).putLong(4).put("{\"a\"".getBytes());
        Path broken = Files.write(dir.resolve("broken"), b.array());
        e = assertThrows(L2cException.class, () -> ModelFiles.readWeights(broken));
        assertTrue(e.getMessage().contains("safetensors"), e.getMessage());
    }
    /** A file of the 8-byte header length {@code headerLength} followed by {@code rest}. */
    private Path headerFile(String name, long headerLength, String rest) throws Exception {
        byte[] tail = rest.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(8 + tail.length).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength).put(tail);
        return Files.write(dir.resolve(name), b.array());
    }

    private static void assertSafetensorsError(Path file, String... mentions) {
        L2cException e = assertThrows(L2cException.class, () -> ModelFiles.detect(file));
        assertTrue(e.getMessage().startsWith(file + ": "), "names the file: " + e.getMessage());
        assertFalse(e.getMessage().contains("neither") || e.getMessage().contains("invalid tag"), e.getMessage());
        for (String m : mentions) assertTrue(e.getMessage().contains(m), "mentions " + m + ": " + e.getMessage());
        L2cException read = assertThrows(L2cException.class, () -> ModelFiles.readWeights(file));
        assertEquals(e.getMessage(), read.getMessage());
    }

    @Test
    void brokenSafetensorsHeadersSayWhatIsWrong() throws Exception {
        assertSafetensorsError(Files.write(dir.resolve("empty.safetensors"), new byte[0]), "empty file");
        assertSafetensorsError(headerFile("zero", 0, "{}"), "safetensors header length 0 ");
        assertSafetensorsError(headerFile("zero-bare", 0, ""), "safetensors header length 0 ");
        assertSafetensorsError(headerFile("huge", Long.MIN_VALUE, "{}"),
                "safetensors header length 9223372036854775808 runs past the end of the file (10 bytes)");
        assertSafetensorsError(headerFile("past", 1000, "{}"),
                "safetensors header length 1000 runs past the end of the file (10 bytes)");
        // No '{' where the header should start, but the name says safetensors.
        assertSafetensorsError(headerFile("past.safetensors", 1000, "xy"),
                "safetensors header length 1000 runs past the end of the file (10 bytes)");
    }

    @Test
    void duplicateOnnxInitializersAreBlamedOnTheModel() throws Exception {
        ByteBuffer raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 3f).putFloat(4, 4f);
        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(1).addDims(2)
                .setRawData(ByteString.copyFrom(raw)).build();
        Path onnx = OnnxTestModels.save(OnnxTestModels.addModel(w, List.of(w)), dir.resolve("dup.onnx"));
        L2cException e = assertThrows(L2cException.class, () -> ModelFiles.readWeights(onnx));
        assertEquals(onnx + ": duplicate initializer 'W'", e.getMessage());
        e = assertThrows(L2cException.class, () -> ModelFiles.detect(onnx));
        assertEquals(onnx + ": duplicate initializer 'W'", e.getMessage());
    }
}
