package dev.l2c.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.model.DType;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.onnx.proto.NodeProto;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchNormFoldingTest {
    @TempDir
    Path dir;

    /**
     * conv_a (bias) -> BN -> Relu -> conv_b (grouped, no bias) -> BN -> Y, plus conv_c -> BN whose
     * conv output is also a graph output, which must stay unfolded.
     */
    private Path model() throws Exception {
        Random rnd = new Random(7);
        GraphBuilder b = new GraphBuilder("bn");
        b.input("X", DType.F32, -1, 3, 10, 10);
        b.initializer("Wa", OrtReference.gaussian(rnd, 8 * 3 * 9, 0.3), 8, 3, 3, 3);
        b.initializer("Ba", OrtReference.gaussian(rnd, 8, 0.1), 8);
        bn(b, rnd, "a", 8);
        b.initializer("Wb", OrtReference.gaussian(rnd, 8 * 4 * 9, 0.3), 8, 4, 3, 3);
        bn(b, rnd, "b", 8);
        b.initializer("Wc", OrtReference.gaussian(rnd, 4 * 3 * 1, 0.3), 4, 3, 1, 1);
        bn(b, rnd, "c", 4);
        b.node("Conv", List.of("X", "Wa", "Ba"), List.of("ca"), GraphBuilder.ints("pads", 1, 1, 1, 1));
        b.node("BatchNormalization", List.of("ca", "a_scale", "a_shift", "a_mean", "a_var"), List.of("na"),
                GraphBuilder.attr("epsilon", 1e-3f));
        b.node("Relu", List.of("na"), List.of("ra"));
        b.node("Conv", List.of("ra", "Wb"), List.of("cb"), GraphBuilder.attr("group", 2L));
        b.node("BatchNormalization", List.of("cb", "b_scale", "b_shift", "b_mean", "b_var"), List.of("Y"));
        b.node("Conv", List.of("X", "Wc"), List.of("cc"));
        b.node("BatchNormalization", List.of("cc", "c_scale", "c_shift", "c_mean", "c_var"), List.of("Z"));
        b.output("Y", DType.F32);
        b.output("Z", DType.F32);
        b.output("cc", DType.F32);
        return b.write(dir.resolve("bn.onnx"));
    }

    private static void bn(GraphBuilder b, Random rnd, String p, int c) {
        b.initializer(p + "_scale", OrtReference.uniform(rnd, c, 0.5, 1.5), c);
        b.initializer(p + "_shift", OrtReference.gaussian(rnd, c, 0.2), c);
        b.initializer(p + "_mean", OrtReference.gaussian(rnd, c, 0.3), c);
        b.initializer(p + "_var", OrtReference.uniform(rnd, c, 0.2, 3.0), c);
    }

    @Test
    void foldedModelComputesTheSameOutputs() throws Exception {
        Path original = model();
        BatchNormFolding.Result r = BatchNormFolding.fold(OnnxModel.read(original));
        assertEquals(2, r.folded(), "the BN behind a conv whose output is also a graph output stays");
        Path folded = GraphBuilder.write(r.model(), dir.resolve("folded.onnx"));

        List<NodeProto> nodes = r.model().getGraph().getNodeList();
        assertEquals(1, nodes.stream().filter(n -> n.getOpType().equals("BatchNormalization")).count());
        assertTrue(r.model().getGraph().getInitializerList().stream().noneMatch(t -> t.getName().startsWith("a_")),
                "folded normalization vectors are dropped");

        float[] x = OrtReference.gaussian(new Random(3), 2 * 3 * 10 * 10, 1.0);
        List<OrtReference.Feed> feeds = List.of(OrtReference.Feed.floats("X", x, 2, 3, 10, 10));
        Map<String, double[]> expected = OrtReference.run(original, feeds);
        Map<String, double[]> actual = OrtReference.run(folded, feeds);
        for (String name : List.of("Y", "Z", "cc")) {
            double rel = OrtReference.relativeMaxDiff(actual.get(name), expected.get(name));
            assertTrue(rel < 1e-5, name + ": relative difference " + rel);
        }
    }

    @Test
    void aModelWithoutBatchNormIsReturnedAsItIs() throws Exception {
        GraphBuilder b = new GraphBuilder("plain");
        b.input("X", DType.F32, 1, 4);
        b.initializer("W", new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
        b.node("MatMul", List.of("X", "W"), List.of("Y"));
        b.output("Y", DType.F32);
        OnnxModel model = OnnxModel.read(b.write(dir.resolve("plain.onnx")));
        BatchNormFolding.Result r = BatchNormFolding.fold(model);
        assertEquals(0, r.folded());
        assertEquals(model.proto(), r.model());
    }
}
