package dev.l2c.graph;

import static dev.l2c.graph.GraphBuilder.attr;
import static dev.l2c.graph.GraphBuilder.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.model.DType;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.onnx.proto.TensorProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operators beyond the CNN, each graph under one opset (attribute forms before 13, input forms
 * after), against ONNX Runtime on inputs with free batch and sequence dimensions.
 */
class OnnxExecutorOpsTest {
    @TempDir
    Path dir;

    private static final int B = 2;
    private static final int S = 5;

    private List<OrtReference.Feed> feeds(long seed) {
        Random rnd = new Random(seed);
        long[] ids = new long[B * S];
        for (int i = 0; i < ids.length; i++) ids[i] = rnd.nextInt(11) - 5;
        return List.of(
                OrtReference.Feed.floats("X", OrtReference.gaussian(rnd, B * S * 6, 1.0), B, S, 6),
                OrtReference.Feed.longs("ids", ids, B, S));
    }

    private static GraphBuilder start(String name, int opset) {
        GraphBuilder b = new GraphBuilder(name).opset(opset);
        b.input("X", DType.F32, -1, -1, 6);
        b.input("ids", DType.I64, -1, -1);
        return b;
    }

    private static String scalar(GraphBuilder b, String name, long v) {
        b.initializer(GraphBuilder.longTensor(name, new long[] {v}));
        return name;
    }

    private static String scalar(GraphBuilder b, String name, float v) {
        b.initializer(GraphBuilder.floatTensor(name, new float[] {v}));
        return name;
    }

    private static String vector(GraphBuilder b, String name, long... v) {
        b.initializer(name, v, v.length);
        return name;
    }

    /** Runs every graph output in both runtimes and compares them (integers exactly). */
    private void compare(GraphBuilder b, List<String> outputs, List<String> integerOutputs) throws Exception {
        for (String o : outputs) b.output(o, DType.F32);
        for (String o : integerOutputs) b.output(o, DType.I64);
        Path file = b.write(dir.resolve(b.build().getGraph().getName() + ".onnx"));
        List<OrtReference.Feed> feeds = feeds(b.build().getGraph().getName().hashCode());
        Map<String, double[]> expected = OrtReference.run(file, feeds);
        List<String> all = new ArrayList<>(outputs);
        all.addAll(integerOutputs);
        try (OnnxExecutor exec = OnnxExecutor.of(OnnxModel.read(file)); PointerScope scope = new PointerScope()) {
            Map<String, Tensor> in = new HashMap<>();
            for (OrtReference.Feed f : feeds) in.put(f.name(), f.torch());
            Map<String, Tensor> out = exec.run(in, all);
            for (String o : outputs) {
                double rel = OrtReference.relativeMaxDiff(Tensors.toDoubles(out.get(o)), expected.get(o));
                assertTrue(rel <= 1e-4, o + ": relative max difference " + rel);
            }
            for (String o : integerOutputs) {
                assertArrayEquals(expected.get(o), Tensors.toDoubles(out.get(o)), o);
            }
        }
    }

