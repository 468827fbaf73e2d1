package dev.l2c.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.backend.CpuBackend;
import dev.l2c.counter.CounterKernel;
import dev.l2c.data.FashionMnist;
import dev.l2c.graph.OnnxExecutor;
import dev.l2c.graph.Torch;
import dev.l2c.model.OnnxModel;
import dev.l2c.testing.TinyCnn;
import dev.l2c.transform.TransformKind;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KD pieces on a small residual CNN and real Fashion-MNIST training images. */
class KdCalibrationTest {
    @TempDir
    static Path dir;

    private static OnnxModel model;
    private static OnnxExecutor executor;
    private static CalibrationData data;
    private static Distillation distillation;
    private static final CalibrationClock CLOCK = new CalibrationClock();

    @BeforeAll
    static void setUp() throws Exception {
        // One thread: deterministic, and immune to OpenMP spin-waiting on a shared machine.
        Torch.configure(1);
        model = OnnxModel.read(TinyCnn.write(dir.resolve("tiny.onnx"), 3));
        executor = OnnxExecutor.of(model);
        data = ImageCalibrationData.bind("fmnist", model.proto().getGraph(), FashionMnist.train(FashionMnist.DEFAULT_DIR).sample(48, 5));
        CLOCK.start();
        distillation = Distillation.prepare(executor, data, 3, 20, CLOCK, null);
    }

    @AfterAll
    static void tearDown() {
        distillation.close();
        executor.close();
    }

    @Test
    void featuresAreEvenlySpacedBranchPointsOfTheResidualStream() {
        // Branch points (Relu/Add outputs feeding two nodes): the stem's Relu and the first block's
        // output; fewer than 3, so all 7 Relu/Add outputs are the pool and 3 of them are taken,
        // ending at the deepest.
        List<String> f = distillation.features();
        assertEquals(3, f.size(), f.toString());
        List<String> values = executor.valueNames();
        assertTrue(values.indexOf(f.get(0)) < values.indexOf(f.get(1)) && values.indexOf(f.get(1)) < values.indexOf(f.get(2)));
        assertEquals(List.of("logits"), distillation.outputs());
        assertTrue(distillation.classifier());
        assertEquals(List.of("a", "c"), Distillation.chooseFeatures(List.of(
                node("Relu", "x", "a"), node("Conv", "a", "b"), node("Add", "b", "a", "c"), node("Conv", "c", "d"),
                node("Add", "d", "c", "e"), node("Relu", "e", "f"), node("Conv", "f", "g")), List.of("g"), 2),
                "branch points a and c (e feeds one node)");
    }

