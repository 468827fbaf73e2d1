package dev.l2c.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.backend.CpuBackend;
import dev.l2c.counter.CounterKernel;
import dev.l2c.transform.TransformKind;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The optimizer over the plain-Java kernels: it reaches its rate target, trades error for rate, and is deterministic. */
class TransformOptimizerTest {
    private static List<CalibTensor> tensors(long seed) {
        Random rnd = new Random(seed);
        List<CalibTensor> out = new ArrayList<>();
        int[][] shapes = {{64, 128}, {32, 256}, {4096}};
        for (int t = 0; t < shapes.length; t++) {
            int n = 1;
            for (int d : shapes[t]) n *= d;
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                // Laplacian-like weights of different scales per tensor.
                double u = rnd.nextDouble() - 0.5;
                w[i] = (float) (-Math.signum(u) * Math.log(1 - 2 * Math.abs(u)) * 0.02 * (t + 1));
            }
            long[] shape = new long[shapes[t].length];
            for (int d = 0; d < shape.length; d++) shape[d] = shapes[t][d];
            out.add(new CalibTensor("t" + t, shape, DataFreeObjectiveTest.floats(w)));
        }
        return out;
    }

    private static TransformOptimizer optimizer(List<CalibTensor> ts, boolean perChannel) {
        return optimizer(ts, perChannel, TransformKind.EDGE_SCALE);
    }

    private static TransformOptimizer optimizer(List<CalibTensor> ts, boolean perChannel, TransformKind kind) {
        CalibrationSettings s = new CalibrationSettings(kind, perChannel, CounterKernel.COS, 64, 40, 0.1, Double.NaN, 1);
        CpuBackend k = new CpuBackend();
        return new TransformOptimizer(k.transforms(), k.counter(), new DataFreeObjective(ts.stream().map(CalibTensor::weights).toList()), ts, s);
    }

    @Test
    void reachesTheRateTargetAndLowerTargetsCostError() throws Exception {
        List<CalibTensor> ts = tensors(3);
        TransformOptimizer hi = optimizer(ts, false);
        TransformOptimizer.Result atFour = hi.run(60, 0.1, 4.0, null);
        TransformOptimizer lo = optimizer(ts, false);
        TransformOptimizer.Result atTwo = lo.run(60, 0.1, 2.0, null);
        // From ~6 bits the rate falls to the target; Adam's momentum carries it a little below,
        // where the weak side of the schedule lets the distortion pull it back (the ratio control
        // closes the rest on the real file).
        assertTrue(atFour.rateBitsPerWeight() < 4.15 && atFour.rateBitsPerWeight() > 3.4, atFour.toString());
        assertTrue(atTwo.rateBitsPerWeight() < 2.15 && atTwo.rateBitsPerWeight() > 1.4, atTwo.toString());
        assertTrue(atTwo.distortion() > 2 * atFour.distortion(), atTwo + " vs " + atFour);
        // Initial parameters are (max - min) / 256: about 8 bits; the optimizer moved them up.
        float[] p = lo.params(0);
        assertEquals(2, p.length);
        assertTrue(p[0] > 0 && p[1] > 0);
    }

    @Test
    void sameInputSameParameters() throws Exception {
        TransformOptimizer a = optimizer(tensors(5), true);
        TransformOptimizer b = optimizer(tensors(5), true);
        a.run(15, 0.1, 3.0, null);
        b.run(15, 0.1, 3.0, null);
        for (int l = 0; l < a.tensorCount(); l++) assertArrayEquals(a.params(l), b.params(l));
        assertEquals(2 * 64, a.params(0).length, "per-channel: e and s for each of 64 rows");
    }

    /** PIECEWISE learns all four parameters per channel, keeps b >= e, and reaches the rate like edge-scale. */
    @Test
    void piecewiseLearnsItsFourParameters() throws Exception {
        List<CalibTensor> ts = tensors(3);
        TransformOptimizer pw = optimizer(ts, true, TransformKind.PIECEWISE);
        float[] start = pw.params(0);
        TransformOptimizer.Result r = pw.run(60, 0.1, 3.0, null);
        assertTrue(r.rateBitsPerWeight() < 3.15 && r.rateBitsPerWeight() > 2.4, r.toString());
        for (int l = 0; l < pw.tensorCount(); l++) {
            float[] p = pw.params(l);
            int ch = p.length / 4;
            for (int c = 0; c < ch; c++) {
                assertTrue(p[2 * ch + c] >= p[c], "tensor " + l + " channel " + c + ": knee below the edge");
                assertTrue(p[3 * ch + c] != p[ch + c], "tensor " + l + " channel " + c + ": s2 never left s1");
            }
        }
        float[] end = pw.params(0);
        int ch = end.length / 4;
        for (int k = 0; k < 4; k++) assertTrue(end[k * ch] != start[k * ch], "parameter " + k + " did not move");
        TransformOptimizer es = optimizer(ts, true, TransformKind.EDGE_SCALE);
        TransformOptimizer.Result e = es.run(60, 0.1, 3.0, null);
        // Two more degrees of freedom per channel should not make the trade-off worse by much.
        assertTrue(r.distortion() < 1.5 * e.distortion(), "piecewise " + r + " vs edge-scale " + e);
    }
}
