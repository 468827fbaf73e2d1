package dev.l2c.bench;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import dev.l2c.L2cException;
import java.util.Arrays;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * zstd-jni, single-threaded, on the same symbol bytes as {@link RansBenchmark}: one op = the whole
 * buffer, into preallocated arrays; "bytes" is uncompressed bytes per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class ZstdBenchmark {
    @Param({"laplace", "minilm"})
    public String source;

    @Param({"3", "19"})
    public int level;

    private ZstdCompressCtx compressor;
    private ZstdDecompressCtx decompressor;
    private byte[] input;
    private byte[] compressed;
    private int compressedSize;
    private byte[] output;

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) throws L2cException {
        input = BenchData.source(source);
        compressor = new ZstdCompressCtx().setLevel(level);
        decompressor = new ZstdDecompressCtx();
        compressed = new byte[(int) Zstd.compressBound(input.length)];
        output = new byte[input.length];
        // Level 19 takes seconds per buffer: compress up front only where the decoder needs it.
        if (params.getBenchmark().endsWith("decompress")) {
            compressedSize = compressor.compressByteArray(compressed, 0, compressed.length, input, 0, input.length);
            decompressor.decompressByteArray(output, 0, output.length, compressed, 0, compressedSize);
            if (!Arrays.equals(output, input)) throw new IllegalStateException("zstd round trip failed on " + source);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        compressor.close();
        decompressor.close();
    }

    // Level 19 takes over 10 s per buffer here: fewer iterations keep the suite near 10 minutes.
    @Benchmark
    @Warmup(iterations = 1, time = 2)
    @Measurement(iterations = 2, time = 2)
    public int compress(SymbolBytes counter) {
        counter.bytes += input.length;
        return compressor.compressByteArray(compressed, 0, compressed.length, input, 0, input.length);
    }

    @Benchmark
    public int decompress(SymbolBytes counter) {
        counter.bytes += input.length;
        return decompressor.decompressByteArray(output, 0, output.length, compressed, 0, compressedSize);
    }
}
