package dev.l2c.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.ModelProto;
import dev.l2c.model.onnx.proto.NodeProto;
import dev.l2c.model.onnx.proto.OperatorSetIdProto;
import dev.l2c.model.onnx.proto.StringStringEntryProto;
import dev.l2c.model.onnx.proto.TensorProto;
import dev.l2c.model.onnx.proto.TensorShapeProto;
import dev.l2c.model.onnx.proto.TypeProto;
import dev.l2c.model.onnx.proto.ValueInfoProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime is handed a model only after l2c has checked where its external data lies. */
class ModelSessionTest {
    @TempDir
    Path dir;

    /** Y = X + W, W (3 floats) kept in external file {@code location} of {@code folder}. */
    private static Path model(Path folder, String location) throws Exception {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(3)).build();
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape)).build();
        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(1).addDims(3)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue("12")).build();
        GraphProto graph = GraphProto.newBuilder().setName("add")
                .addNode(NodeProto.newBuilder().setOpType("Add").addInput("X").addInput("W").addOutput("Y"))
                .addInitializer(w)
                .addInput(ValueInfoProto.newBuilder().setName("X").setType(type))
                .addOutput(ValueInfoProto.newBuilder().setName("Y").setType(type)).build();
        ModelProto m = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(graph).build();
        return Files.write(folder.resolve("m.onnx"), m.toByteArray());
    }

    @Test
    void externalDataLinkedOutsideTheFolderIsRefusedBeforeOnnxRuntime() throws Exception {
        Path outside = Files.write(Files.createDirectories(dir.resolve("outside")).resolve("secret.bin"), new byte[12]);
        Path folder = Files.createDirectories(dir.resolve("model"));
        Path linked = model(folder, "w.bin");
        Files.createSymbolicLink(folder.resolve("w.bin"), outside);
        L2cException e = assertThrows(L2cException.class, () -> ModelSession.open(linked, 1));
        assertTrue(e.getMessage().contains(linked.toString()) && e.getMessage().contains("outside the model's folder"),
                e.getMessage());

        // The same model with its data inside the folder opens.
        Files.delete(folder.resolve("w.bin"));
        Files.write(folder.resolve("w.bin"), new byte[12]);
        try (ModelSession session = ModelSession.open(linked, 1)) {
            assertEquals(Set.of("X"), session.session().getInputNames());
        }
    }
}
