package dev.l2c.calib;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.backend.CpuBackend;
import dev.l2c.counter.CounterKernel;
import dev.l2c.transform.TransformKind;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The data-free allocation keeps every tensor alive: on two tensors where one is cheap to code
 * (sparse, heavy-tailed) and the other expensive (dense, flat), a low rate target made the old sum
 * of relative errors prune the expensive one to nothing (its error 1 cost less than its bits); the
 * noise-to-signal distortion, which grows without bound as a tensor is destroyed, spreads the error.
 */
class DataFreeAllocationTest {
    /** The old distortion: sum of relative errors, at most 1 per tensor. */
    private static final class SumOfRelativeErrors implements Objective {
        private final FloatBuffer[] w;
        private final double[] terms;

        SumOfRelativeErrors(List<CalibTensor> ts) {
            w = ts.stream().map(CalibTensor::weights).toArray(FloatBuffer[]::new);
            terms = new double[w.length];
        }

        @Override
        public String name() {
            return "sum of relative errors";
        }

        @Override
        public double evaluate(FloatBuffer[] wHat, FloatBuffer[] grad) {
            double total = 0;
            for (int l = 0; l < w.length; l++) {
                double sq = 0;
                double norm = 0;
                for (int i = 0; i < w[l].limit(); i++) norm += (double) w[l].get(i) * w[l].get(i);
                for (int i = 0; i < w[l].limit(); i++) {
                    double d = (double) wHat[l].get(i) - w[l].get(i);
                    sq += d * d;
                    if (grad != null) grad[l].put(i, (float) (2 * d / norm));
                }
                terms[l] = sq / norm;
                total += terms[l];
            }
            return total;
        }

        @Override
        public double lastTerm(int l) {
            return terms[l];
        }
    }

    static List<CalibTensor> cheapAndExpensive() {
        Random rnd = new Random(11);
        int n = 4096;
        float[] sparse = new float[n];
        float[] flat = new float[n];
        for (int i = 0; i < n; i++) {
            double u = rnd.nextDouble() - 0.5;
            sparse[i] = (float) (-Math.signum(u) * Math.log(1 - 2 * Math.abs(u)) * Math.pow(rnd.nextDouble(), 4));
            flat[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return List.of(new CalibTensor("cheap", new long[] {64, 64}, DataFreeObjectiveTest.floats(sparse)),
                new CalibTensor("expensive", new long[] {64, 64}, DataFreeObjectiveTest.floats(flat)));
    }

    static double[] errorsAfter(Objective objective, List<CalibTensor> ts, double bitsPerWeight) throws Exception {
        CalibrationSettings s = new CalibrationSettings(TransformKind.EDGE_SCALE, false, CounterKernel.COS, 64, 60, 0.1, Double.NaN, 1);
        CpuBackend k = new CpuBackend();
        TransformOptimizer opt = new TransformOptimizer(k.transforms(), k.counter(), objective, ts, s);
        opt.run(150, 0.3, bitsPerWeight, null);
        double[] errors = new double[ts.size()];
        for (int l = 0; l < ts.size(); l++) {
            FloatBuffer rec = opt.reconstruction(l);
            float[] wHat = new float[rec.limit()];
            rec.get(0, wHat);
            errors[l] = DataFreeObjective.relativeError(ts.get(l).weights(), wHat);
        }
        return errors;
    }

    @Test
    void noTensorIsPrunedToNothing() throws Exception {
        List<CalibTensor> ts = cheapAndExpensive();
        double[] old = errorsAfter(new SumOfRelativeErrors(ts), ts, 0.2);
        assertTrue(old[1] > 0.999, "the old objective pruned the expensive tensor away: " + old[1]);
        double[] now = errorsAfter(DataFreeObjective.of(ts, Map.of()), ts, 0.2);
        for (double e : now) assertTrue(e < 0.9, "no tensor destroyed: " + java.util.Arrays.toString(now));
    }
}
