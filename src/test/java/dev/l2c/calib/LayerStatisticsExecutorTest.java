package dev.l2c.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.graph.OnnxExecutor;
import dev.l2c.graph.Tensors;
import dev.l2c.graph.Torch;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.Tensor;
import dev.l2c.model.onnx.proto.NodeProto;
import dev.l2c.testing.TinyCnn;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The statistics gathered while the executor runs a network equal what the layers really do: for
 * every calibrated weight of a small CNN, the layer-wise D of a perturbed weight equals the
 * relative change of that node's output, measured by running the network twice (biases zeroed).
 */
class LayerStatisticsExecutorTest {
    @TempDir
    Path dir;

    @Test
    void layerwiseTermsEqualTheMeasuredOutputChangeOfEachLayer() throws Exception {
        Torch.configure(1);
        OnnxModel model = OnnxModel.read(TinyCnn.write(dir.resolve("tiny.onnx"), 4));
        Random rnd = new Random(9);
        float[] images = new float[6 * 28 * 28];
        for (int i = 0; i < images.length; i++) images[i] = (float) rnd.nextGaussian();
        List<CalibTensor> calib = new ArrayList<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Tensor t : model.floatInitializers()) {
            if (!t.name().endsWith("_w")) continue;
            calib.add(new CalibTensor(t.name(), t.shape(), DataFreeObjectiveTest.floats(t.toFloatArray())));
            shapes.put(t.name(), t.shape());
        }
        try (OnnxExecutor ex = OnnxExecutor.of(model);
                LayerStatistics stats = new LayerStatistics(model.proto().getGraph(), shapes);
                PointerScope scope = new PointerScope()) {
            // Biases zeroed, so each node's output is linear in its weight.
            for (String b : ex.floatInitializerNames()) {
                if (b.endsWith("_b")) ex.setInitializer(b, ex.initializer(b).mul(new org.bytedeco.pytorch.Scalar(0.0)));
            }
            var feed = Map.of("image", Tensors.fromFloats(images, 6, 1, 28, 28));
            ex.run(feed, ex.outputNames(), stats::node);
            assertEquals(shapes.keySet(), stats.grams().keySet(), "every weight is a Conv or Gemm input: " + stats.fallbacks());
            FloatBuffer[] wHat = new FloatBuffer[calib.size()];
            for (int l = 0; l < calib.size(); l++) {
                float[] w = new float[(int) calib.get(l).elements()];
                calib.get(l).weights().get(0, w);
                for (int i = 0; i < w.length; i++) w[i] += (float) (rnd.nextGaussian() * 0.05);
                wHat[l] = DataFreeObjectiveTest.floats(w);
            }
            try (LayerwiseObjective objective = new LayerwiseObjective(calib, stats.grams())) {
                objective.evaluate(wHat, null);
                for (int l = 0; l < calib.size(); l++) {
                    String name = calib.get(l).name();
                    String out = consumerOutput(model, name);
                    float[] before = Tensors.toFloats(ex.run(feed, List.of(out)).get(out));
                    ex.setInitializer(name, Tensors.fromFloats(wHat[l].duplicate(), calib.get(l).shape()));
                    float[] after = Tensors.toFloats(ex.run(feed, List.of(out)).get(out));
                    ex.resetInitializer(name);
                    double num = 0;
                    double den = 0;
                    for (int i = 0; i < before.length; i++) {
                        num += Math.pow((double) after[i] - before[i], 2);
                        den += (double) before[i] * before[i];
                    }
                    assertTrue(num > 0, name);
                    assertEquals(num / den, objective.lastTerm(l), 1e-4 * num / den, name);
                }
            }
        }
    }

    private static String consumerOutput(OnnxModel model, String weight) {
        for (NodeProto n : model.proto().getGraph().getNodeList()) {
            if (n.getInputList().contains(weight)) return n.getOutput(0);
        }
        throw new IllegalStateException(weight);
    }
}
