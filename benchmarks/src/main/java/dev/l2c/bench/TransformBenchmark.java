package dev.l2c.bench;

import dev.l2c.L2cException;
import dev.l2c.transform.Channels;
import dev.l2c.transform.CpuTransformKernels;
import dev.l2c.transform.TransformKernels;
import dev.l2c.transform.TransformKind;
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
 * Edge-scale transform forward (codes and wHat) + backward (gW and per-channel parameter
 * gradients) on the seeded He-init 512x512x3x3 convolution, 512 output channels; one op = the
 * whole tensor, elements/s = ops/s * 2,359,296.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class TransformBenchmark {
    static final int N = CounterBenchmark.LARGE;
    static final int CHANNELS = 512;

    /** Native threads; 0 = all available. */
    @Param({"1", "0"})
    public int threads;

    private TransformKernels kernels;
    private Channels channels;
    private FloatBuffer w, params, c, wHat, gWHat, gC, gW, gParams;

    private static FloatBuffer floats(int n) {
        return ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Setup(Level.Trial)
    public void setup() {
        kernels = new CpuTransformKernels(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
        channels = Channels.along(new long[] {512, 512, 3, 3}, 0);
        Random rnd = new Random(20261129L);
        double std = Math.sqrt(2.0 / (512 * 3 * 3));
        w = floats(N);
        gWHat = floats(N);
        gC = floats(N);
        for (int i = 0; i < N; i++) {
            w.put(i, (float) (rnd.nextGaussian() * std));
            gWHat.put(i, (float) rnd.nextGaussian());
            gC.put(i, (float) rnd.nextGaussian());
        }
        float step = (float) (10 * std / 256);
        params = floats(2 * CHANNELS);
        for (int ch = 0; ch < CHANNELS; ch++) {
            params.put(ch, step);
            params.put(CHANNELS + ch, step);
        }
        c = floats(N);
        wHat = floats(N);
        gW = floats(N);
        gParams = floats(2 * CHANNELS);
    }

    @Benchmark
    public float edgeScaleForwardBackward(CpuTime cpu) throws L2cException {
        long t0 = CpuTime.now();
        kernels.forward(TransformKind.EDGE_SCALE, w, N, channels, params, c, null, wHat);
        kernels.backward(TransformKind.EDGE_SCALE, w, N, channels, params, gWHat, gC, gW, gParams);
        cpu.add(t0);
        return gParams.get(0);
    }
}
