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
import java.nio.FloatBuffer;
import java.nio.file.Path;
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
