package dev.l2c.graph;

import static dev.l2c.graph.GraphBuilder.attr;
import static dev.l2c.graph.GraphBuilder.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.model.DType;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.onnx.proto.NodeProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The executor on a small CNN that uses every CNN operator, against ONNX Runtime. */
class OnnxExecutorCnnTest {
    @TempDir
    Path dir;

    /**
     * X[N,3,12,12] -> Conv -> BN -> Relu -> grouped strided Conv (asymmetric pads) -> Clip ->
     * x*Sigmoid(x) -> {MaxPool ceil_mode, AveragePool with pads counted, AveragePool asymmetric
     * pads not counted} -> Concat -> Add -> {GAP -> Flatten -> Gemm} + {Reshape -> Transpose ->
     * MatMul -> Reshape -> Gemm} -> Y[N,10]; the Concat output is a second graph output.
     */
    static GraphBuilder cnn(long seed) {
        Random rnd = new Random(seed);
        GraphBuilder b = new GraphBuilder("cnn");
        b.input("X", DType.F32, -1, 3, 12, 12);
        b.initializer("W1", OrtReference.gaussian(rnd, 8 * 3 * 9, 0.3), 8, 3, 3, 3);
        b.initializer("B1", OrtReference.gaussian(rnd, 8, 0.1), 8);
        b.initializer("bn_scale", OrtReference.uniform(rnd, 8, 0.5, 1.5), 8);
        b.initializer("bn_bias", OrtReference.gaussian(rnd, 8, 0.1), 8);
        b.initializer("bn_mean", OrtReference.gaussian(rnd, 8, 0.2), 8);
        b.initializer("bn_var", OrtReference.uniform(rnd, 8, 0.5, 2.0), 8);
        b.initializer("W2", OrtReference.gaussian(rnd, 8 * 2 * 9, 0.3), 8, 2, 3, 3);
        b.initializer("B2", OrtReference.gaussian(rnd, 8, 0.1), 8);
        b.initializer("clip_min", new float[] {0f});
        b.initializer("clip_max", new float[] {1.5f});
        b.initializer("channel_bias", OrtReference.gaussian(rnd, 24, 0.1), 24, 1, 1);
        b.initializer("Wg", OrtReference.gaussian(rnd, 10 * 24, 0.3), 10, 24);
        b.initializer("Bg", OrtReference.gaussian(rnd, 10, 0.1), 10);
        b.initializer("Wm", OrtReference.gaussian(rnd, 24 * 4, 0.3), 24, 4);
        b.initializer("Wk", OrtReference.gaussian(rnd, 36 * 10, 0.3), 36, 10);
        b.initializer("shape_nc9", new long[] {0, 24, 9}, 3);
        b.initializer("shape_flat", new long[] {0, -1}, 2);

        String c1 = b.node("Conv", List.of("X", "W1", "B1"), ints("pads", 1, 1, 1, 1), ints("kernel_shape", 3, 3));
        String bn = b.node("BatchNormalization", List.of(c1, "bn_scale", "bn_bias", "bn_mean", "bn_var"),
                attr("epsilon", 1e-3f));
        String r = b.node("Relu", List.of(bn));
        String g = b.node("Conv", List.of(r, "W2", "B2"), attr("group", 4), ints("pads", 0, 1, 1, 0), ints("strides", 2, 2));
        String cl = b.node("Clip", List.of(g, "clip_min", "clip_max"));
        String sg = b.node("Sigmoid", List.of(cl));
        String sw = b.node("Mul", List.of(cl, sg));
        String mp = b.node("MaxPool", List.of(sw), ints("kernel_shape", 3, 3), ints("strides", 2, 2), attr("ceil_mode", 1L));
        String ap = b.node("AveragePool", List.of(sw), ints("kernel_shape", 3, 3), ints("strides", 2, 2),
                ints("pads", 1, 1, 1, 1), attr("count_include_pad", 1L));
        String ap2 = b.node("AveragePool", List.of(sw), ints("kernel_shape", 2, 2), ints("strides", 2, 2),
                ints("pads", 0, 0, 1, 1));
        String cat = b.node("Concat", List.of(mp, ap, ap2), attr("axis", 1L));
        String a = b.node("Add", List.of(cat, "channel_bias"));
        String gap = b.node("GlobalAveragePool", List.of(a));
        String f = b.node("Flatten", List.of(gap), attr("axis", 1L));
        String gm = b.node("Gemm", List.of(f, "Wg", "Bg"), attr("transB", 1L), attr("alpha", 0.5f), attr("beta", 2f));
        String t = b.node("Reshape", List.of(a, "shape_nc9"));
        String tt = b.node("Transpose", List.of(t), ints("perm", 0, 2, 1));
        String mm = b.node("MatMul", List.of(tt, "Wm"));
        String flat = b.node("Reshape", List.of(mm, "shape_flat"));
        String k = b.node("Gemm", List.of(flat, "Wk"));
        b.node("Add", List.of(gm, k), List.of("Y"));
        b.output("Y", DType.F32, -1, 10);
        b.output(cat, DType.F32, -1, 24, 3, 3);
        return b;
    }

