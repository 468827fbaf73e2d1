package dev.l2c.codec;

import dev.l2c.nativelib.CudaKernels;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;

/**
 * rANS on CUDA device 0: a warp per chunk. Each call copies its inputs to the device and results
 * back. Construct only where the CUDA probe succeeded (dev.l2c.backend.Backends); elsewhere the
 * kernels' class fails to load.
 */
public final class CudaRansCodec extends NativeRansCodec {
    public CudaRansCodec() {
        super("cuda");
    }

    @Override
    int encodeU16(ShortBuffer symbols, long n, int[] freqs, int alphabet, int precision, int chunkSymbols,
            ByteBuffer payload, long capacity, long[] offsets, long[] errPos) {
        return CudaKernels.l2c_rans_cuda_encode_u16(symbols, n, freqs, alphabet, precision, chunkSymbols, payload,
                capacity, offsets, errPos);
    }

    @Override
    int encodeU8(ByteBuffer symbols, long n, int[] freqs, int alphabet, int precision, int chunkSymbols,
            ByteBuffer payload, long capacity, long[] offsets, long[] errPos) {
        return CudaKernels.l2c_rans_cuda_encode_u8(symbols, n, freqs, alphabet, precision, chunkSymbols, payload,
                capacity, offsets, errPos);
    }

    @Override
    int decodeU16(ByteBuffer payload, long payloadBytes, long[] offsets, long count, long n, int chunkSymbols,
            int[] freqs, int alphabet, int precision, ShortBuffer out, long outCapacity, int[] chunkStatus) {
        return CudaKernels.l2c_rans_cuda_decode_u16(payload, payloadBytes, offsets, count, n, chunkSymbols, freqs,
                alphabet, precision, out, outCapacity, chunkStatus);
    }

    @Override
    int decodeU8(ByteBuffer payload, long payloadBytes, long[] offsets, long count, long n, int chunkSymbols,
            int[] freqs, int alphabet, int precision, ByteBuffer out, long outCapacity, int[] chunkStatus) {
        return CudaKernels.l2c_rans_cuda_decode_u8(payload, payloadBytes, offsets, count, n, chunkSymbols, freqs,
                alphabet, precision, out, outCapacity, chunkStatus);
    }

    @Override
    int decodeValues(ByteBuffer payload, long payloadBytes, long[] offsets, long count, long n,
            int chunkSymbols, int[] freqs, int alphabet, int precision, float[] values, int valueType,
            ByteBuffer out, long outBytes, int[] chunkStatus) {
        return CudaKernels.l2c_rans_cuda_decode_values(payload, payloadBytes, offsets, count, n, chunkSymbols,
                freqs, alphabet, precision, values, valueType, out, outBytes, chunkStatus);
    }

    @Override
    int histogramU16(ShortBuffer symbols, long n, int alphabet, long[] counts, long[] errPos) {
        return CudaKernels.l2c_rans_cuda_histogram_u16(symbols, n, alphabet, counts, errPos);
    }
}
