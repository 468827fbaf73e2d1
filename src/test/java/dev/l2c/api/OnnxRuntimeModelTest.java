package dev.l2c.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.l2c.L2cException;
import dev.l2c.graph.GraphBuilder;
import dev.l2c.model.DType;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A .l2c's weights handed to ONNX Runtime from memory, with the original graph or the one stored in
 * the file, give the model that the serialized graph gives.
 */
class OnnxRuntimeModelTest {
    private static final Path RESNET = Path.of("src/test/resources/models/fmnist-resnet.onnx");
    private static final Path VGG = Path.of("src/test/resources/models/fmnist-vgg.onnx");

    @TempDir
    Path dir;

    @Test
    void runsLikeTheModelSerializedWithTheSameWeights() throws Exception {
        Path l2c = dir.resolve("r.l2c");
        Compression.bits(4).compress(RESNET, l2c);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (L2cFile file = L2cFile.open(l2c);
                OnnxRuntimeModel model = OnnxRuntimeModel.open(file, RESNET, env, o -> o.setIntraOpNumThreads(1))) {
            assertSameOutputs(env, model.session(), file.onnxModel(RESNET));
        }
    }

    @Test
    void aGraphWithoutConvolutionsRunsOnTheDecodedWeightsInPlace() throws Exception {
        Path mlp = mlp(dir.resolve("mlp.onnx"));
        Path l2c = dir.resolve("m.l2c");
        Compression.bits(4).compress(mlp, l2c);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (L2cFile file = L2cFile.open(l2c);
                OnnxRuntimeModel model = OnnxRuntimeModel.open(file, env, o -> o.setIntraOpNumThreads(1))) {
            assertTrue(model.weightsInPlace());
            assertSameOutputs(env, model.session(), file.onnxModel(mlp));
        }
        // ONNX Runtime 1.22 reads the ResNet's convolution weights from the graph: they are handed over as copies.
        Path resnet = dir.resolve("r.l2c");
        Compression.bits(4).compress(RESNET, resnet);
        try (L2cFile file = L2cFile.open(resnet); OnnxRuntimeModel model = OnnxRuntimeModel.open(file, env, null)) {
            assertFalse(model.weightsInPlace());
        }
    }

    @Test
    void theGraphStoredInTheFileNeedsNoOriginal() throws Exception {
        Path l2c = dir.resolve("r.l2c");
        Compression.bits(4).compress(RESNET, l2c);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (L2cFile file = L2cFile.open(l2c);
                OnnxRuntimeModel model = OnnxRuntimeModel.open(file, env, o -> o.setIntraOpNumThreads(1))) {
            assertTrue(file.hasOnnxGraph());
            assertArrayEquals(file.onnxModel(RESNET), file.onnxModel());
            assertSameOutputs(env, model.session(), file.onnxModel(RESNET));
        }
        Path bare = dir.resolve("bare.l2c");
        Compression.bits(4).storeGraph(false).compress(RESNET, bare);
        try (L2cFile file = L2cFile.open(bare)) {
            assertFalse(file.hasOnnxGraph());
            L2cException e = assertThrows(L2cException.class, () -> OnnxRuntimeModel.open(file, env, null).close());
            assertTrue(e.getMessage().contains(bare.toString()) && e.getMessage().contains("no ONNX graph"), e.getMessage());
        }
    }

    @Test
    void closeFreesTheDecodedWeightsAtOnce() throws Exception {
        Path l2c = dir.resolve("r.l2c");
        Compression.bits(4).compress(RESNET, l2c);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (L2cFile file = L2cFile.open(l2c)) {
            long before = Pointer.totalBytes();
            long f32 = file.tensors().stream().filter(t -> t.type() == ElementType.F32).mapToLong(t -> 4 * t.elements()).sum();
            OnnxRuntimeModel model = OnnxRuntimeModel.open(file, env, null);
            // The weights live in native memory that the model owns, not in buffers a garbage collection frees.
            assertTrue(Pointer.totalBytes() - before >= f32, (Pointer.totalBytes() - before) + " bytes held for " + f32);
            model.close();
            assertEquals(before, Pointer.totalBytes());
        }
    }

    /** {@code session} gives exactly the outputs of a session of {@code model} on random inputs. */
    /** A two-layer perceptron on [N, 1, 4, 8] inputs, 10 outputs: matrix products, no convolution. */
    private static Path mlp(Path path) throws L2cException {
        Random rnd = new Random(5);
        GraphBuilder b = new GraphBuilder("mlp");
        b.input("x", DType.F32, -1, 1, 4, 8);
        b.initializer("fc1.weight", gaussian(rnd, 8 * 16), 8, 16);
        b.initializer("fc1.bias", gaussian(rnd, 16), 16);
        b.initializer("fc2.weight", gaussian(rnd, 64 * 10), 64, 10);
        String h = b.node("Relu", List.of(b.node("Add", List.of(b.node("MatMul", List.of("x", "fc1.weight")), "fc1.bias"))));
        b.node("MatMul", List.of(b.node("Flatten", List.of(h), GraphBuilder.attr("axis", 1L)), "fc2.weight"), List.of("y"));
        b.output("y", DType.F32, -1, 10);
        return b.write(path);
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (0.3 * rnd.nextGaussian());
        return v;
    }

    private static void assertSameOutputs(OrtEnvironment env, OrtSession session, byte[] model) throws Exception {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession reference = env.createSession(model, options)) {
                Map.Entry<String, NodeInfo> input = session.getInputInfo().entrySet().iterator().next();
                long[] shape = ((TensorInfo) input.getValue().getInfo()).getShape().clone();
                if (shape[0] < 0) shape[0] = 3;
                float[] x = new float[(int) (shape[0] * shape[1] * shape[2] * shape[3])];
                Random rnd = new Random(3);
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                        OrtSession.Result a = session.run(Map.of(input.getKey(), in));
                        OrtSession.Result b = reference.run(Map.of(input.getKey(), in))) {
                    float[][] fromMemory = (float[][]) a.get(0).getValue();
                    float[][] serialized = (float[][]) b.get(0).getValue();
                    for (int i = 0; i < fromMemory.length; i++) assertArrayEquals(serialized[i], fromMemory[i]);
                }
            }
        }
    }

    @Test
    void aGraphThatDoesNotFitIsRefusedByTensorName() throws Exception {
        Path l2c = dir.resolve("v.l2c");
        Compression.bits(8).compress(VGG, l2c);
        try (L2cFile file = L2cFile.open(l2c)) {
            L2cException e = assertThrows(L2cException.class,
                    () -> OnnxRuntimeModel.open(file, RESNET, OrtEnvironment.getEnvironment(), null).close());
            assertTrue(e.getMessage().contains(l2c.toString()) && e.getMessage().contains("tensor "), e.getMessage());
        }
    }
}
