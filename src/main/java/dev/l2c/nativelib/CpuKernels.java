package dev.l2c.nativelib;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI binding of the CPU kernels (src/main/cpp). Callers go through dev.l2c.backend and
 * dev.l2c.codec, not here. Direct buffers pass their address plus position, never a copy; small
 * arrays (tables, offsets, status) are copied in and out by JavaCPP. Every rANS call returns 0 or
 * a negative status, and so do the transform and counter calls: one set of codes
 * ({@link NativeStatus}, src/main/cpp/l2c/status.h). Null buffers pass NULL.
 */
@Platform(include = {"l2c_cpu.h"})
public final class CpuKernels {
    static {
        Loader.load();
    }

    private CpuKernels() {}

    public static native int l2c_cpu_max_threads();

    /** The message of a native status code (src/main/cpp/l2c/status.h; {@link NativeStatus}). */
    public static native String l2c_status_message(int status);

    /** The best SIMD level this CPU runs: 0 scalar, 1 AVX2, 2 AVX-512 (see {@link SimdLevel}). */
    public static native int l2c_cpu_simd_supported();

    /** The SIMD level every CPU kernel family uses now: the supported one, capped. */
    public static native int l2c_cpu_simd_level();

    /** Caps the SIMD level of every CPU kernel family for the whole process; returns the level now in effect. */
    public static native int l2c_cpu_set_simd_limit(int level);

    public static native int l2c_rans_cpu_encode_u16(
            @Cast("const uint16_t*") ShortBuffer symbols, long n, @Cast("const int32_t*") int[] freqs,
            int alphabet, int precision, int chunkSymbols, @Cast("uint8_t*") ByteBuffer payload,
            long capacity, @Cast("int64_t*") long[] offsets, int threads,
            @Cast("int64_t*") long[] errPos);

    public static native int l2c_rans_cpu_encode_u8(
            @Cast("const uint8_t*") ByteBuffer symbols, long n, @Cast("const int32_t*") int[] freqs,
            int alphabet, int precision, int chunkSymbols, @Cast("uint8_t*") ByteBuffer payload,
            long capacity, @Cast("int64_t*") long[] offsets, int threads,
            @Cast("int64_t*") long[] errPos);

    public static native int l2c_rans_cpu_decode_u16(
            @Cast("const uint8_t*") ByteBuffer payload, long payloadBytes,
            @Cast("const int64_t*") long[] offsets, long count, long n, int chunkSymbols,
            @Cast("const int32_t*") int[] freqs, int alphabet, int precision,
            @Cast("uint16_t*") ShortBuffer out, long outCapacity, int threads,
            @Cast("int32_t*") int[] chunkStatus);

    public static native int l2c_rans_cpu_decode_u8(
            @Cast("const uint8_t*") ByteBuffer payload, long payloadBytes,
            @Cast("const int64_t*") long[] offsets, long count, long n, int chunkSymbols,
            @Cast("const int32_t*") int[] freqs, int alphabet, int precision,
            @Cast("uint8_t*") ByteBuffer out, long outCapacity, int threads,
            @Cast("int32_t*") int[] chunkStatus);

    public static native int l2c_rans_cpu_decode_values(
            @Cast("const uint8_t*") ByteBuffer payload, long payloadBytes,
            @Cast("const int64_t*") long[] offsets, long count, long n, int chunkSymbols,
            @Cast("const int32_t*") int[] freqs, int alphabet, int precision,
            @Cast("const float*") float[] values, int valueType, @Cast("uint8_t*") ByteBuffer out,
            long outBytes, int threads, @Cast("int32_t*") int[] chunkStatus);

    /**
     * A decoder handle (0 on failure, with the status in status[0]): the slot tables of one
     * frequency table and a fixed output (0 u8 symbols, 1 u16 symbols, 2 values: alphabet floats
     * converted to valueType 0 f32, 1 f16, 2 bf16). Freed once by {@link #l2c_rans_cpu_decoder_free}.
     */
    public static native long l2c_rans_cpu_decoder_new(
            @Cast("const int32_t*") int[] freqs, int alphabet, int precision, int output,
            @Cast("const float*") float[] values, int valueType, @Cast("int32_t*") int[] status);

