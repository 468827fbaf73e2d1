package dev.l2c.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.l2c.graph.GraphBuilder;
import dev.l2c.graph.OnnxExecutor;
import dev.l2c.graph.Tensors;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.ModelProto;
import dev.l2c.model.onnx.proto.TensorProto;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Checks every zoo network passes: the executor against ONNX Runtime, and gradients in training mode. */
final class ZooChecks {
    private static final int IMAGES = 4;

    private ZooChecks() {}

    /** The logits of the executor and of ONNX Runtime for random images agree to 1e-4 of their largest. */
    static void executorAgreesWithOnnxRuntime(ModelProto model, Path file) throws Exception {
        GraphBuilder.write(model, file);
        float[] images = images();
        float[] ort;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions());
                OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(images), new long[] {IMAGES, 1, 28, 28});
                OrtSession.Result out = s.run(Map.of(ZooGraph.INPUT, x))) {
            FloatBuffer b = ((OnnxTensor) out.get(0)).getFloatBuffer();
            ort = new float[b.remaining()];
            b.get(ort);
        }
        float[] ours;
        try (OnnxExecutor e = OnnxExecutor.of(OnnxModel.read(file)); PointerScope scope = new PointerScope()) {
            Tensor y = e.run(Map.of(ZooGraph.INPUT, Tensors.fromFloats(images, IMAGES, 1, 28, 28)), List.of(ZooGraph.OUTPUT))
                    .get(ZooGraph.OUTPUT);
            assertArrayEquals(new long[] {IMAGES, ZooGraph.CLASSES}, Tensors.shape(y));
            ours = Tensors.toFloats(y);
        }
        float max = 0;
        for (float v : ort) max = Math.max(max, Math.abs(v));
        assertTrue(max > 0);
        for (int i = 0; i < ort.length; i++) assertEquals(ort[i], ours[i], 1e-4 * max, "logit " + i);
    }

    /**
     * In training mode (BN on batch statistics) the cross-entropy's backward pass reaches every
     * float initializer but the BN running statistics with a finite gradient that is not all zero.
     */
    static void everyParameterGetsAGradient(ModelProto model, Path file) throws Exception {
        GraphBuilder.write(model, file);
        try (OnnxExecutor e = OnnxExecutor.of(OnnxModel.read(file)); PointerScope scope = new PointerScope()) {
            Set<String> running = e.runningStatisticNames();
            Map<String, Tensor> leaves = new LinkedHashMap<>();
            for (String name : e.floatInitializerNames()) {
                if (running.contains(name)) continue;
                Tensor value = e.initializer(name);
                Tensor leaf = Tensors.fromFloats(Tensors.toFloats(value), Tensors.shape(value)).set_requires_grad(true);
                e.setInitializer(name, leaf);
                leaves.put(name, leaf);
            }
            assertTrue(leaves.size() > 10, leaves.keySet().toString());
            e.setTraining(true);
            Tensor logits = e.run(Map.of(ZooGraph.INPUT, Tensors.fromFloats(images(), IMAGES, 1, 28, 28)), List.of(ZooGraph.OUTPUT))
                    .get(ZooGraph.OUTPUT);
            torch.cross_entropy(logits, Tensors.fromLongs(new long[] {0, 3, 7, 9}, IMAGES)).backward();
            for (Map.Entry<String, Tensor> leaf : leaves.entrySet()) {
                float[] g = Tensors.toFloats(leaf.getValue().grad());
                double sum = 0;
                for (float v : g) {
                    assertTrue(Float.isFinite(v), leaf.getKey());
                    sum += Math.abs(v);
                }
                assertTrue(sum > 0, leaf.getKey() + " gets no gradient");
            }
        }
    }

    /**
     * {@code fixture} is {@code untrained} in the form zoo train writes (BatchNormalization folded):
     * the same nodes, every initializer of the same name and shape, every float one trained.
     */
    static void isTheTrainedForm(ModelProto untrained, Path fixture, Path dir) throws Exception {
        Path file = GraphBuilder.write(untrained, dir.resolve("fresh.onnx"));
        ModelProto fresh = dev.l2c.graph.BatchNormFolding.fold(OnnxModel.read(file)).model();
        ModelProto trained = OnnxModel.read(fixture).proto();
        assertEquals(fresh.getGraph().getNodeList(), trained.getGraph().getNodeList());
        assertEquals(fresh.getGraph().getInitializerCount(), trained.getGraph().getInitializerCount());
        for (int i = 0; i < fresh.getGraph().getInitializerCount(); i++) {
            TensorProto a = fresh.getGraph().getInitializer(i);
            TensorProto b = trained.getGraph().getInitializer(i);
            assertEquals(a.getName(), b.getName());
            assertEquals(a.getDimsList(), b.getDimsList(), a.getName());
            if (a.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
                org.junit.jupiter.api.Assertions.assertNotEquals(a.getRawData(), b.getRawData(), a.getName() + " is untrained");
            }
        }
    }

    /**
     * The model with every float initializer moved off its initial value (BN variances kept
     * positive): zero-initialized scales would otherwise hide whole branches from a check.
     */
    static ModelProto perturbed(ModelProto model, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        GraphProto.Builder g = model.getGraph().toBuilder();
        List<TensorProto> tensors = new ArrayList<>();
        for (TensorProto t : g.getInitializerList()) {
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                tensors.add(t);
                continue;
            }
            FloatBuffer b = t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] v = new float[b.remaining()];
            b.get(v);
            for (int i = 0; i < v.length; i++) {
                v[i] = t.getName().endsWith(".var") ? (float) (0.5 + r.nextDouble()) : v[i] + (float) (0.1 * r.nextGaussian());
            }
            tensors.add(GraphBuilder.floatTensor(t.getName(), v, t.getDimsList().stream().mapToLong(Long::longValue).toArray()));
        }
        g.clearInitializer().addAllInitializer(tensors);
        return model.toBuilder().setGraph(g).build();
    }

    private static float[] images() {
        float[] images = new float[IMAGES * 784];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < images.length; i++) images[i] = (float) r.nextGaussian();
        return images;
    }
}
