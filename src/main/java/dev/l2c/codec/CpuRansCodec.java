package dev.l2c.codec;

import dev.l2c.nativelib.CpuKernels;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;

/**
 * rANS on the CPU: chunks spread over {@code threads} OpenMP threads. Its decoders
 * ({@link #symbolDecoder} and the others) keep native tables built once.
 */
public final class CpuRansCodec extends NativeRansCodec {
    private final int threads;

    /** @param threads CPU threads to use, at least 1 */
    public CpuRansCodec(int threads) {
        super("cpu");
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, not " + threads);
        this.threads = threads;
    }

    public int threads() {
        return threads;
    }

    @Override
    int encodeU16(ShortBuffer symbols, long n, int[] freqs, int alphabet, int precision, int chunkSymbols,
            ByteBuffer payload, long capacity, long[] offsets, long[] errPos) {
        return CpuKernels.l2c_rans_cpu_encode_u16(symbols, n, freqs, alphabet, precision, chunkSymbols, payload,
                capacity, offsets, threads, errPos);
    }

    @Override
    int encodeU8(ByteBuffer symbols, long n, int[] freqs, int alphabet, int precision, int chunkSymbols,
            ByteBuffer payload, long capacity, long[] offsets, long[] errPos) {
        return CpuKernels.l2c_rans_cpu_encode_u8(symbols, n, freqs, alphabet, precision, chunkSymbols, payload,
                capacity, offsets, threads, errPos);
    }

    @Override
    int decodeU16(ByteBuffer payload, long payloadBytes, long[] offsets, long count, long n, int chunkSymbols,
            int[] freqs, int alphabet, int precision, ShortBuffer out, long outCapacity, int[] chunkStatus) {
        return CpuKernels.l2c_rans_cpu_decode_u16(payload, payloadBytes, offsets, count, n, chunkSymbols, freqs,
                alphabet, precision, out, outCapacity, threads, chunkStatus);
    }

    @Override
    int decodeU8(ByteBuffer payload, long payloadBytes, long[] offsets, long count, long n, int chunkSymbols,
            int[] freqs, int alphabet, int precision, ByteBuffer out, long outCapacity, int[] chunkStatus) {
        return CpuKernels.l2c_rans_cpu_decode_u8(payload, payloadBytes, offsets, count, n, chunkSymbols, freqs,
                alphabet, precision, out, outCapacity, threads, chunkStatus);
    }

    @Override
    int decodeValues(ByteBuffer payload, long payloadBytes, long[] offsets, long count, long n,
            int chunkSymbols, int[] freqs, int alphabet, int precision, float[] values, int valueType,
            ByteBuffer out, long outBytes, int[] chunkStatus) {
        return CpuKernels.l2c_rans_cpu_decode_values(payload, payloadBytes, offsets, count, n, chunkSymbols,
                freqs, alphabet, precision, values, valueType, out, outBytes, threads, chunkStatus);
    }

    @Override
    public RansDecoder<ShortBuffer> symbolDecoder(FrequencyTable table) {
        return CpuRansDecoder.symbols(table, threads);
    }

    @Override
    public RansDecoder<ByteBuffer> byteDecoder(FrequencyTable table) {
        return CpuRansDecoder.bytes(table, threads);
    }

    @Override
    public RansDecoder<ByteBuffer> valueDecoder(FrequencyTable table, float[] values, ValueType type) {
        return CpuRansDecoder.values(table, values, type, threads);
    }

    @Override
    int histogramU16(ShortBuffer symbols, long n, int alphabet, long[] counts, long[] errPos) {
        return CpuKernels.l2c_rans_cpu_histogram_u16(symbols, n, alphabet, counts, threads, errPos);
    }
}
