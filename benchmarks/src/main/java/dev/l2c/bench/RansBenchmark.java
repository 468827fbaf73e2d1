package dev.l2c.bench;

import dev.l2c.L2cException;
import dev.l2c.codec.CpuRansCodec;
import dev.l2c.codec.EncodedStream;
import dev.l2c.codec.FrequencyTable;
import dev.l2c.codec.RansCodec;
import dev.l2c.codec.RansDecoder;
import dev.l2c.codec.ValueType;
import java.nio.ByteBuffer;
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

/**
 * The CPU rANS codec on a whole buffer of 8-bit symbols per operation: encode, decode to bytes,
 * and decode fused with dequantization to fp32, through the Java API a user holds (decoders built
 * once, in setup). Throughput mode, one op = the whole buffer; the secondary metric "bytes" (see
 * {@link SymbolBytes}) is symbol bytes per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class RansBenchmark {
    @Param({"laplace", "minilm"})
    public String source;

    @Param({"1", "2"})
    public int threads;

    private RansCodec codec;
    private FrequencyTable table;
    private ByteBuffer symbols;
    private EncodedStream stream;
    private float[] values;
    private ByteBuffer bytesOut;
    private ByteBuffer f32Out;
    private RansDecoder<ByteBuffer> byteDecoder;
    private RansDecoder<ByteBuffer> f32Decoder;
    private int n;

    @Setup(Level.Trial)
    public void setup() throws L2cException {
        byte[] data = BenchData.source(source);
        n = data.length;
        codec = new CpuRansCodec(threads);
        table = BenchData.table(data);
        symbols = BenchData.direct(data);
        stream = codec.encodeBytes(symbols, table, EncodedStream.DEFAULT_CHUNK_SYMBOLS);
        values = new float[table.alphabetSize()];
        for (int s = 0; s < values.length; s++) values[s] = (s - BenchData.Q_OFFSET) * 0.01f;
        bytesOut = ByteBuffer.allocateDirect(n);
        f32Out = ByteBuffer.allocateDirect(4 * n);
        byteDecoder = codec.byteDecoder(table);
        f32Decoder = codec.valueDecoder(table, values, ValueType.F32);
        // A decode that does not return the input would make every figure meaningless.
        byteDecoder.decode(stream, 0, stream.chunkCount(), bytesOut);
        if (!bytesOut.equals(symbols)) throw new IllegalStateException("rANS round trip failed on " + source);
    }

    @Benchmark
    public EncodedStream encode(SymbolBytes counter) throws L2cException {
        counter.bytes += n;
        return codec.encodeBytes(symbols, table, EncodedStream.DEFAULT_CHUNK_SYMBOLS);
    }

    @Benchmark
    public ByteBuffer decodeBytes(SymbolBytes counter) throws L2cException {
        counter.bytes += n;
        byteDecoder.decode(stream, 0, stream.chunkCount(), bytesOut);
        return bytesOut;
    }

    @Benchmark
    public ByteBuffer decodeValuesF32(SymbolBytes counter) throws L2cException {
        counter.bytes += n;
        f32Decoder.decode(stream, 0, stream.chunkCount(), f32Out);
        return f32Out;
    }

    @TearDown(Level.Trial)
    public void close() {
        byteDecoder.close();
        f32Decoder.close();
    }
}
