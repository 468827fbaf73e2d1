package dev.l2c.model;

import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.ModelProto;
import dev.l2c.model.onnx.proto.NodeProto;
import dev.l2c.model.onnx.proto.OperatorSetIdProto;
import dev.l2c.model.onnx.proto.StringStringEntryProto;
import dev.l2c.model.onnx.proto.TensorProto;
import dev.l2c.model.onnx.proto.TensorShapeProto;
import dev.l2c.model.onnx.proto.TypeProto;
import dev.l2c.model.onnx.proto.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small ONNX models built in tests: Y = X + W for a float32 X of W's shape. */
final class OnnxTestModels {
    private OnnxTestModels() {}

    static ValueInfoProto floatValue(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        TypeProto type = TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    /** A model adding initializer {@code w} (float32, named "W") to input X; extra initializers ride along. */
    static ModelProto addModel(TensorProto w, List<TensorProto> extra) {
        long[] dims = w.getDimsList().stream().mapToLong(Long::longValue).toArray();
        GraphProto graph = GraphProto.newBuilder()
                .setName("add")
                .addNode(NodeProto.newBuilder().setOpType("Add").addInput("X").addInput(w.getName()).addOutput("Y"))
                .addInitializer(w)
                .addAllInitializer(extra)
                .addInput(floatValue("X", dims))
                .addOutput(floatValue("Y", dims))
                .build();
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("l2c-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph)
                .build();
    }

    /** An initializer whose bytes live in {@code location} at {@code offset}, {@code length} (null: omitted). */
    static TensorProto external(String name, int dataType, long[] dims, String location, String offset, String length) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(dataType)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", location));
        for (long d : dims) t.addDims(d);
        if (offset != null) t.addExternalData(entry("offset", offset));
        if (length != null) t.addExternalData(entry("length", length));
        return t.build();
    }

    static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    static Path save(ModelProto model, Path path) throws IOException {
        Files.write(path, model.toByteArray());
        return path;
    }
}