    static float[] batch(long seed, int n, int perItem) {
        return OrtReference.gaussian(new Random(seed), n * perItem, 1.0);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5})
    void matchesOnnxRuntime(int n) throws Exception {
        GraphBuilder b = cnn(7);
        Path file = b.write(dir.resolve("cnn.onnx"));
        float[] x = batch(11 + n, n, 3 * 12 * 12);
        List<OrtReference.Feed> feeds = List.of(OrtReference.Feed.floats("X", x, n, 3, 12, 12));
        Map<String, double[]> expected = OrtReference.run(file, feeds);
        String cat = b.build().getGraph().getOutput(1).getName();
        try (OnnxExecutor exec = OnnxExecutor.of(OnnxModel.read(file)); PointerScope scope = new PointerScope()) {
            assertEquals(List.of("X"), exec.inputNames());
            assertEquals(List.of("Y", cat), exec.outputNames());
            Map<String, Tensor> out = exec.run(Map.of("X", feeds.get(0).torch()), List.of("Y", cat));
            assertArrayEquals(new long[] {n, 10}, Tensors.shape(out.get("Y")));
            assertArrayEquals(new long[] {n, 24, 3, 3}, Tensors.shape(out.get(cat)));
            for (String name : List.of("Y", cat)) {
                double rel = OrtReference.relativeMaxDiff(Tensors.toDoubles(out.get(name)), expected.get(name));
                assertTrue(rel <= 1e-4, name + ": relative max difference " + rel);
            }
        }
    }

    /** 1-D convolution with SAME_LOWER, dilation and stride; 1-D pools; Softmax on the result. */
    @Test
    void conv1dAutoPadMatchesOnnxRuntime() throws Exception {
        Random rnd = new Random(3);
        GraphBuilder b = new GraphBuilder("conv1d");
        b.input("X", DType.F32, -1, 4, 11);
        b.initializer("W", OrtReference.gaussian(rnd, 6 * 4 * 3, 0.4), 6, 4, 3);
        String c = b.node("Conv", List.of("X", "W"), ints("strides", 2),
                ints("pads", 2, 2), ints("dilations", 2));
        String c2 = b.node("Conv", List.of(c, "W2"), attr("auto_pad", "SAME_LOWER"));
        b.initializer("W2", OrtReference.gaussian(rnd, 6 * 6 * 2, 0.4), 6, 6, 2);
        String mp = b.node("MaxPool", List.of(c2), ints("kernel_shape", 2), ints("pads", 1, 0));
        String ap = b.node("AveragePool", List.of(c2), ints("kernel_shape", 3), ints("strides", 2),
                attr("auto_pad", "SAME_UPPER"));
        String cat = b.node("Concat", List.of(mp, ap), attr("axis", -1L));
        b.node("Softmax", List.of(cat), List.of("Y"), attr("axis", 1L));
        b.output("Y", DType.F32);
        Path file = b.write(dir.resolve("conv1d.onnx"));
        float[] x = batch(5, 3, 4 * 11);
        List<OrtReference.Feed> feeds = List.of(OrtReference.Feed.floats("X", x, 3, 4, 11));
        double[] expected = OrtReference.run(file, feeds).get("Y");
        try (OnnxExecutor exec = OnnxExecutor.of(OnnxModel.read(file)); PointerScope scope = new PointerScope()) {
            Tensor y = exec.run(Map.of("X", feeds.get(0).torch()), List.of("Y")).get("Y");
            double rel = OrtReference.relativeMaxDiff(Tensors.toDoubles(y), expected);
            assertTrue(rel <= 1e-4, "relative max difference " + rel);
        }
    }

    @Test
    void unknownOperatorFailsBeforeRunning() throws Exception {
        GraphBuilder b = new GraphBuilder("foo");
        b.input("X", DType.F32, 2, 2);
        b.node(NodeProto.newBuilder().setOpType("Relu").setName("fine").addInput("X").addOutput("r").build());
        b.node(NodeProto.newBuilder().setOpType("FooBar").setName("mystery_node").addInput("r").addOutput("Y").build());
        b.output("Y", DType.F32, 2, 2);
        Path file = b.write(dir.resolve("foo.onnx"));
        L2cException e = assertThrows(L2cException.class, () -> OnnxExecutor.of(OnnxModel.read(file)));
        assertTrue(e.getMessage().contains("FooBar") && e.getMessage().contains("mystery_node")
                && e.getMessage().contains(file.toString()), e.getMessage());

        // Unnamed nodes are named by index; an unsupported attribute is refused the same way.
        GraphBuilder c = new GraphBuilder("attr");
        c.input("X", DType.F32, 2, 2);
        c.node(NodeProto.newBuilder().setOpType("Relu").addInput("X").addOutput("Y")
                .addAttribute(attr("bogus", 1L)).build());
        c.output("Y", DType.F32, 2, 2);
        Path file2 = c.write(dir.resolve("attr.onnx"));
        L2cException e2 = assertThrows(L2cException.class, () -> OnnxExecutor.of(OnnxModel.read(file2)));
        assertTrue(e2.getMessage().contains("#0:Relu") && e2.getMessage().contains("bogus"), e2.getMessage());
    }

    @Test
    void badInputsAreNamed() throws Exception {
        Path file = cnn(1).write(dir.resolve("cnn.onnx"));
        try (OnnxExecutor exec = OnnxExecutor.of(OnnxModel.read(file)); PointerScope scope = new PointerScope()) {
            Tensor good = Tensors.fromFloats(new float[2 * 3 * 12 * 12], 2, 3, 12, 12);
            assertMessage(exec, Map.of("Z", good), "unknown input Z");
            assertMessage(exec, Map.of("X", Tensors.fromLongs(new long[2 * 3 * 144], 2, 3, 12, 12)), "input X must be f32");
            assertMessage(exec, Map.of("X", Tensors.fromFloats(new float[3 * 144], 3, 12, 12)), "input X must have rank 4");
            assertMessage(exec, Map.of("X", Tensors.fromFloats(new float[2 * 4 * 144], 2, 4, 12, 12)),
                    "input X dimension 1 must be 3");
            assertMessage(exec, Map.of(), "input X is needed");
            L2cException e = assertThrows(L2cException.class, () -> exec.run(Map.of("X", good), List.of("nope")));
            assertTrue(e.getMessage().contains("cannot fetch nope"), e.getMessage());
        }
    }

    private static void assertMessage(OnnxExecutor exec, Map<String, Tensor> feeds, String expected) {
        L2cException e = assertThrows(L2cException.class, () -> exec.run(feeds, List.of("Y")));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void fetchesIntermediatesAndObservesNodesInOrder() throws Exception {
        GraphBuilder b = cnn(2);
        Path file = b.write(dir.resolve("cnn.onnx"));
        try (OnnxExecutor exec = OnnxExecutor.of(OnnxModel.read(file)); PointerScope scope = new PointerScope()) {
            assertEquals(b.nodeOutputs(), exec.valueNames());
            assertEquals(21, exec.nodeNames().size());
            assertEquals("Conv_0", exec.nodeNames().get(0));
            String relu = exec.valueNames().get(2);
            List<String> seen = new ArrayList<>();
            Tensor x = Tensors.fromFloats(batch(3, 2, 3 * 144), 2, 3, 12, 12);
            Map<String, Tensor> out = exec.run(Map.of("X", x), List.of(relu), (node, in, o) -> {
                seen.add(node.getName());
                assertEquals(node.getOutputCount(), o.size());
            });
            // Only the three nodes the ReLU output needs run.
            assertEquals(List.of("Conv_0", "BatchNormalization_1", "Relu_2"), seen);
            float[] r = Tensors.toFloats(out.get(relu));
            assertEquals(2 * 8 * 144, r.length);
            for (float v : r) assertTrue(v >= 0);
        }
    }

    @Test
    void replacedInitializersReceiveGradients() throws Exception {
        Path file = cnn(4).write(dir.resolve("cnn.onnx"));
        try (OnnxExecutor exec = OnnxExecutor.of(OnnxModel.read(file)); PointerScope scope = new PointerScope()) {
            assertEquals(List.of("W1", "B1", "bn_scale", "bn_bias", "bn_mean", "bn_var", "W2", "B2", "clip_min", "clip_max",
                    "channel_bias", "Wg", "Bg", "Wm", "Wk"), exec.floatInitializerNames());
            L2cException e = assertThrows(L2cException.class,
                    () -> exec.setInitializer("Wg", Tensors.fromFloats(new float[24], 24)));
            assertTrue(e.getMessage().contains("Wg") && e.getMessage().contains("[10, 24]"), e.getMessage());
            Tensor w = exec.initializer("Wg").clone().set_requires_grad(true);
            exec.setInitializer("Wg", w);
            Tensor x = Tensors.fromFloats(batch(9, 3, 3 * 144), 3, 3, 12, 12);
            Tensor y = exec.run(Map.of("X", x), List.of("Y")).get("Y");
            assertTrue(y.requires_grad());
            y.sum().backward();
            float[] grad = Tensors.toFloats(w.grad());
            assertEquals(240, grad.length);
            double norm = 0;
            for (float g : grad) norm += g * g;
            assertTrue(norm > 0);
            // Gradient of sum(Y) w.r.t. Wg[o, c] is alpha * sum over the batch of F[:, c]: the same for every o.
            for (int c = 0; c < 24; c++) assertEquals(grad[c], grad[24 * 9 + c], 1e-5);

            exec.resetInitializer("Wg");
            Tensor y2 = exec.run(Map.of("X", x), List.of("Y")).get("Y");
            assertTrue(!y2.requires_grad());
            assertArrayEquals(Tensors.toFloats(y), Tensors.toFloats(y2), 1e-6f);
        }
    }

    @Test
    void trainingModeUsesBatchStatisticsAndUpdatesRunningOnes() throws Exception {
        Path file = cnn(5).write(dir.resolve("cnn.onnx"));
        try (OnnxExecutor exec = OnnxExecutor.of(OnnxModel.read(file)); PointerScope scope = new PointerScope()) {
            float[] mean0 = Tensors.toFloats(exec.initializer("bn_mean"));
            String bn = exec.valueNames().get(1);
            Tensor x = Tensors.fromFloats(batch(8, 4, 3 * 144), 4, 3, 12, 12);
            exec.setTraining(true);
            float[] normalized = Tensors.toFloats(exec.run(Map.of("X", x), List.of(bn)).get(bn));
            // With batch statistics each channel of the BN output has mean bn_bias.
            float[] bias = Tensors.toFloats(exec.initializer("bn_bias"));
            for (int c = 0; c < 8; c++) {
                double sum = 0;
                for (int i = 0; i < 4; i++) for (int p = 0; p < 144; p++) sum += normalized[(i * 8 + c) * 144 + p];
                assertEquals(bias[c], sum / (4 * 144), 1e-4);
            }
            float[] mean1 = Tensors.toFloats(exec.initializer("bn_mean"));
            assertNotEquals(mean0[0], mean1[0]);
            exec.setTraining(false);
            exec.resetInitializer("bn_mean");
            assertArrayEquals(mean0, Tensors.toFloats(exec.initializer("bn_mean")));
        }
    }
}
