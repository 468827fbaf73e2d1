package dev.l2c.bench;

import dev.l2c.L2cException;
import dev.l2c.api.Compression;
import dev.l2c.api.ElementType;
import dev.l2c.api.L2cFile;
import dev.l2c.api.TensorEntry;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import dev.l2c.nativelib.SimdLevel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Issue 14's load time: all-MiniLM-L6-v2's weights into memory as float32, one thread, one op =
 * the whole model (90.4 MB of floats). {@code readSafetensors}: the fp32 safetensors file read
 * from the page cache into a preallocated buffer (the peer); {@code decodeL2c}: the data-free
 * {@code --ratio 10} .l2c file opened with the public API and every tensor decoded into the same
 * buffer ({@code L2cFile.open(path, 1)}, {@code decodeInto}). Target: decode at most 1.5x the read.
 * {@code decodeL2cAvx2}: the same decode with the kernels capped at AVX2, so that on a CPU with
 * AVX-512 the run shows what the 16-lane rANS decoder gains.
 *
 * <p>Issue 13's lossless speed (at least 1.5 GB/s of output on one thread): the same weights in
 * bf16, {@code decodeLosslessBf16} decoding the {@code --lossless} .l2c as bf16 into a buffer on
 * one thread, against {@code readSafetensorsBf16} reading the bf16 safetensors file from the page
 * cache (45.1 MB either way; GB/s = 0.0451 / (ms/op / 1000)).
 * The files are made once and kept in benchmarks/target (the --ratio 10 run takes ~20 s).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LoadBenchmark {
    private Path safetensors;
    private Path l2c;
    private ByteBuffer into;
    private long floatBytes;
    private Path bf16Safetensors;
    private Path bf16Lossless;

    @Setup(Level.Trial)
    public void setup() throws L2cException, IOException {
        Path dir = Files.createDirectories(Path.of("benchmarks/target/load"));
        Path onnx = BenchData.modelPath();
        l2c = dir.resolve("minilm-10x.l2c");
        if (!Files.exists(l2c)) Compression.ratio(10).threads(1).compress(onnx, l2c);
        Path lossless = dir.resolve("minilm-lossless.l2c");
        if (!Files.exists(lossless)) Compression.lossless().force(true).compress(onnx, lossless);
        safetensors = dir.resolve("minilm-fp32.safetensors");
        if (!Files.exists(safetensors)) {
            List<Tensor> ts = new ArrayList<>();
            try (L2cFile f = L2cFile.open(lossless)) {
                for (TensorEntry t : f.tensors()) ts.add(new Tensor(t.name(), dev.l2c.model.DType.F32, t.shape(), f.decode(t.name())));
            }
            SafetensorsFile.write(safetensors, ts, Map.of(), true);
        }
        bf16Safetensors = dir.resolve("minilm-bf16.safetensors");
        if (!Files.exists(bf16Safetensors)) {
            List<Tensor> ts = new ArrayList<>();
            try (L2cFile f = L2cFile.open(lossless)) {
                for (TensorEntry t : f.tensors()) {
                    boolean isFloat = t.type().isFloat();
                    ts.add(new Tensor(t.name(), isFloat ? dev.l2c.model.DType.BF16 : dev.l2c.model.DType.F32, t.shape(),
                            f.decode(t.name(), isFloat ? ElementType.BF16 : null)));
                }
            }
            SafetensorsFile.write(bf16Safetensors, ts, Map.of(), true);
        }
        bf16Lossless = dir.resolve("minilm-bf16-lossless.l2c");
        if (!Files.exists(bf16Lossless)) Compression.lossless().threads(1).compress(bf16Safetensors, bf16Lossless);
        floatBytes = Files.size(safetensors);
        into = ByteBuffer.allocateDirect((int) floatBytes).order(ByteOrder.LITTLE_ENDIAN);
        readSafetensors(); // pages the file into the cache before the first measured read
    }

    @Benchmark
    public ByteBuffer readSafetensors() throws IOException {
        return read(safetensors);
    }

    /** Reads {@code file} to its end into the preallocated buffer. */
    private ByteBuffer read(Path file) throws IOException {
        into.clear();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (into.hasRemaining() && ch.read(into) >= 0) {
                // read to the end
            }
        }
        return into;
    }

    @Benchmark
    public ByteBuffer decodeL2c() throws L2cException {
        into.clear();
        try (L2cFile f = L2cFile.open(l2c, 1)) {
            for (TensorEntry t : f.tensors()) f.decodeInto(t.name(), ElementType.F32, into);
        }
        return into;
    }

    @Benchmark
    public ByteBuffer readSafetensorsBf16() throws IOException {
        return read(bf16Safetensors);
    }

    @Benchmark
    public ByteBuffer decodeLosslessBf16() throws L2cException {
        into.clear();
        try (L2cFile f = L2cFile.open(bf16Lossless, 1)) {
            for (TensorEntry t : f.tensors()) f.decodeInto(t.name(), null, into);
        }
        return into;
    }

    @Benchmark
    public ByteBuffer decodeL2cAvx2() throws L2cException {
        SimdLevel.limit(SimdLevel.AVX2);
        try {
            return decodeL2c();
        } finally {
            SimdLevel.limit(SimdLevel.AVX512);
        }
    }
}
