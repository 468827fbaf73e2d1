package dev.l2c.codec;

import dev.l2c.L2cException;
import dev.l2c.nativelib.NativeStatus;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;

/**
 * The Java side shared by the native backends: argument checks, buffer sizing, and turning native
 * status codes into L2cException messages that name the chunk or symbol position. Subclasses only
 * forward to their kernels, which share one calling convention.
 */
abstract class NativeRansCodec implements RansCodec {
    private final String name;

    NativeRansCodec(String name) {
        this.name = name;
    }

    abstract int encodeU16(ShortBuffer symbols, long n, int[] freqs, int alphabet, int precision,
            int chunkSymbols, ByteBuffer payload, long capacity, long[] offsets, long[] errPos);

    abstract int encodeU8(ByteBuffer symbols, long n, int[] freqs, int alphabet, int precision,
            int chunkSymbols, ByteBuffer payload, long capacity, long[] offsets, long[] errPos);

    abstract int decodeU16(ByteBuffer payload, long payloadBytes, long[] offsets, long count, long n,
            int chunkSymbols, int[] freqs, int alphabet, int precision, ShortBuffer out, long outCapacity,
            int[] chunkStatus);

    abstract int decodeU8(ByteBuffer payload, long payloadBytes, long[] offsets, long count, long n,
            int chunkSymbols, int[] freqs, int alphabet, int precision, ByteBuffer out, long outCapacity,
            int[] chunkStatus);

    abstract int decodeValues(ByteBuffer payload, long payloadBytes, long[] offsets, long count, long n,
            int chunkSymbols, int[] freqs, int alphabet, int precision, float[] values, int valueType,
            ByteBuffer out, long outBytes, int[] chunkStatus);

    abstract int histogramU16(ShortBuffer symbols, long n, int alphabet, long[] counts, long[] errPos);

    @Override
    public EncodedStream encode(ShortBuffer symbols, FrequencyTable table, int chunkSymbols)
            throws L2cException {
        requireDirect(symbols, "symbols");
        long n = symbols.remaining();
        Encoding e = new Encoding(table, n, chunkSymbols);
        e.check(encodeU16(symbols, n, table.freqsNoCopy(), table.alphabetSize(), table.precisionBits(),
                chunkSymbols, e.scratch, e.scratch.capacity(), e.offsets, e.errPos));
        return e.result();
    }

    @Override
    public EncodedStream encodeBytes(ByteBuffer symbols, FrequencyTable table, int chunkSymbols)
            throws L2cException {
        requireDirect(symbols, "symbols");
        long n = symbols.remaining();
        Encoding e = new Encoding(table, n, chunkSymbols);
        e.check(encodeU8(symbols, n, table.freqsNoCopy(), table.alphabetSize(), table.precisionBits(),
                chunkSymbols, e.scratch, e.scratch.capacity(), e.offsets, e.errPos));
        return e.result();
    }

    /**
     * The calling thread's encode scratch of at least {@code bytes}: allocating and zeroing the
     * worst case (2 bytes per symbol) on every call cost more than the encode itself, and churned
     * direct memory until the JVM stalled in System.gc(). Kept per thread up to
     * {@link #KEPT_SCRATCH_BYTES}; larger ones are made for the call.
     */
    private static ByteBuffer scratch(int bytes) {
        ByteBuffer kept = SCRATCH.get();
        if (kept != null && kept.capacity() >= bytes) return kept.clear();
        ByteBuffer made = ByteBuffer.allocateDirect(bytes);
        if (bytes <= KEPT_SCRATCH_BYTES) SCRATCH.set(made);
        return made;
    }

    private static final int KEPT_SCRATCH_BYTES = 256 << 20;
    private static final ThreadLocal<ByteBuffer> SCRATCH = new ThreadLocal<>();

    /** Worst-case scratch space, offsets and the compacted result of one encode call. */
    private final class Encoding {
        final FrequencyTable table;
        final long n;
        final int chunkSymbols;
        final ByteBuffer scratch;
        final long[] offsets;
        final long[] errPos = {-1};

        Encoding(FrequencyTable table, long n, int chunkSymbols) throws L2cException {
            if (!EncodedStream.validChunkSymbols(chunkSymbols))
                throw new IllegalArgumentException(
                        "chunk size " + chunkSymbols + " is not a positive multiple of 32");
            this.table = table;
            this.n = n;
            this.chunkSymbols = chunkSymbols;
            long chunks = EncodedStream.chunkCount(n, chunkSymbols);
            long worst = EncodedStream.CHUNK_HEADER_BYTES * chunks + 2 * n;
            if (worst > Integer.MAX_VALUE - 8)
                throw new L2cException("rANS encode: " + n + " symbols may need " + worst
                        + " bytes, over the 2 GiB buffer limit; encode them in windows of whole chunks");
            this.scratch = scratch((int) worst);
            this.offsets = new long[(int) chunks + 1];
        }

        void check(int status) throws L2cException {
            if (status == NativeStatus.OK.code) return;
            if (status == NativeStatus.ERR_SYMBOL.code && errPos[0] >= 0)
                throw new L2cException("rANS encode (" + name + "): symbol at position " + errPos[0]
                        + ": " + NativeStatus.describe(status));
            throw new L2cException("rANS encode (" + name + "): " + NativeStatus.describe(status));
        }