    /** Opset 11: shape arithmetic, attribute-form Unsqueeze/Squeeze/Split/ReduceSum, flattening Softmax. */
    @Test
    void opset11() throws Exception {
        GraphBuilder b = start("ops11", 11);
        List<String> f = new ArrayList<>();
        List<String> i = new ArrayList<>();
        String shp = b.node("Shape", List.of("X"));
        String s = b.node("Gather", List.of(shp, scalar(b, "one", 1L)), attr("axis", 0L));
        String su = b.node("Unsqueeze", List.of(s), ints("axes", 0));
        String shape = b.node("Concat", List.of(vector(b, "minus1", -1), su, vector(b, "six", 6)), attr("axis", 0L));
        String r = b.node("Reshape", List.of("X", shape));
        String tr = b.node("Transpose", List.of(r), ints("perm", 0, 2, 1));
        f.add(b.node("Softmax", List.of(tr), attr("axis", 1L)));
        f.add(b.node("LogSoftmax", List.of("X"), attr("axis", -1L)));
        f.add(b.node("Slice", List.of("X", vector(b, "st", -1), vector(b, "en", -1000), vector(b, "ax", 2), vector(b, "sp", -2))));
        f.add(b.node("Slice", List.of("X", vector(b, "st2", 1, 0), vector(b, "en2", 1000, 2), vector(b, "ax2", 2, 1))));
        String eq = b.node("Equal", List.of("ids", scalar(b, "zero", 0L)));
        String m = b.node("Unsqueeze", List.of(eq), ints("axes", 2));
        f.add(b.node("Where", List.of(m, "X", b.node("Neg", List.of("X")))));
        b.initializer(GraphBuilder.longTensor("three", new long[] {3}, 1));
        String cos = b.node("ConstantOfShape", List.of(b.node("Shape", List.of("ids"))),
                attr("value", GraphBuilder.longTensor("v", new long[] {3}, 1)));
        String sum = b.node("Add", List.of("ids", cos));
        i.add(sum);
        i.add(b.node("Div", List.of("ids", scalar(b, "two", 2L))));
        i.add(b.node("Mod", List.of("ids", scalar(b, "three_s", 3L))));
        String bias = "bias6";
        b.initializer(bias, new float[] {0.5f, -1f, 2f, 0.25f, 1.5f, -0.75f}, 6);
        f.add(b.node("Mul", List.of(b.node("Expand", List.of(bias, shp)), "X")));
        f.add(b.node("Tile", List.of("X", vector(b, "rep", 1, 2, 1))));
        String sf = b.node("Cast", List.of(s), attr("to", 1L));
        f.add(b.node("Range", List.of(scalar(b, "r0", 0.5f), sf, scalar(b, "r1", 0.75f))));
        b.node("Split", List.of("X"), List.of("sp_a", "sp_b"), attr("axis", 2L), ints("split", 2, 4));
        f.add("sp_a");
        f.add("sp_b");
        f.add(b.node("ReduceSum", List.of("X"), ints("axes", 1), attr("keepdims", 0L)));
        f.add(b.node("ReduceMax", List.of("X"), ints("axes", -1)));
        f.add(b.node("ReduceMin", List.of("X"), ints("axes", 0, 2), attr("keepdims", 0L)));
        f.add(b.node("ReduceMean", List.of("X")));
        i.add(b.node("ArgMax", List.of("X"), attr("axis", 2L), attr("keepdims", 0L)));
        i.add(b.node("ArgMin", List.of("X"), attr("axis", 1L)));
        f.add(b.node("Clip", List.of("X", scalar(b, "lo", -0.5f))));
        f.add(b.node("Pad", List.of("X", vector(b, "pads", 0, 0, 1, 0, 0, 2)), attr("mode", "reflect")));
        f.add(b.node("Pad", List.of("X", vector(b, "pads2", 0, 1, 0, 0, 2, 1), scalar(b, "padv", 0.5f))));
        String un = b.node("Unsqueeze", List.of("X"), ints("axes", 1, 4));
        f.add(b.node("Squeeze", List.of(un), ints("axes", 1)));
        f.add(b.node("Squeeze", List.of(un)));
        f.add(b.node("Max", List.of("X", b.node("Neg", List.of("X")), scalar(b, "c03", 0.3f))));
        f.add(b.node("Min", List.of("X", scalar(b, "c01", 0.1f))));
        f.add(b.node("Sum", List.of("X", "X", "bias6")));
        f.add(b.node("Mean", List.of("X", "bias6")));
        f.add(b.node("LeakyRelu", List.of("X"), attr("alpha", 0.2f)));
        f.add(b.node("HardSigmoid", List.of("X")));
        f.add(b.node("Tanh", List.of("X")));
        f.add(b.node("Sqrt", List.of(b.node("Abs", List.of("X")))));
        f.add(b.node("Pow", List.of("X", scalar(b, "p3", 3f))));
        f.add(b.node("GlobalMaxPool", List.of("X")));
        f.add(b.node("GlobalAveragePool", List.of("X")));
        f.add(b.node("Flatten", List.of("X"), attr("axis", -1L)));
        b.initializer("v6", new float[] {1f, -2f, 0.5f, 3f, -1f, 0.25f}, 6);
        f.add(b.node("MatMul", List.of("X", "v6")));
        i.add(b.node("Size", List.of("X")));
        i.add(b.node("Cast", List.of(b.node("Greater", List.of("X", scalar(b, "g0", 0f)))), attr("to", 7L)));
        f.add(b.node("Identity", List.of("X")));
        f.add(b.node("Dropout", List.of("X"), attr("ratio", 0.3f)));
        compare(b, f, i);
    }