    public static native void l2c_rans_cpu_decoder_free(long handle);

    /** Decodes a window with a live decoder handle into out (outBytes long). */
    public static native int l2c_rans_cpu_decoder_decode(
            long handle, @Cast("const uint8_t*") ByteBuffer payload, long payloadBytes,
            @Cast("const int64_t*") long[] offsets, long count, long n, int chunkSymbols,
            @Cast("uint8_t*") ByteBuffer out, long outBytes, int threads, @Cast("int32_t*") int[] chunkStatus);

    /** {@link #l2c_rans_cpu_decoder_decode} into u16 symbols (outBytes = 2 x the room in shorts). */
    public static native int l2c_rans_cpu_decoder_decode(
            long handle, @Cast("const uint8_t*") ByteBuffer payload, long payloadBytes,
            @Cast("const int64_t*") long[] offsets, long count, long n, int chunkSymbols,
            @Cast("uint8_t*") ShortBuffer out, long outBytes, int threads, @Cast("int32_t*") int[] chunkStatus);

    /** out[0] = sum (a - b)^2 over n floats in double, in an order that no thread count changes. */
    public static native int l2c_squared_difference(
            @Cast("const float*") FloatBuffer a, @Cast("const float*") FloatBuffer b, long n, int threads,
            @Cast("double*") double[] out);

    /** out[0] = sum g (a - b) over n floats in double, in the order of {@link #l2c_squared_difference}. */
    public static native int l2c_dot_difference(
            @Cast("const float*") FloatBuffer g, @Cast("const float*") FloatBuffer a, @Cast("const float*") FloatBuffer b,
            long n, int threads, @Cast("double*") double[] out);

    /** g = (a - b) * scale over n floats. */
    public static native int l2c_scaled_difference(
            @Cast("const float*") FloatBuffer a, @Cast("const float*") FloatBuffer b, long n, double scale,
            @Cast("float*") FloatBuffer g, int threads);

    /**
     * Joins the byte planes of count lossless floats (plane p at planes + p * count) into
     * little-endian elements (l2c/planes.h; layout 0 f32, 1 bf16, 2 two bytes, 3 eight bytes).
     */
    public static native int l2c_planes_join(int layout, @Cast("const uint8_t*") ByteBuffer planes, long planesBytes,
            long count, @Cast("uint8_t*") ByteBuffer out, long outBytes);

    /** n floats to f32/f16/bf16 bits (valueType 0, 1, 2), little-endian, as the fused decoders convert. */
    public static native int l2c_convert_floats(
            @Cast("const float*") FloatBuffer values, long n, int valueType, @Cast("uint8_t*") ByteBuffer out,
            long outBytes);

    public static native int l2c_rans_cpu_histogram_u16(
            @Cast("const uint16_t*") ShortBuffer symbols, long n, int alphabet,
            @Cast("int64_t*") long[] counts, int threads, @Cast("int64_t*") long[] errPos);

    public static native int l2c_transform_cpu_forward(
            int kind, @Cast("const float*") FloatBuffer w, long n, int count, long inner,
            @Cast("const float*") FloatBuffer params, @Cast("float*") FloatBuffer c,
            @Cast("int32_t*") IntBuffer q, @Cast("float*") FloatBuffer wHat, int threads,
            @Cast("int64_t*") long[] errPos);

    public static native int l2c_transform_cpu_backward(
            int kind, @Cast("const float*") FloatBuffer w, long n, int count, long inner,
            @Cast("const float*") FloatBuffer params, @Cast("const float*") FloatBuffer gWHat,
            @Cast("const float*") FloatBuffer gC, double gCScale, @Cast("float*") FloatBuffer gW,
            @Cast("float*") FloatBuffer gParams, int threads, @Cast("int64_t*") long[] errPos);