    @Test
    void studentWithTheOriginalWeightsHasNoError() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            Distillation.Loss loss = distillation.student(new int[] {3, 1, 40, 7}, new Distillation.Weights(1, 1, 0));
            // Zero up to rounding: the teacher ran in batches of another size.
            assertEquals(0, loss.output(), 1e-12);
            assertEquals(0, loss.features(), 1e-12);
            assertEquals(0, loss.total().item_double(), 1e-12);
        }
    }

    @Test
    void kdGradientMatchesCentralDifferencesAndSharesAddUpToD() throws Exception {
        List<CalibTensor> tensors = calibrated();
        FloatBuffer[] wHat = new FloatBuffer[tensors.size()];
        FloatBuffer[] grad = new FloatBuffer[tensors.size()];
        java.util.Random rnd = new java.util.Random(2);
        for (int l = 0; l < tensors.size(); l++) {
            float[] w = toArray(tensors.get(l).weights());
            for (int i = 0; i < w.length; i++) w[i] += (float) (rnd.nextGaussian() * 0.02);
            wHat[l] = DataFreeObjectiveTest.floats(w);
            grad[l] = DataFreeObjectiveTest.floats(new float[w.length]);
        }
        // The same batch at every call: a sampler over exactly one batch of the whole set.
        KdObjective kd = new KdObjective(executor, distillation, new BatchSampler(data.size(), data.size(), 1),
                new Distillation.Weights(1, 1, 0), tensors, CLOCK);
        try {
            double d = kd.evaluate(wHat, grad);
            assertTrue(d > 0);
            double shares = 0;
            for (int l = 0; l < tensors.size(); l++) shares += kd.lastTerm(l);
            // Small perturbations: D is nearly quadratic, so the gradient shares sum to about D.
            assertEquals(d, shares, 0.15 * d);
            int l = 1;
            for (int i : new int[] {0, 17, 300, 1000}) {
                float saved = wHat[l].get(i);
                float h = 0.01f;
                wHat[l].put(i, saved + h);
                double plus = kd.evaluate(wHat, null);
                wHat[l].put(i, saved - h);
                double minus = kd.evaluate(wHat, null);
                wHat[l].put(i, saved);
                double numeric = (plus - minus) / ((double) (saved + h) - (double) (saved - h));
                assertEquals(numeric, grad[l].get(i), 0.05 * Math.abs(numeric) + 1e-6, "element " + i);
            }
        } finally {
            StudentWeights.reset(executor, tensors.toArray(new CalibTensor[0]));
        }
    }

    @Test
    void reconstructionLowersTheStudentLossAtFixedTransform() throws Exception {
        List<CalibTensor> tensors = calibrated();
        CpuBackend cpu = new CpuBackend(1);
        CalibrationSettings s = new CalibrationSettings(TransformKind.EDGE_SCALE, false, CounterKernel.COS, 64, 30, 0.1, Double.NaN, 0);
        List<FloatBuffer> originals = new ArrayList<>();
        for (CalibTensor t : tensors) originals.add(DataFreeObjectiveTest.floats(toArray(t.weights())));
        TransformOptimizer optimizer = new TransformOptimizer(cpu.transforms(), cpu.counter(), new DataFreeObjective(originals),
                tensors, s);
        optimizer.run(30, 0.1, 2.5, null);
        float[][] params = new float[tensors.size()][];
        for (int l = 0; l < tensors.size(); l++) params[l] = optimizer.params(l);
        Distillation.Weights weights = new Distillation.Weights(1, 1, 0);
        try {
            double before = fullLoss(optimizer, cpu, weights);
            Reconstruction r = new Reconstruction(cpu.transforms(), executor, distillation, new BatchSampler(data.size(), 16, 4),
                    weights, CLOCK);
            long t0 = System.nanoTime();
            r.run(optimizer, 20, 0.02, null);
            System.out.printf("reconstruction: 20 steps in %.2f s%n", (System.nanoTime() - t0) / 1e9);
            double after = fullLoss(optimizer, cpu, weights);
            assertTrue(after < 0.8 * before, before + " -> " + after);
            for (int l = 0; l < tensors.size(); l++) assertArrayEquals(params[l], optimizer.params(l), "the transform stays fixed");
        } finally {
            StudentWeights.reset(executor, tensors.toArray(new CalibTensor[0]));
        }
    }

    /**
     * The guard's signal: the original weights follow the teacher exactly on the held-back
     * samples; coarse transforms lower the agreement and raise the error; restoring a snapshot
     * brings back the state (and its signal) exactly, weights included.
     */
    @Test
    void heldBackSignalAndSnapshotRestore() throws Exception {
        List<CalibTensor> tensors = calibrated();
        CpuBackend cpu = new CpuBackend(1);
        CalibrationSettings s = new CalibrationSettings(TransformKind.EDGE_SCALE, false, CounterKernel.COS, 64, 30, 0.1, Double.NaN, 0);
        TransformOptimizer optimizer = new TransformOptimizer(cpu.transforms(), cpu.counter(),
                DataFreeObjective.of(tensors, java.util.Map.of()), tensors, s);
        HeldBackSplit split = HeldBackSplit.of(data.size(), 9);
        HeldBackGuard guard = new HeldBackGuard(cpu.transforms(), executor, distillation, split.heldBack(), 5);
        assertEquals(12, guard.samples());
        for (int l = 0; l < tensors.size(); l++) {
            // A step far below the weights' resolution: What = W up to rounding.
            float[] p = optimizer.params(l);
            java.util.Arrays.fill(p, 1e-9f);
            optimizer.setParams(l, p);
        }
        Distillation.Signal exact = guard.measure(optimizer);
        assertEquals(0, exact.outputError(), 1e-6);
        assertEquals(1.0, exact.agreement());
        HeldBackGuard.State state = HeldBackGuard.snapshot(optimizer);
        optimizer.run(30, 0.1, 0.3, null);
        // And weights that have nothing left of the trained ones: every sign flipped.
        for (CalibTensor t : tensors) for (int i = 0; i < t.weights().limit(); i++) t.weights().put(i, -t.weights().get(i));
        Distillation.Signal coarse = guard.measure(optimizer);
        assertTrue(coarse.worseThan(exact), coarse + " vs " + exact);
        assertFalse(exact.worseThan(coarse));
        HeldBackGuard.restore(optimizer, state);
        Distillation.Signal back = guard.measure(optimizer);
        assertEquals(exact.outputError(), back.outputError(), 1e-9);
        assertEquals(exact.agreement(), back.agreement());
    }

    /** The student's loss over the whole calibration set with the optimizer's present weights and parameters. */
    private static double fullLoss(TransformOptimizer optimizer, CpuBackend cpu, Distillation.Weights weights) throws Exception {
        CalibTensor[] tensors = new CalibTensor[optimizer.tensorCount()];
        FloatBuffer[] wHat = new FloatBuffer[tensors.length];
        for (int l = 0; l < tensors.length; l++) {
            tensors[l] = optimizer.tensor(l);
            wHat[l] = DataFreeObjectiveTest.floats(new float[(int) tensors[l].elements()]);
            float[] p = optimizer.params(l);
            cpu.transforms().forward(optimizer.kind(l), tensors[l].weights(), tensors[l].elements(), optimizer.channels(l),
                    DataFreeObjectiveTest.floats(p), null, null, wHat[l]);
        }
        try (PointerScope scope = new PointerScope()) {
            StudentWeights.install(executor, tensors, wHat);
            int[] all = BatchSampler.range(0, data.size(), data.size());
            return distillation.student(all, weights).total().item_double();
        }
    }

    /** The CNN's weights with at least 1024 elements, as ratio mode would calibrate them. */
    private static List<CalibTensor> calibrated() throws Exception {
        List<CalibTensor> out = new ArrayList<>();
        for (dev.l2c.model.Tensor t : model.floatInitializers()) {
            if (t.numel() < 1024) continue;
            out.add(new CalibTensor(t.name(), t.shape(), DataFreeObjectiveTest.floats(t.toFloatArray())));
        }
        return out;
    }

    private static float[] toArray(FloatBuffer b) {
        float[] out = new float[b.limit()];
        b.get(0, out);
        return out;
    }

    private static dev.l2c.model.onnx.proto.NodeProto node(String op, String... io) {
        var b = dev.l2c.model.onnx.proto.NodeProto.newBuilder().setOpType(op);
        for (int i = 0; i < io.length - 1; i++) b.addInput(io[i]);
        return b.addOutput(io[io.length - 1]).build();
    }
}