    /** Opset 18: axes, split and pads as inputs; Shape start/end; LayerNormalization; more activations. */
    @Test
    void opset18() throws Exception {
        GraphBuilder b = start("ops18", 18);
        List<String> f = new ArrayList<>();
        List<String> i = new ArrayList<>();
        String un = b.node("Unsqueeze", List.of("X", vector(b, "ax0m1", 0, -1)));
        f.add(b.node("Squeeze", List.of(un, vector(b, "ax0", 0))));
        f.add(b.node("ReduceMean", List.of("X", vector(b, "ax1", 1))));
        f.add(b.node("ReduceMean", List.of("X"), attr("keepdims", 0L)));
        f.add(b.node("ReduceSum", List.of("X", vector(b, "none")), attr("noop_with_empty_axes", 1L)));
        f.add(b.node("ReduceL2", List.of("X", vector(b, "axm1", -1))));
        f.add(b.node("ReduceL1", List.of("X", vector(b, "axm1b", -1))));
        f.add(b.node("ReduceSumSquare", List.of("X", vector(b, "ax2", 2)), attr("keepdims", 0L)));
        f.add(b.node("ReduceLogSumExp", List.of("X", vector(b, "ax12", 1, 2))));
        f.add(b.node("ReduceProd", List.of("X", vector(b, "ax2b", 2))));
        b.node("Split", List.of("X"), List.of("n1", "n2", "n3"), attr("axis", 2L), attr("num_outputs", 3L));
        f.addAll(List.of("n1", "n2", "n3"));
        b.node("Split", List.of("X", vector(b, "sizes", 1, 5)), List.of("s1", "s2"), attr("axis", -1L));
        f.addAll(List.of("s1", "s2"));
        b.initializer("ln_scale", new float[] {1f, 0.5f, 2f, 1.5f, 0.75f, 1.25f}, 6);
        b.initializer("ln_bias", new float[] {0f, 0.1f, -0.2f, 0.3f, 0f, -0.1f}, 6);
        f.add(b.node("LayerNormalization", List.of("X", "ln_scale", "ln_bias"), attr("epsilon", 1e-3f)));
        f.add(b.node("LayerNormalization", List.of("X", "ln_scale"), attr("axis", 2L)));
        f.add(b.node("Softmax", List.of("X"), attr("axis", 1L)));
        i.add(b.node("Shape", List.of("X"), attr("start", 1L)));
        i.add(b.node("Shape", List.of("X"), attr("end", -1L)));
        f.add(b.node("Reshape", List.of("X", vector(b, "r0032", 0, 0, 3, 2))));
        f.add(b.node("Reshape", List.of("X", vector(b, "rm16", -1, 6)), attr("allowzero", 1L)));
        f.add(b.node("Clip", List.of("X", scalar(b, "lo", -0.4f), scalar(b, "hi", 0.6f))));
        f.add(b.node("Clip", List.of("X", "", scalar(b, "hi2", 0.2f))));
        f.add(b.node("Pad", List.of("X", vector(b, "pads", 1, 1), scalar(b, "pv", 0.5f), vector(b, "pax", 1))));
        f.add(b.node("Pad", List.of("X", vector(b, "pads2", 0, 2, 0, 1, 0, 0)), attr("mode", "edge")));
        f.add(b.node("Mod", List.of("X", scalar(b, "m07", 0.7f)), attr("fmod", 1L)));
        f.add(b.node("CastLike", List.of("ids", "X")));
        String notB = b.node("Not", List.of(b.node("Less", List.of("X", scalar(b, "l0", 0f)))));
        String and = b.node("And", List.of(notB, b.node("LessOrEqual", List.of("X", scalar(b, "l1", 1f)))));
        String or = b.node("Or", List.of(and, b.node("GreaterOrEqual", List.of("X", scalar(b, "l2", 1.5f)))));
        String xor = b.node("Xor", List.of(or, b.node("Unsqueeze", List.of(b.node("Equal", List.of("ids", scalar(b, "z", 0L))),
                vector(b, "ax2c", 2)))));
        i.add(b.node("Cast", List.of(xor), attr("to", 7L)));
        f.add(b.node("Selu", List.of("X")));
        f.add(b.node("Elu", List.of("X"), attr("alpha", 0.7f)));
        f.add(b.node("Softplus", List.of("X")));
        f.add(b.node("Softsign", List.of("X")));
        f.add(b.node("HardSwish", List.of("X")));
        b.initializer("slope", new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}, 6);
        f.add(b.node("PRelu", List.of("X", "slope")));
        f.add(b.node("Reciprocal", List.of(b.node("Add", List.of(b.node("Abs", List.of("X")), scalar(b, "one", 1f))))));
        f.add(b.node("Exp", List.of("X")));
        f.add(b.node("Log", List.of(b.node("Add", List.of(b.node("Abs", List.of("X")), scalar(b, "one2", 1f))))));
        String scaled = b.node("Mul", List.of("X", scalar(b, "k", 2.5f)));
        f.add(b.node("Floor", List.of(scaled)));
        f.add(b.node("Ceil", List.of(scaled)));
        f.add(b.node("Round", List.of(scaled)));
        f.add(b.node("Sign", List.of("X")));
        f.add(b.node("Sin", List.of("X")));
        f.add(b.node("Cos", List.of("X")));
        f.add(b.node("Sigmoid", List.of("X")));
        f.add(b.node("Erf", List.of("X")));
        f.add(b.node("Relu", List.of("X")));
        compare(b, f, i);
    }

    /** Opset 9: Clip bounds and Slice ranges as attributes. */
    @Test
    void opset9() throws Exception {
        GraphBuilder b = start("ops9", 9);
        List<String> f = new ArrayList<>();
        f.add(b.node("Clip", List.of("X"), attr("min", -0.3f), attr("max", 0.8f)));
        f.add(b.node("Clip", List.of("X"), attr("max", 0.1f)));
        f.add(b.node("Slice", List.of("X"), ints("starts", 1, -4), ints("ends", 3, 1000), ints("axes", 2, 1)));
        f.add(b.node("Softmax", List.of("X")));
        f.add(b.node("Unsqueeze", List.of("X"), ints("axes", 0)));
        compare(b, f, List.of());
    }

    /** Opset 20: Gelu, exact and tanh-approximated. */
    @Test
    void opset20() throws Exception {
        GraphBuilder b = start("ops20", 20);
        List<String> f = new ArrayList<>();
        f.add(b.node("Gelu", List.of("X")));
        f.add(b.node("Gelu", List.of("X"), attr("approximate", "tanh")));
        compare(b, f, List.of());
    }

    @Test
    void constantNodesInEveryForm() throws Exception {
        GraphBuilder b = start("constants", 13);
        List<String> f = new ArrayList<>();
        List<String> i = new ArrayList<>();
        TensorProto t = GraphBuilder.floatTensor("", new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 6);
        f.add(b.node("Add", List.of("X", b.node("Constant", List.of(), attr("value", t)))));
        f.add(b.node("Mul", List.of("X", b.node("Constant", List.of(), attr("value_float", 1.5f)))));
        f.add(b.node("Sub", List.of("X", b.node("Constant", List.of(),
                GraphBuilder.floats("value_floats", 1f, 0f, -1f, 2f, 0.5f, 0f)))));
        i.add(b.node("Add", List.of("ids", b.node("Constant", List.of(), attr("value_int", 7L)))));
        i.add(b.node("Mul", List.of("ids", b.node("Constant", List.of(), ints("value_ints", 3, -2, 1, 0, 5)))));
        compare(b, f, i);
    }

    @Test
    void supportedOperatorsCoverTheIssueList() {
        for (String op : List.of("Conv", "BatchNormalization", "Relu", "Clip", "Sigmoid", "MaxPool", "AveragePool",
                "GlobalAveragePool", "Flatten", "Gemm", "MatMul", "Add", "Mul", "Concat", "Reshape", "Transpose",
                "Gather", "Shape", "Unsqueeze", "Squeeze", "Slice", "Cast", "Constant", "ConstantOfShape", "Sub", "Div",
                "Pow", "Sqrt", "ReduceMean", "Softmax", "Erf", "Where", "Equal", "Expand", "Identity", "Tanh")) {
            assertTrue(Ops.supported().contains(op), op);
        }
        assertEquals(Ops.supported().size(), Ops.supported().stream().distinct().count());
    }
}
