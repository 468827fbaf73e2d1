package dev.l2c.calib;

import dev.l2c.L2cException;
import dev.l2c.counter.CounterContext;
import dev.l2c.counter.CounterKernels;
import dev.l2c.transform.Channels;
import dev.l2c.transform.TransformContext;
import dev.l2c.transform.TransformKernels;
import dev.l2c.transform.TransformKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * Adam over the transform parameters of all calibrated tensors (the weights stay fixed) with the
 * loss L = D + lambda_r * R, where D comes from the {@link Objective} and R is the counter's rate
 * summed over the tensors, in bits per weight of the calibrated tensors (sum_l R_l / sum_l n_l).
 * One-sided schedule: lambda_r = lambda while R is above the rate target, lambda / 100 below it,
 * so the target acts as a ceiling that D presses against.
 *
 * <p>Parameters are kept positive by optimizing their logarithms; edges and steps start at
 * (max w - min w) / 256 of their tensor (or channel). Steps are clamped (also when the closing rescales
 * them) to at least 2^-14 of the largest magnitude, so that no tensor's alphabet can pass 2^15
 * symbols. PIECEWISE's knee b starts at twice the root mean square of the channel's
 * weights (at least e) with s2 = s1, so it begins as the edge-scale transform with the knee where
 * the tails start; b is kept at or above e after every update.
 *
 * <p>Choosing lambda: the rate holds at the target when lambda / 100 < |dD/dR| < lambda there. At
 * equal bit allocation, each bit per weight less multiplies a tensor's relative error by about 4,
 * so |dD/dR| ~ 2 ln 2 * sum_l D_l * 4^(b_l - b), extrapolated from each tensor's present error D_l
 * (the objective's {@link Objective#lastRateSlope}, which is D_l for shares quadratic in the error)
 * and rate b_l to the target b; lambda (when not given) is 10 times that, the geometric middle of
 * the window. It is re-estimated at the start of each {@link #run}.
 *
 * <p>Tensors of rank 0 or 1 (biases, norm scales) learn the scale-only UNIFORM transform whatever
 * the settings' kind: one step is the cheapest parameter set, and a dead zone buys nothing on a
 * handful of values that are rarely near zero. The rate R_l of a tensor is the counter's estimate
 * plus, when a {@link SideInformation} is set, the modelled bits its stream costs beyond that (lane
 * states, table); the side bits carry no gradient, they move the rate against its target.
 *
 * <p>Everything is in a fixed order and the kernels reduce deterministically, so the same input
 * gives the same parameters bit for bit.
 */
public final class TransformOptimizer {
    /** Called after each step. */
    public interface Listener {
        void step(int step, int steps, Result state);
    }

    /**
     * Bits tensor l costs beyond the counter's estimate of its information: a model of the coded
     * stream's side information, from the tensor's element count n, the counter's bits and its
     * probabilities p(k) (the counter's {@link CounterKernels.Rate#probs}).
     */
    public interface SideInformation {
        double bits(int l, long n, double counterBits, double[] probs);
    }

    /** The loss and its parts at the last step; rate in bits per weight of the calibrated tensors. */
    public record Result(double loss, double distortion, double rateBitsPerWeight, double lambda) {}

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;
    private static final double MIN_STEP_OF_RANGE = 1.0 / (1 << 14);
    private static final double MIN_EDGE_OF_RANGE = 1e-9;
    private static final double MAX_PARAM_OF_RANGE = 64;
    // PIECEWISE's parameter order: e, s1, b, s2.
    private static final int KNEE = 2;

    // Per tensor, made once: the transform's layout, parameters and scratch, and the counter's.
    private final TransformContext[] transforms;
    private final CounterContext[] counters;
    /** The counter for a separable objective's one-shot calls. */
    private final CounterKernels counter;
    private final Objective objective;
    private final CalibrationSettings settings;
    private final CalibTensor[] tensors;
    private final TransformKind[] kinds;
    private final Channels[] channels;
    private final FloatBuffer[] params;
    private final FloatBuffer[] gradParams;
    private final double[][] minLog;
    private final double[][] maxLog;
    /**
     * Whole-network objectives only: every tensor's codes (after a gradient step's counter call
     * dR/dc), reconstruction and its gradient, held at once because D sees all tensors together.
     * A separable objective works through the tensors one at a time in {@link #scratch} instead.
     */
    private final FloatBuffer[] codes;
    private final FloatBuffer[] wHat;
    private final FloatBuffer[] gradWHat;
    private final SeparableObjective separable;
    private final TensorScratch scratch;
    /** Whether the rate was above its target at the last evaluation. */
    private boolean lastAbove;
    /** Gradient passes redone because the guess of lambda_r was wrong (tests and reports). */
    private int redone;
    private final double[] rateBits;
    private final double[] counterBits;
    private final long elements;
    private SideInformation side;

    public TransformOptimizer(TransformKernels transforms, CounterKernels counter, Objective objective,
            List<CalibTensor> tensors, CalibrationSettings settings) {
        this.objective = objective;
        this.settings = settings;
        this.counter = counter;
        this.tensors = tensors.toArray(new CalibTensor[0]);
        this.separable = objective instanceof SeparableObjective s ? s : null;
        int count = this.tensors.length;
        channels = new Channels[count];
        kinds = new TransformKind[count];
        params = new FloatBuffer[count];
        gradParams = new FloatBuffer[count];
        minLog = new double[count][];
        maxLog = new double[count][];
        codes = new FloatBuffer[count];
        wHat = new FloatBuffer[count];
        gradWHat = new FloatBuffer[count];
        rateBits = new double[count];
        this.transforms = new TransformContext[count];
        this.counters = new CounterContext[count];
        counterBits = new double[count];
        long total = 0;
        long largest = 1;
        for (int l = 0; l < count; l++) {
            CalibTensor t = this.tensors[l];
            kinds[l] = t.shape().length <= 1 ? TransformKind.UNIFORM : settings.kind();
            int per = kinds[l].paramsPerChannel;
            int n = Math.toIntExact(t.elements());
            total += n;
            channels[l] = settings.perChannel() && t.shape().length >= 2 ? Channels.along(t.shape(), 0) : Channels.whole(n);
            int ch = channels[l].count();
            double[] lo = new double[ch];
            double[] hi = new double[ch];
            double[] squares = new double[ch];
            boolean[] seen = new boolean[ch];
            FloatBuffer w = t.weights();
            for (int i = 0; i < n; i++) {
                int c = channels[l].of(i);
                double v = w.get(i);
                squares[c] += v * v;
                if (!seen[c]) {
                    lo[c] = hi[c] = v;
                    seen[c] = true;
                } else {
                    lo[c] = Math.min(lo[c], v);
                    hi[c] = Math.max(hi[c], v);
                }
            }
            params[l] = floats(per * ch);
            gradParams[l] = floats(per * ch);
            minLog[l] = new double[per * ch];
            maxLog[l] = new double[per * ch];
            long perChannelElements = n / ch;
            for (int c = 0; c < ch; c++) {
                // A constant channel has no range; any positive scale reproduces it as well as another.
                double range = hi[c] > lo[c] ? hi[c] - lo[c] : Math.max(Math.abs(hi[c]), 1e-6);
                // Codes count steps from 0, not from the smallest weight: the smallest step is set by
                // the largest magnitude, or a channel of nearly equal large weights (tiny range) would
                // get codes beyond what the counter and the coder hold.
                double reach = Math.max(range, Math.max(Math.abs(hi[c]), Math.abs(lo[c])));
                double rms = Math.sqrt(squares[c] / Math.max(1, perChannelElements));
                for (int p = 0; p < per; p++) {
                    int at = p * ch + c;
                    boolean isStep = kinds[l].isStep(p);
                    minLog[l][at] = Math.log(isStep ? reach * MIN_STEP_OF_RANGE : range * MIN_EDGE_OF_RANGE);
                    maxLog[l][at] = Math.log(reach * MAX_PARAM_OF_RANGE);
                    double start = Math.max(range / 256, Math.exp(minLog[l][at]));
                    if (kinds[l] == TransformKind.PIECEWISE && p == KNEE) {
                        start = Math.min(Math.max(start, 2 * rms), range * MAX_PARAM_OF_RANGE);
                    }
                    params[l].put(at, (float) start);
                }
            }
            keepKneeAboveEdge(l);
            largest = Math.max(largest, n);
            if (separable == null) {
                codes[l] = floats(n);
                wHat[l] = floats(n);
                gradWHat[l] = floats(n);
            }
            this.transforms[l] = transforms.context(kinds[l], n, channels[l]);
            // A separable objective counts one tensor at a time with one-shot calls: a context per
            // tensor would keep every tensor's histograms and tables alive (30 MB on MiniLM).
            if (separable == null) this.counters[l] = counter.context(n, settings.kernel(), settings.resolution());
        }
        elements = total;
        scratch = new TensorScratch(largest);
    }

    public int tensorCount() {
        return tensors.length;
    }

    /** Elements of all calibrated tensors. */
    public long elements() {
        return elements;
    }

    public CalibTensor tensor(int l) {
        return tensors[l];
    }

    public Channels channels(int l) {
        return channels[l];
    }

    /** The transform tensor l learns (the settings' kind, UNIFORM for rank 0 and 1; class comment). */
    public TransformKind kind(int l) {
        return kinds[l];
    }

    /** Adds the modelled side information of every tensor to its rate from the next evaluation on; null for none. */
    public void setSideInformation(SideInformation side) {
        this.side = side;
    }

    /** The side information set by {@link #setSideInformation}, or null. */
    public SideInformation sideInformation() {
        return side;
    }

    /** A copy of tensor l's parameters, laid out as TransformKind documents. */
    public float[] params(int l) {
        float[] out = new float[params[l].limit()];
        params[l].get(0, out);
        return out;
    }

    /** Replaces tensor l's parameters (clamped to the allowed range). */
    public void setParams(int l, float[] values) {
        if (values.length != params[l].limit()) throw new IllegalArgumentException("tensor " + l + " has "
                + params[l].limit() + " parameters, got " + values.length);
        for (int i = 0; i < values.length; i++) params[l].put(i, clamp(l, i, Math.log(values[i])));
        keepKneeAboveEdge(l);
    }

    /**
     * Tensor l's parameters times {@code scale}, each clamped to the range the optimizer allows (a
     * closing step that rescales every parameter must not take a step below the smallest one, whose
     * codes would pass what the counter and the coder can hold).
     */
    public float[] scaledParams(int l, double scale) {
        float[] out = params(l);
        for (int i = 0; i < out.length; i++) out[i] = clamp(l, i, Math.log(out[i]) + Math.log(scale));
        return out;
    }

    /** PIECEWISE needs b >= e in every channel (the kernels refuse anything else). */
    private void keepKneeAboveEdge(int l) {
        if (kinds[l] != TransformKind.PIECEWISE) return;
        int ch = channels[l].count();
        for (int c = 0; c < ch; c++) {
            float e = params[l].get(c);
            if (params[l].get(KNEE * ch + c) < e) params[l].put(KNEE * ch + c, e);
        }
    }

    /** Tensor l's rate at the last step, in bits: the counter's estimate plus the modelled side information. */
    public double rateBits(int l) {
        return rateBits[l];
    }

    /** Reconstruction of tensor l at the present parameters (read-only). */
    public FloatBuffer reconstruction(int l) throws L2cException {
        if (separable == null) return wHat[l].asReadOnlyBuffer();
        CalibTensor t = tensors[l];
        FloatBuffer out = floats(Math.toIntExact(t.elements()));
        transforms[l].setParams(params[l]);
        transforms[l].forward(t.weights(), null, null, out);
        return out.asReadOnlyBuffer();
    }

    /**
     * Working buffers for one tensor at a time, sized for the largest calibrated tensor; callers
     * that transform or code the tensors after (or between) runs borrow them too.
     */
    public TensorScratch scratch() {
        return scratch;
    }

    /** Gradient passes redone so far because lambda_r's side of the target was guessed wrong. */
    int redonePasses() {
        return redone;
    }

    /**
     * Runs {@code steps} Adam steps from the present parameters (fresh moments) towards a rate of
     * {@code targetBitsPerWeight}, the learning rate decaying from {@code learningRate} along a
     * cosine to a twentieth of it. Returns the state at the last step.
     */
    public Result run(int steps, double learningRate, double targetBitsPerWeight, Listener listener) throws L2cException {
        int count = tensors.length;
        double[][] m = new double[count][];
        double[][] v = new double[count][];
        for (int l = 0; l < count; l++) {
            m[l] = new double[params[l].limit()];
            v[l] = new double[params[l].limit()];
        }
        Result state = evaluate(targetBitsPerWeight, Double.NaN, false, Double.NaN);
        double lambda = Double.isNaN(settings.lambda()) ? autoLambda(targetBitsPerWeight) : settings.lambda();
        // The rates at the last two parameter sets evaluated: a linear guess of the next one.
        double latest = state.rateBitsPerWeight();
        double before = Double.NaN;
        for (int step = 1; step <= steps; step++) {
            // Step 1 evaluates the parameters just evaluated; later steps the ones after an update.
            double guess = step == 1 || Double.isNaN(before) ? latest : 2 * latest - before;
            state = evaluate(targetBitsPerWeight, lambda, true, guess);
            if (step > 1) {
                before = latest;
                latest = state.rateBitsPerWeight();
            }
            double progress = steps == 1 ? 1 : (step - 1.0) / (steps - 1.0);
            double lr = learningRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * progress)));
            double c1 = 1 - Math.pow(BETA1, step);
            double c2 = 1 - Math.pow(BETA2, step);
            for (int l = 0; l < count; l++) {
                for (int i = 0; i < params[l].limit(); i++) {
                    double p = params[l].get(i);
                    double g = gradParams[l].get(i) * p; // d/d(log p)
                    if (!Double.isFinite(g)) {
                        throw new L2cException("tensor " + tensors[l].name() + ": the transform gradient is not finite");
                    }
                    m[l][i] = BETA1 * m[l][i] + (1 - BETA1) * g;
                    v[l][i] = BETA2 * v[l][i] + (1 - BETA2) * g * g;
                    double update = lr * (m[l][i] / c1) / (Math.sqrt(v[l][i] / c2) + EPSILON);
                    params[l].put(i, clamp(l, i, Math.log(p) - update));
                }
                keepKneeAboveEdge(l);
            }
            if (listener != null) listener.step(step, steps, state);
        }
        return steps == 0 ? state : evaluate(targetBitsPerWeight, lambda, false, Double.NaN);
    }

    private float clamp(int l, int i, double logValue) {
        return (float) Math.exp(Math.max(minLog[l][i], Math.min(maxLog[l][i], logValue)));
    }

    /**
     * Forward (and with {@code gradients}, backward into gradParams) at the present parameters;
     * {@code guessedRate}: what the rate is expected to be (see {@link #evaluateByTensor}).
     */
    private Result evaluate(double target, double lambda, boolean gradients, double guessedRate) throws L2cException {
        if (separable != null) return evaluateByTensor(target, lambda, gradients, guessedRate);
        int count = tensors.length;
        for (int l = 0; l < count; l++) {
            transforms[l].setParams(params[l]);
            transforms[l].forward(tensors[l].weights(), codes[l], null, wHat[l]);
        }
        // The objective's gradients are read in place (KD: libtorch's own tensors) until closed.
        try (Gradients g = gradients ? objective.evaluateHandingOver(wHat, gradWHat) : null) {
            double distortion = g != null ? g.distortion() : objective.evaluate(wHat, null);
            double bits = 0;
            for (int l = 0; l < count; l++) {
                long n = tensors[l].elements();
                // With gradients, one counter call gives the rate and dR/dc unscaled, written over the
                // codes (the transform backward recomputes them): lambda_r needs every tensor's rate.
                CounterKernels.Rate r = counters[l].run(codes[l], 1f, gradients ? codes[l] : null);
                counterBits[l] = r.bits();
                rateBits[l] = r.bits() + (side == null ? 0 : side.bits(l, n, r.bits(), r.probs()));
                bits += rateBits[l];
            }
            double rate = bits / elements;
            lastAbove = rate > target;
            double lambdaR = rate > target ? lambda : lambda / 100;
            if (g != null) {
                for (int l = 0; l < count; l++) {
                    transforms[l].backward(tensors[l].weights(), g.get(l), codes[l], lambdaR / elements, null,
                            gradParams[l]);
                }
            }
            return new Result(distortion + lambdaR * rate, distortion, rate, lambdaR);
        }
    }

    /**
     * {@link #evaluate} for a separable objective, one tensor at a time in the scratch: transform,
     * D's term and its gradient (over the reconstruction, in place), the counter's rate and dR/dc
     * (over the codes), and the transform backward. The backward needs lambda_r, which depends on
     * the rate of every tensor; which side of the target the rate falls on is guessed (the rate
     * settles into a short cycle around the target, which a line through the last two rates
     * follows) and, when the guess was wrong, the pass is redone with the right lambda_r. Every
     * tensor's arithmetic is the same as in the whole-network path, and so are the bits.
     */
    private Result evaluateByTensor(double target, double lambda, boolean gradients, double guessedRate) throws L2cException {
        boolean above = guessedRate > target;
        Result r = tensorPass(target, lambda, gradients, above);
        if (gradients && lastAbove != above) {
            redone++;
            r = tensorPass(target, lambda, true, lastAbove);
        }
        return r;
    }

    private Result tensorPass(double target, double lambda, boolean gradients, boolean guessAbove) throws L2cException {
        double guessedScale = (guessAbove ? lambda : lambda / 100) / elements;
        double distortion = 0;
        double bits = 0;
        for (int l = 0; l < tensors.length; l++) {
            CalibTensor t = tensors[l];
            long n = t.elements();
            FloatBuffer c = scratch.floats(TensorScratch.CODES, n);
            FloatBuffer w = scratch.floats(TensorScratch.WEIGHTS, n);
            transforms[l].setParams(params[l]);
            transforms[l].forward(t.weights(), c, null, w);
            distortion += separable.evaluateTensor(l, w, gradients ? w : null);
            CounterKernels.Rate r = gradients
                    ? counter.forwardBackward(c, n, settings.kernel(), settings.resolution(), 1f, c)
                    : counter.forward(c, n, settings.kernel(), settings.resolution());
            counterBits[l] = r.bits();
            rateBits[l] = r.bits() + (side == null ? 0 : side.bits(l, n, r.bits(), r.probs()));
            bits += rateBits[l];
            if (gradients) transforms[l].backward(t.weights(), w, c, guessedScale, null, gradParams[l]);
        }
        double rate = bits / elements;
        lastAbove = rate > target;
        double lambdaR = rate > target ? lambda : lambda / 100;
        return new Result(distortion + lambdaR * rate, distortion, rate, lambdaR);
    }

    /** 10 x the estimated |dD/dR| at the target (class comment). */
    private double autoLambda(double target) {
        double slope = 0;
        for (int l = 0; l < tensors.length; l++) {
            // The counter's bits: side information does not shrink the error, and would make a tiny
            // tensor's rate look far above the target.
            double b = counterBits[l] / tensors[l].elements();
            double shift = Math.max(-12, Math.min(12, b - target));
            slope += objective.lastRateSlope(l) * Math.pow(4, shift);
        }
        slope *= 2 * Math.log(2);
        return slope > 0 ? 10 * slope : 1;
    }

    /** A direct native-order float buffer of n elements (never zero-capacity, as native code wants). */
    static FloatBuffer floats(int n) {
        return ByteBuffer.allocateDirect(4 * Math.max(1, n)).order(ByteOrder.nativeOrder()).asFloatBuffer().limit(n);
    }
}
