package dev.l2c.codec;

import dev.l2c.L2cException;
import dev.l2c.nativelib.CpuKernels;
import dev.l2c.nativelib.NativeStatus;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;

/**
 * A {@link RansDecoder} over a native decoder handle (src/main/cpp/l2c_cpu.h): slot tables and
 * output built once. The handle is freed by {@link #close}, or by a cleaner if the decoder is
 * dropped unclosed.
 */
final class CpuRansDecoder<B extends Buffer> implements RansDecoder<B> {
    private static final Cleaner CLEANER = Cleaner.create();
    /** Native output kinds (l2c::rans::cpu::DecodeOutput). */
    static final int OUT_U8 = 0;
    static final int OUT_U16 = 1;
    static final int OUT_VALUES = 2;

    /** The handle, apart from the decoder so that the cleaner does not keep the decoder alive. */
    private static final class Handle implements Runnable {
        private volatile long value;

        Handle(long value) {
            this.value = value;
        }

        @Override
        public void run() {
            long h = value;
            value = 0;
            if (h != 0) CpuKernels.l2c_rans_cpu_decoder_free(h);
        }
    }

    private final FrequencyTable table;
    private final int width;
    private final int threads;
    private final Handle handle;
    private final Cleaner.Cleanable cleanable;

    private CpuRansDecoder(FrequencyTable table, int output, float[] values, ValueType type, int width, int threads) {
        int[] status = {0};
        long h = CpuKernels.l2c_rans_cpu_decoder_new(table.freqsNoCopy(), table.alphabetSize(), table.precisionBits(),
                output, values, type == null ? 0 : type.nativeCode(), status);
        if (h == 0) throw new IllegalStateException("rANS decoder (cpu): " + NativeStatus.describe(status[0]));
        this.table = table;
        this.width = width;
        this.threads = threads;
        this.handle = new Handle(h);
        this.cleanable = CLEANER.register(this, handle);
    }

    static CpuRansDecoder<ShortBuffer> symbols(FrequencyTable table, int threads) {
        return new CpuRansDecoder<>(table, OUT_U16, null, null, 2, threads);
    }

    static CpuRansDecoder<ByteBuffer> bytes(FrequencyTable table, int threads) {
        WindowDecoder.requireByteAlphabet(table);
        return new CpuRansDecoder<>(table, OUT_U8, null, null, 1, threads);
    }

    static CpuRansDecoder<ByteBuffer> values(FrequencyTable table, float[] values, ValueType type, int threads) {
        WindowDecoder.requireValues(table, values);
        return new CpuRansDecoder<>(table, OUT_VALUES, values, type, type.bytes(), threads);
    }

    @Override
    public void decode(EncodedStream s, int firstChunk, int chunkCount, B out) throws L2cException {
        WindowDecoder.requireTable(table, s);
        long n = NativeRansCodec.prepareDecode(s, firstChunk, chunkCount, out, out instanceof ShortBuffer ? 1 : width);
        int[] status = new int[chunkCount];
        long[] offsets = s.offsetsOf(firstChunk, chunkCount);
        try {
            long h = handle.value;
            if (h == 0) throw new IllegalStateException("rANS decoder used after close");
            int rc = out instanceof ShortBuffer shorts
                    ? CpuKernels.l2c_rans_cpu_decoder_decode(h, s.payload(), s.payloadBytes(), offsets, chunkCount, n,
                            s.chunkSymbols(), shorts, 2L * shorts.remaining(), threads, status)
                    : CpuKernels.l2c_rans_cpu_decoder_decode(h, s.payload(), s.payloadBytes(), offsets, chunkCount, n,
                            s.chunkSymbols(), (ByteBuffer) out, out.remaining(), threads, status);
            NativeRansCodec.checkDecode("cpu", firstChunk, status, rc);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void close() {
        cleanable.clean();
    }
}
