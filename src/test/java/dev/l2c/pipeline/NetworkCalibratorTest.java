package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.backend.CpuBackend;
import dev.l2c.calib.CalibTensor;
import dev.l2c.calib.CalibrationSettings;
import dev.l2c.calib.CalibrationSource;
import dev.l2c.calib.NetworkCalibrationSettings;
import dev.l2c.calib.TransformOptimizer;
import dev.l2c.graph.Torch;
import dev.l2c.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NetworkCalibratorTest {
    /**
     * The rate target of KD includes the modelled side information (lane states, tables), so KD's
     * optimizer must count it as the run before it did: without it, KD spent those bytes on
     * symbols (MobileNet at 20x: 38 % over the target), and the closing's rescale cost most of
     * the accuracy.
     */
    @Test
    void kdCountsTheSideInformationOfTheRunBeforeIt() throws Exception {
        Torch.configure(1);
        SourceModel source = SourceModel.open(Path.of("src/test/resources/models/fmnist-resnet.onnx"));
        NetworkCalibrationSettings d = NetworkCalibrationSettings.defaults(CalibrationSource.named("fmnist", null),
                NetworkCalibrationSettings.Kind.KD);
        NetworkCalibrationSettings tiny = new NetworkCalibrationSettings(d.source(), d.objective(), 64, 16, 1, 1, 1,
                d.kdLearningRate(), d.reconLearningRate(), d.features());
        List<CalibTensor> calib = new ArrayList<>();
        for (Tensor t : source.tensors()) {
            if (!t.dtype().isFloat() || t.rank() < 2) continue;
            float[] w = t.toFloatArray();
            FloatBuffer b = ByteBuffer.allocateDirect(4 * w.length).order(ByteOrder.nativeOrder()).asFloatBuffer().put(w).flip();
            calib.add(new CalibTensor(t.name(), t.shape(), b));
        }
        assertTrue(calib.size() > 3, "the ResNet fixture has weight tensors");
        CpuBackend cpu = new CpuBackend(1);
        CalibrationSettings settings = CalibrationSettings.defaults();
        try (NetworkCalibrator network = NetworkCalibrator.open(source, tiny, 0, Progress.NONE)) {
            TransformOptimizer first = new TransformOptimizer(cpu.transforms(), cpu.counter(),
                    network.initialObjective(calib, Map.of()), calib, settings);
            TransformOptimizer.SideInformation side = (l, n, bits, probs) -> 128 * 8;
            first.setSideInformation(side);
            TransformOptimizer.Result r = first.run(2, settings.learningRate(), 3.0, null);
            NetworkCalibrator.Refined refined = network.refine(first, r, cpu.transforms(), cpu.counter(), settings, 3.0);
            assertTrue(refined.optimizer() != first, "KD optimizes with its own objective");
            assertSame(side, refined.optimizer().sideInformation());
        }
    }
}
