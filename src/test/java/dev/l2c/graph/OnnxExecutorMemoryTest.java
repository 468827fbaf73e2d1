package dev.l2c.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.model.OnnxModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training-style loop (forward, backward, weight update) must not grow native memory: the
 * executor frees every intermediate it makes, and what it returns goes with the caller's scope.
 */
class OnnxExecutorMemoryTest {
    private static final int RUNS = 200;

    @TempDir
    Path dir;

    @Test
    void twoHundredTrainingStepsDoNotGrowMemory() throws Exception {
        Path file = OnnxExecutorCnnTest.cnn(3).write(dir.resolve("cnn.onnx"));
        try (OnnxExecutor exec = OnnxExecutor.of(OnnxModel.read(file))) {
            exec.setTraining(true);
            Tensor x = Tensors.fromFloats(OnnxExecutorCnnTest.batch(1, 8, 3 * 144), 8, 3, 12, 12);
            Tensor w = exec.initializer("W2").clone().set_requires_grad(true);
            exec.setInitializer("W2", w);
            step(exec, x, w); // warm-up: libtorch's allocator and thread pools settle
            step(exec, x, w);
            long handles = Pointer.totalCount();
            long rss = Pointer.physicalBytes();
            for (int i = 0; i < RUNS; i++) step(exec, x, w);
            long grown = Pointer.physicalBytes() - rss;
            // Every handle made during the loop was freed with its scope.
            assertEquals(handles, Pointer.totalCount(), "live JavaCPP pointers after " + RUNS + " steps");
            // A leaked set of activations would be ~0.5 MB per step, 100 MB over the loop.
            assertTrue(grown < 20L << 20, "resident memory grew by " + (grown >> 20) + " MiB over " + RUNS + " steps");
            x.close();
            w.close();
        }
    }

    @Test
    void explicitlyClosedResultsOutsideAnyScopeDoNotLeak() throws Exception {
        Path file = OnnxExecutorCnnTest.cnn(4).write(dir.resolve("cnn.onnx"));
        try (OnnxExecutor exec = OnnxExecutor.of(OnnxModel.read(file))) {
            Tensor x = Tensors.fromFloats(OnnxExecutorCnnTest.batch(2, 4, 3 * 144), 4, 3, 12, 12);
            exec.run(Map.of("X", x), List.of("Y")).get("Y").close();
            long handles = Pointer.totalCount();
            for (int i = 0; i < RUNS; i++) {
                Map<String, Tensor> out = exec.run(Map.of("X", x), List.of("Y"));
                out.values().forEach(Tensor::close);
            }
            assertEquals(handles, Pointer.totalCount(), "live JavaCPP pointers after " + RUNS + " runs");
            x.close();
        }
    }

    /** One SGD step on W2 inside a scope, as a calibration loop would write it. */
    private static void step(OnnxExecutor exec, Tensor x, Tensor w) throws Exception {
        try (PointerScope scope = new PointerScope()) {
            Tensor y = exec.run(Map.of("X", x), List.of("Y")).get("Y");
            y.mul(y).mean().backward();
            try (org.bytedeco.pytorch.NoGradGuard guard = new org.bytedeco.pytorch.NoGradGuard()) {
                w.sub_(w.grad().mul(new org.bytedeco.pytorch.Scalar(1e-3)));
            }
            w.grad().zero_();
        }
    }
}
