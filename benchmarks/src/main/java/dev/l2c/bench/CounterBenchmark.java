package dev.l2c.bench;

import dev.l2c.L2cException;
import dev.l2c.counter.CounterKernel;
import dev.l2c.counter.CounterKernels;
import dev.l2c.counter.CpuCounterKernels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The differentiable counter, forward + backward (COS, resolution 64), one op = the whole tensor:
 * the native exact counter ({@link CpuCounterKernels#forwardBackward}, 1 thread and all) against
 * {@link ReferenceCounter} in the same run, subsampled 1/128 at N = 2,359,296 and exact (stride 1)
 * at N = 147,456, plus the native counter at that N. Codes: a 512x512x3x3 convolution of seeded
 * He-init Gaussian weights under the edge-scale transform with e = s = (max - min) / 256.
 * Elements/s = ops/s * N (N of the op, before subsampling). Setup checks that the native counter
 * and the exact reference agree, so the comparison is between equal computations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class CounterBenchmark {
    static final int LARGE = 512 * 512 * 3 * 3;
    static final int SMALL = 147_456;
    static final int RESOLUTION = 64;

    /** Native threads; 0 = all available. */
    @Param({"1", "0"})
    public int threads;

    private CounterKernels native1;
    private FloatBuffer large;
    private FloatBuffer small;
    private FloatBuffer grad;
    private ReferenceCounter referenceSubsampled;
    private ReferenceCounter referenceExact;
    private double[] referenceGrad;

    /** Codes of the seeded 512x512x3x3 convolution (see the class comment). */
    static float[] codes(int n) {
        Random rnd = new Random(20261129L);
        double std = Math.sqrt(2.0 / (512 * 3 * 3));
        float[] w = new float[LARGE];
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < LARGE; i++) {
            w[i] = (float) (rnd.nextGaussian() * std);
            min = Math.min(min, w[i]);
            max = Math.max(max, w[i]);
        }
        double e = ((double) max - min) / 256;
        double s = e;
        float[] c = new float[n];
        for (int i = 0; i < n; i++) {
            double a = Math.abs(w[i]);
            c[i] = (float) (a <= e ? w[i] / (2 * e) : Math.signum(w[i]) * (0.5 + (a - e) / s));
        }
        return c;
    }

    static FloatBuffer direct(float[] v) {
        FloatBuffer b = ByteBuffer.allocateDirect(v.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(v).flip();
        return b;
    }

    @Setup(Level.Trial)
    public void setup() throws L2cException {
        native1 = new CpuCounterKernels(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
        float[] all = codes(LARGE);
        large = direct(all);
        float[] head = java.util.Arrays.copyOf(all, SMALL);
        small = direct(head);
        grad = ByteBuffer.allocateDirect(LARGE * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        referenceSubsampled = new ReferenceCounter(all, 128, RESOLUTION, ReferenceCounter.Kernel.COS);
        referenceExact = new ReferenceCounter(head, 1, RESOLUTION, ReferenceCounter.Kernel.COS);
        referenceGrad = new double[SMALL];
        checkAgreement(java.util.Arrays.copyOf(all, 4096));
    }

    /** Native exact counter == ReferenceCounter(stride 1): rate within 1e-5, gradients close. */
    private void checkAgreement(float[] c) throws L2cException {
        ReferenceCounter ref = new ReferenceCounter(c, 1, RESOLUTION, ReferenceCounter.Kernel.COS);
        double[] g = new double[c.length];
        double refBits = ref.rateAndGradient(g);
        FloatBuffer cb = direct(c);
        FloatBuffer gb = ByteBuffer.allocateDirect(c.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        double bits = native1.forwardBackward(cb, c.length, CounterKernel.COS, RESOLUTION, 1f, gb).bits();
        if (Math.abs(bits - refBits) > 1e-5 * Math.abs(refBits))
            throw new IllegalStateException("native rate " + bits + " != reference " + refBits);
        double scale = 0;
        for (double v : g) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < c.length; i++) {
            if (Math.abs(gb.get(i) - g[i]) > 1e-4 * scale + 1e-6 * Math.abs(g[i]))
                throw new IllegalStateException("gradient " + i + ": native " + gb.get(i) + " != reference " + g[i]);
        }
    }

    // One fused call (CounterKernels.forwardBackward, what calibration runs): the rate and dR/dc.
    private double nativeRun(FloatBuffer c, int n) throws L2cException {
        return native1.forwardBackward(c, n, CounterKernel.COS, RESOLUTION, 1f, grad).bits();
    }

    /** Native exact counter at N = 2,359,296. */
    @Benchmark
    public double nativeLarge(CpuTime cpu) throws L2cException {
        long t0 = CpuTime.now();
        double bits = nativeRun(large, LARGE);
        cpu.add(t0);
        return bits;
    }

    /** Native exact counter at N = 147,456. */
    @Benchmark
    public double nativeSmall(CpuTime cpu) throws L2cException {
        long t0 = CpuTime.now();
        double bits = nativeRun(small, SMALL);
        cpu.add(t0);
        return bits;
    }

    /** Reference, 1/128 subsampled, N = 2,359,296 (threads does not apply: single-threaded Java). */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 3)
    public double referenceSubsampledLarge() {
        return referenceSubsampled.rateAndGradient(new double[referenceSubsampled.size()]);
    }

    /** Reference, exact (stride 1), N = 147,456: long per op, so one shot per iteration. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 0)
    @Measurement(iterations = 2)
    public double referenceExactSmall() {
        java.util.Arrays.fill(referenceGrad, 0);
        return referenceExact.rateAndGradient(referenceGrad);
    }
}