    public static native int l2c_counter_cpu_forward(
            @Cast("const float*") FloatBuffer c, long n, int kernel, int resolution, double[] bits,
            @Cast("int64_t*") long[] minSymbol, double[] probs, long probsCapacity,
            @Cast("int64_t*") long[] bins, int threads, @Cast("int64_t*") long[] errPos);

    public static native int l2c_counter_cpu_backward(
            @Cast("const float*") FloatBuffer c, long n, int kernel, int resolution, float scale,
            @Cast("float*") FloatBuffer grad, int threads, @Cast("int64_t*") long[] errPos);

    public static native int l2c_counter_cpu_forward_backward(
            @Cast("const float*") FloatBuffer c, long n, int kernel, int resolution, double[] bits,
            @Cast("int64_t*") long[] minSymbol, double[] probs, long probsCapacity,
            @Cast("int64_t*") long[] bins, float scale, @Cast("float*") FloatBuffer grad, int threads,
            @Cast("int64_t*") long[] errPos);

    /**
     * A transform context (0 on failure, with the status in status[0]): one tensor's kind, channel
     * layout, thread count, parameters and backward scratch. Freed once by
     * {@link #l2c_transform_cpu_context_free}.
     */
    public static native long l2c_transform_cpu_context_new(int kind, long n, int count, long inner, int threads,
            @Cast("int32_t*") int[] status);

    public static native void l2c_transform_cpu_context_free(long handle);

    /** Copies len (= kind's P x count) parameters into the context. */
    public static native int l2c_transform_cpu_context_set_params(long handle, @Cast("const float*") FloatBuffer params,
            long len);

    public static native int l2c_transform_cpu_context_forward(long handle, @Cast("const float*") FloatBuffer w, long n,
            @Cast("float*") FloatBuffer c, @Cast("int32_t*") IntBuffer q, @Cast("float*") FloatBuffer wHat,
            @Cast("int64_t*") long[] errPos);

    /** Backward with the context's parameters; WRITES dL/dparams into gParams (gParamsLen floats). */
    public static native int l2c_transform_cpu_context_backward(long handle, @Cast("const float*") FloatBuffer w, long n,
            @Cast("const float*") FloatBuffer gWHat, @Cast("const float*") FloatBuffer gC, double gCScale,
            @Cast("float*") FloatBuffer gW, @Cast("float*") FloatBuffer gParams, long gParamsLen,
            @Cast("int64_t*") long[] errPos);

    /** A counter context (0 on failure, status in status[0]): n, kernel, resolution, threads and scratch. */
    public static native long l2c_counter_cpu_context_new(long n, int kernel, int resolution, int threads,
            @Cast("int32_t*") int[] status);

    public static native void l2c_counter_cpu_context_free(long handle);

    /** The rate of n codes and, with grad non-null, grad = scale * dR/dc; p(k) stay in the context. */
    public static native int l2c_counter_cpu_context_run(long handle, @Cast("const float*") FloatBuffer c, long n,
            float scale, @Cast("float*") FloatBuffer grad, double[] bits, @Cast("int64_t*") long[] minSymbol,
            @Cast("int64_t*") long[] bins, @Cast("int64_t*") long[] errPos);

    /** The last run's p(k) (bins of them) into out. */
    public static native int l2c_counter_cpu_context_probs(long handle, double[] out, long capacity);

    /** One Adam step of KD reconstruction (l2c/adam_cpu.h); units holds count floats. */
    public static native int l2c_recon_adam_step(@Cast("float*") FloatBuffer w, @Cast("const float*") FloatBuffer gW,
            @Cast("float*") FloatBuffer m, @Cast("float*") FloatBuffer v, @Cast("const float*") FloatBuffer anchor,
            @Cast("const uint8_t*") ByteBuffer frozen, long n, @Cast("const float*") float[] units, int count, long inner,
            double lr, double beta1, double beta2, double c1, double c2, double eps, int threads,
            @Cast("int64_t*") long[] errPos);

}
