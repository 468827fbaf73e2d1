package dev.l2c.graph;

import com.google.protobuf.ByteString;
import dev.l2c.L2cException;
import dev.l2c.io.AtomicFile;
import dev.l2c.model.DType;
import dev.l2c.model.onnx.proto.AttributeProto;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.ModelProto;
import dev.l2c.model.onnx.proto.NodeProto;
import dev.l2c.model.onnx.proto.OperatorSetIdProto;
import dev.l2c.model.onnx.proto.TensorProto;
import dev.l2c.model.onnx.proto.TensorShapeProto;
import dev.l2c.model.onnx.proto.TypeProto;
import dev.l2c.model.onnx.proto.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds a small ONNX model in code: typed inputs and outputs, initializers from Java arrays,
 * nodes with attributes. Used by tests and by the reference networks l2c trains itself.
 *
 * <pre>{@code
 * GraphBuilder b = new GraphBuilder("net");
 * b.input("X", DType.F32, -1, 1, 28, 28);             // -1: a free dimension
 * b.initializer("W", weights, 8, 1, 3, 3);
 * String y = b.node("Conv", List.of("X", "W"), GraphBuilder.ints("pads", 1, 1, 1, 1));
 * b.output(y, DType.F32);
 * ModelProto model = b.build();
 * }</pre>
 */
public final class GraphBuilder {
    /** Opset used unless {@link #opset} says otherwise. */
    public static final int DEFAULT_OPSET = 17;
    private static final long IR_VERSION = 8;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private int opset = DEFAULT_OPSET;
    private int nodeCount;

    public GraphBuilder(String graphName) {
        graph.setName(graphName);
    }

    /** The default-domain opset version the model declares. */
    public GraphBuilder opset(int version) {
        if (version < 1) throw new IllegalArgumentException("opset must be >= 1, got " + version);
        this.opset = version;
        return this;
    }

    /** A graph input; a negative dimension is free (a named dim_param: "batch" on axis 0). */
    public GraphBuilder input(String name, DType dtype, long... dims) {
        claim(name);
        graph.addInput(valueInfo(name, dtype, dims));
        return this;
    }

    /** A graph output with element type and shape (negative dimensions free). */
    public GraphBuilder output(String name, DType dtype, long... dims) {
        graph.addOutput(valueInfo(name, dtype, dims));
        return this;
    }

    /** A graph output with its element type only (ONNX tools infer the shape). */
    public GraphBuilder output(String name, DType dtype) {
        TypeProto type = TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(dtype.onnxCode())).build();
        graph.addOutput(ValueInfoProto.newBuilder().setName(name).setType(type));
        return this;
    }

    /** A float32 initializer. */
    public GraphBuilder initializer(String name, float[] values, long... dims) {
        return initializer(floatTensor(name, values, dims));
    }

    /** A float64 initializer. */
    public GraphBuilder initializer(String name, double[] values, long... dims) {
        return initializer(doubleTensor(name, values, dims));
    }

    /** An int64 initializer. */
    public GraphBuilder initializer(String name, long[] values, long... dims) {
        return initializer(longTensor(name, values, dims));
    }

    public GraphBuilder initializer(TensorProto tensor) {
        claim(tensor.getName());
        graph.addInitializer(tensor);
        return this;
    }

    /**
     * Adds a node with explicit outputs; it is named {@code <opType>_<index>}.
     * Empty strings stand for omitted optional inputs.
     */
    public GraphBuilder node(String opType, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
        NodeProto.Builder node = NodeProto.newBuilder()
                .setOpType(opType)
                .setName(opType + "_" + nodeCount++)
                .addAllInput(inputs)
                .addAllOutput(outputs)
                .addAllAttribute(Arrays.asList(attributes));
        for (String out : outputs) claim(out);
        graph.addNode(node);
        return this;
    }

    /** Adds a node with one output, named {@code <opType>_<index>}, and returns that output's name. */
    public String node(String opType, List<String> inputs, AttributeProto... attributes) {
        String out = opType + "_" + nodeCount + "_out";
        node(opType, inputs, List.of(out), attributes);
        return out;
    }

    /** Adds an already built node (its name and outputs as given). */
    public GraphBuilder node(NodeProto node) {
        for (String out : node.getOutputList()) claim(out);
        graph.addNode(node);
        nodeCount++;
        return this;
    }

    /** The model: IR version 8, the default domain at the chosen opset. */
    public ModelProto build() {
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("l2c")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph.build())
                .build();
    }

    /** Writes the model to {@code path} (replacing a file there) and returns the path. */
    public Path write(Path path) throws L2cException {
        return write(build(), path);
    }

    /** Writes {@code model} to {@code path} through a temporary file, replacing a file there. */
    public static Path write(ModelProto model, Path path) throws L2cException {
        return write(model, path, true);
    }

    /** Writes {@code model} to {@code path} through a temporary file; an existing file is replaced only if {@code force}. */
    public static Path write(ModelProto model, Path path, boolean force) throws L2cException {
        try (AtomicFile file = AtomicFile.create(path, force)) {
            model.writeTo(Channels.newOutputStream(file.channel()));
            file.commit();
            return path;
        } catch (IOException e) {
            throw new L2cException(path + ": cannot write: " + e.getMessage(), e);
        }
    }

    // ---- attributes ----

    public static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static AttributeProto attr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    public static AttributeProto attr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    /** An INTS attribute (e.g. pads, strides, perm, axes), also when it holds one value. */
    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }

    /** A FLOATS attribute. */
    public static AttributeProto floats(String name, float... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOATS);
        for (float v : values) a.addFloats(v);
        return a.build();
    }

    /** A TENSOR attribute (e.g. Constant's value). */
    public static AttributeProto attr(String name, TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(value).build();
    }

    // ---- tensors ----

    /** A float32 TensorProto (raw_data, little-endian). */
    public static TensorProto floatTensor(String name, float[] values, long... dims) {
        checkCount(name, values.length, dims);
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return tensor(name, DType.F32, buf, dims);
    }

    /** A float64 TensorProto. */
    public static TensorProto doubleTensor(String name, double[] values, long... dims) {
        checkCount(name, values.length, dims);
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.asDoubleBuffer().put(values);
        return tensor(name, DType.F64, buf, dims);
    }

    /** An int64 TensorProto. */
    public static TensorProto longTensor(String name, long[] values, long... dims) {
        checkCount(name, values.length, dims);
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(values);
        return tensor(name, DType.I64, buf, dims);
    }

    private static TensorProto tensor(String name, DType dtype, ByteBuffer data, long[] dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(dtype.onnxCode())
                .setRawData(ByteString.copyFrom(data));
        for (long d : dims) t.addDims(d);
        return t.build();
    }

    private static ValueInfoProto valueInfo(String name, DType dtype, long[] dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (dims[i] >= 0) d.setDimValue(dims[i]);
            else d.setDimParam(i == 0 ? "batch" : name + "_" + i);
            shape.addDim(d);
        }
        TypeProto type = TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(dtype.onnxCode()).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    private void claim(String name) {
        if (name.isEmpty()) return;
        if (!names.add(name)) throw new IllegalArgumentException("value " + name + " is defined twice");
    }

    private static void checkCount(String name, int count, long[] dims) {
        long n = 1;
        for (long d : dims) n *= d;
        if (n != count) {
            throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(dims) + " holds " + n
                    + " elements, got " + count);
        }
    }

    /** All node outputs so far (handy for tests that fetch intermediates). */
    public List<String> nodeOutputs() {
        List<String> out = new ArrayList<>();
        for (NodeProto n : graph.getNodeList()) out.addAll(n.getOutputList());
        return out;
    }
}
