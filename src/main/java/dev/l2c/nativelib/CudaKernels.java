package dev.l2c.nativelib;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI binding of the CUDA kernels (src/main/cuda). Built only where nvcc exists; the class then
 * fails to load elsewhere, which dev.l2c.backend reports as "cuda backend not built". The rANS
 * calls take host buffers with the contract of the matching CpuKernels calls (no thread count):
 * they copy to device 0, run, and copy results back.
 */
@Platform(include = {"l2c_cuda.h"}, link = "cudart")
public final class CudaKernels {
    static {
        Loader.load();
    }

    private CudaKernels() {}

    public static native int l2c_cuda_device_count();

    public static native int l2c_rans_cuda_encode_u16(
            @Cast("const uint16_t*") ShortBuffer symbols, long n, @Cast("const int32_t*") int[] freqs,
            int alphabet, int precision, int chunkSymbols, @Cast("uint8_t*") ByteBuffer payload,
            long capacity, @Cast("int64_t*") long[] offsets, @Cast("int64_t*") long[] errPos);

    public static native int l2c_rans_cuda_encode_u8(
            @Cast("const uint8_t*") ByteBuffer symbols, long n, @Cast("const int32_t*") int[] freqs,
            int alphabet, int precision, int chunkSymbols, @Cast("uint8_t*") ByteBuffer payload,
            long capacity, @Cast("int64_t*") long[] offsets, @Cast("int64_t*") long[] errPos);

    public static native int l2c_rans_cuda_decode_u16(
            @Cast("const uint8_t*") ByteBuffer payload, long payloadBytes,
            @Cast("const int64_t*") long[] offsets, long count, long n, int chunkSymbols,
            @Cast("const int32_t*") int[] freqs, int alphabet, int precision,
            @Cast("uint16_t*") ShortBuffer out, long outCapacity, @Cast("int32_t*") int[] chunkStatus);

    public static native int l2c_rans_cuda_decode_u8(
            @Cast("const uint8_t*") ByteBuffer payload, long payloadBytes,
            @Cast("const int64_t*") long[] offsets, long count, long n, int chunkSymbols,
            @Cast("const int32_t*") int[] freqs, int alphabet, int precision,
            @Cast("uint8_t*") ByteBuffer out, long outCapacity, @Cast("int32_t*") int[] chunkStatus);

    public static native int l2c_rans_cuda_decode_values(
            @Cast("const uint8_t*") ByteBuffer payload, long payloadBytes,
            @Cast("const int64_t*") long[] offsets, long count, long n, int chunkSymbols,
            @Cast("const int32_t*") int[] freqs, int alphabet, int precision,
            @Cast("const float*") float[] values, int valueType, @Cast("uint8_t*") ByteBuffer out,
            long outBytes, @Cast("int32_t*") int[] chunkStatus);

    public static native int l2c_rans_cuda_histogram_u16(
            @Cast("const uint16_t*") ShortBuffer symbols, long n, int alphabet,
            @Cast("int64_t*") long[] counts, @Cast("int64_t*") long[] errPos);

    public static native int l2c_transform_cuda_forward(
            int kind, @Cast("const float*") FloatBuffer w, long n, int count, long inner,
            @Cast("const float*") FloatBuffer params, @Cast("float*") FloatBuffer c,
            @Cast("int32_t*") IntBuffer q, @Cast("float*") FloatBuffer wHat, @Cast("int64_t*") long[] errPos);

    public static native int l2c_transform_cuda_backward(
            int kind, @Cast("const float*") FloatBuffer w, long n, int count, long inner,
            @Cast("const float*") FloatBuffer params, @Cast("const float*") FloatBuffer gWHat,
            @Cast("const float*") FloatBuffer gC, double gCScale, @Cast("float*") FloatBuffer gW,
            @Cast("float*") FloatBuffer gParams, @Cast("int64_t*") long[] errPos);

    public static native int l2c_counter_cuda_forward(
            @Cast("const float*") FloatBuffer c, long n, int kernel, int resolution, double[] bits,
            @Cast("int64_t*") long[] minSymbol, double[] probs, long probsCapacity,
            @Cast("int64_t*") long[] bins, @Cast("int64_t*") long[] errPos);

    public static native int l2c_counter_cuda_backward(
            @Cast("const float*") FloatBuffer c, long n, int kernel, int resolution, float scale,
            @Cast("float*") FloatBuffer grad, @Cast("int64_t*") long[] errPos);

    public static native int l2c_counter_cuda_forward_backward(
            @Cast("const float*") FloatBuffer c, long n, int kernel, int resolution, double[] bits,
            @Cast("int64_t*") long[] minSymbol, double[] probs, long probsCapacity,
            @Cast("int64_t*") long[] bins, float scale, @Cast("float*") FloatBuffer grad,
            @Cast("int64_t*") long[] errPos);
}