        EncodedStream result() {
            int used = (int) offsets[offsets.length - 1];
            ByteBuffer payload = ByteBuffer.allocateDirect(used);
            payload.put(scratch.duplicate().clear().limit(used)).flip();
            return new EncodedStream(table, n, chunkSymbols, offsets, payload);
        }
    }

    @Override
    public void decodeSymbols(EncodedStream s, int firstChunk, int chunkCount, ShortBuffer out)
            throws L2cException {
        long n = prepareDecode(s, firstChunk, chunkCount, out, 1);
        int[] status = new int[chunkCount];
        FrequencyTable t = s.table();
        checkDecode(firstChunk, status, decodeU16(s.payload(), s.payloadBytes(), s.offsetsOf(firstChunk, chunkCount),
                chunkCount, n, s.chunkSymbols(), t.freqsNoCopy(), t.alphabetSize(), t.precisionBits(), out,
                out.remaining(), status));
    }

    @Override
    public void decodeBytes(EncodedStream s, int firstChunk, int chunkCount, ByteBuffer out)
            throws L2cException {
        if (s.table().alphabetSize() > 256)
            throw new IllegalArgumentException("byte decoding needs an alphabet of at most 256 symbols, not "
                    + s.table().alphabetSize());
        long n = prepareDecode(s, firstChunk, chunkCount, out, 1);
        int[] status = new int[chunkCount];
        FrequencyTable t = s.table();
        checkDecode(firstChunk, status, decodeU8(s.payload(), s.payloadBytes(), s.offsetsOf(firstChunk, chunkCount),
                chunkCount, n, s.chunkSymbols(), t.freqsNoCopy(), t.alphabetSize(), t.precisionBits(), out,
                out.remaining(), status));
    }

    @Override
    public void decodeValues(EncodedStream s, int firstChunk, int chunkCount, float[] values, ValueType type,
            ByteBuffer out) throws L2cException {
        if (values.length != s.table().alphabetSize())
            throw new IllegalArgumentException(values.length + " values for an alphabet of "
                    + s.table().alphabetSize() + " symbols");
        long n = prepareDecode(s, firstChunk, chunkCount, out, type.bytes());
        int[] status = new int[chunkCount];
        FrequencyTable t = s.table();
        checkDecode(firstChunk, status, decodeValues(s.payload(), s.payloadBytes(),
                s.offsetsOf(firstChunk, chunkCount), chunkCount, n, s.chunkSymbols(), t.freqsNoCopy(),
                t.alphabetSize(), t.precisionBits(), values, type.nativeCode(), out, out.remaining(), status));
    }

    /** Checks the range and the output room; returns the number of symbols in the range. */
    static long prepareDecode(EncodedStream s, int firstChunk, int chunkCount, Buffer out, int width) {
        requireDirect(out, "output");
        long n = s.symbolsIn(firstChunk, chunkCount);
        if (out.remaining() / width < n)
            throw new IllegalArgumentException("output has room for " + out.remaining() / width
                    + " values, chunks [" + firstChunk + ", " + (firstChunk + chunkCount) + ") hold " + n);
        return n;
    }

    private void checkDecode(int firstChunk, int[] chunkStatus, int status) throws L2cException {
        checkDecode(name, firstChunk, chunkStatus, status);
    }

    /** Throws the error of a decode call that did not return OK, naming the first bad chunk. */
    static void checkDecode(String name, int firstChunk, int[] chunkStatus, int status) throws L2cException {
        if (status == NativeStatus.OK.code) return;
        for (int i = 0; i < chunkStatus.length; i++) {
            if (chunkStatus[i] != NativeStatus.OK.code)
                throw new L2cException("rANS chunk " + (firstChunk + i) + " (" + name + "): "
                        + NativeStatus.describe(chunkStatus[i]));
        }
        throw new L2cException("rANS decode (" + name + "): " + NativeStatus.describe(status));
    }

    @Override
    public long[] histogram(ShortBuffer symbols, int alphabetSize) throws L2cException {
        requireDirect(symbols, "symbols");
        if (alphabetSize < 1 || alphabetSize > FrequencyTable.MAX_ALPHABET)
            throw new IllegalArgumentException("alphabet size " + alphabetSize + " outside [1, 65536]");
        long[] counts = new long[alphabetSize];
        long[] errPos = {-1};
        int status = histogramU16(symbols, symbols.remaining(), alphabetSize, counts, errPos);
        if (status == NativeStatus.OK.code) return counts;
        if (status == NativeStatus.ERR_SYMBOL.code)
            throw new L2cException("rANS histogram (" + name + "): symbol at position " + errPos[0]
                    + " is not below the alphabet size " + alphabetSize);
        throw new L2cException("rANS histogram (" + name + "): " + NativeStatus.describe(status));
    }

    private static void requireDirect(Buffer b, String what) {
        if (!b.isDirect()) throw new IllegalArgumentException(what + " must be a direct buffer");
        if (b instanceof ShortBuffer sb && sb.order() != ByteOrder.nativeOrder())
            throw new IllegalArgumentException(what + " must be in native byte order");
    }
}
