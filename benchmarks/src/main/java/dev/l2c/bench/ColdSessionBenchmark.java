package dev.l2c.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.l2c.L2cException;
import dev.l2c.api.Compression;
import dev.l2c.api.L2cFile;
import dev.l2c.api.OnnxRuntimeModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 14's cold start: an ONNX Runtime session for all-MiniLM-L6-v2 made with nothing of the
 * model in the page cache. {@code onnxFile}: the fp32 {@code .onnx} (90.4 MB) read by ONNX Runtime
 * itself (the peer). {@code l2cFile}: the data-free {@code --ratio 10} {@code .l2c} (9 MB) decoded
 * on one thread with the public API and handed to ONNX Runtime from memory
 *  ({@code OnnxRuntimeModel}: the weights as initializers in native buffers used in place, the graph
 * stored in the file; the {@code .l2c} is the only file read). {@code l2cFileAllCores}: the same
 * with the file opened for all cores. {@code l2cFileAsBytes}: the same file through
 * {@code L2cFile.onnxModel()}, the whole model serialized in memory and parsed again by ONNX
 * Runtime. No temporary file either way. One op = one session made and closed.
 *
 * <p>Cold: before every op both files are dropped from the page cache with
 * {@code dd if=FILE iflag=nocache count=0} (POSIX_FADV_DONTNEED over the whole file; {@code fincore}
 * shows 0 resident pages after it), so the op reads them from the disk. The disk and its own
 * caches below the kernel are the machine's; the figure is only meaningful as a ratio within one run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 3)
@Measurement(iterations = 15)
public class ColdSessionBenchmark {
    private OrtEnvironment env;
    private Path onnx;
    private Path l2c;

    @Setup(Level.Trial)
    public void setup() throws L2cException, IOException {
        env = OrtEnvironment.getEnvironment();
        onnx = BenchData.modelPath();
        Path dir = Files.createDirectories(Path.of("benchmarks/target/load"));
        l2c = dir.resolve("minilm-10x.l2c"); // the file LoadBenchmark measures
        boolean current = false;
        if (Files.exists(l2c)) {
            try (L2cFile f = L2cFile.open(l2c)) {
                current = f.hasOnnxGraph(); // made before graphs were stored: made again
            }
        }
        if (!current) Compression.ratio(10).threads(1).force(true).compress(onnx, l2c);
    }

    @Setup(Level.Iteration)
    public void dropFromPageCache() throws IOException, InterruptedException {
        for (Path p : new Path[] {onnx, l2c}) {
            Process dd = new ProcessBuilder("dd", "if=" + p, "iflag=nocache", "count=0", "status=none").inheritIO().start();
            if (dd.waitFor() != 0) throw new IOException("dd could not drop " + p + " from the page cache");
        }
    }

    @Benchmark
    public long onnxFile() throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(onnx.toString(), options)) {
            return session.getNumInputs();
        }
    }

    @Benchmark
    public long l2cFile() throws L2cException, OrtException {
        return session(1);
    }

    @Benchmark
    public long l2cFileAllCores() throws L2cException, OrtException {
        return session(0);
    }

    private long session(int threads) throws L2cException, OrtException {
        try (L2cFile file = L2cFile.open(l2c, threads);
                OnnxRuntimeModel model = OnnxRuntimeModel.open(file, env, null)) {
            return model.session().getNumInputs();
        }
    }

    @Benchmark
    public long l2cFileAsBytes() throws L2cException, OrtException {
        byte[] model;
        try (L2cFile file = L2cFile.open(l2c, 1)) {
            model = file.onnxModel();
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(model, options)) {
            return session.getNumInputs();
        }
    }
}
