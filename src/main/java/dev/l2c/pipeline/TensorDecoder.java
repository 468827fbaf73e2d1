package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.codec.EncodedStream;
import dev.l2c.codec.FloatPlaneCodec;
import dev.l2c.codec.FrequencyTable;
import dev.l2c.codec.PackedSymbols;
import dev.l2c.codec.RansCodec;
import dev.l2c.codec.RansDecoder;
import dev.l2c.codec.SingleLaneRans;
import dev.l2c.codec.ValueType;
import dev.l2c.format.L2cReader;
import dev.l2c.format.StreamCoding;
import dev.l2c.format.StreamInfo;
import dev.l2c.format.TensorInfo;
import dev.l2c.io.DirectBuffers;
import dev.l2c.format.TensorKind;
import dev.l2c.model.DType;
import dev.l2c.model.Tensor;
import dev.l2c.transform.Channels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decodes one tensor of a .l2c file back into a model tensor, or only checks that it decodes.
 * rANS streams are read and decoded in batches of whole chunks of at most {@link #BATCH_SYMBOLS}
 * symbols and about {@link #BATCH_BYTES} coded bytes, through buffers reused from batch to batch,
 * so what a decode needs beyond its output is bounded whatever the file declares. Not thread-safe.
 * Public for {@code dev.l2c.api.L2cFile}, the entry point for code outside l2c.
 */
public final class TensorDecoder {
    /** Most symbols one batch decodes; chunkSymbols is at most this (docs/FORMAT.md), so one chunk always fits. */
    static final long BATCH_SYMBOLS = 1 << 24;
    /** Coded bytes after which a batch stops growing (a single chunk may be up to 128 + 2 x 2^24 bytes). */
    static final long BATCH_BYTES = 1 << 25;
    /** Elements per block of a lossless tensor's planes (see {@link #losslessBlock}): the default 1 MiB raw CRC block. */
    static final int LOSSLESS_BLOCK = 1 << 20;

    private static final Pattern CODEC_CHUNK = Pattern.compile("rANS chunk (\\d+)");

    private final String file;
    private final L2cReader reader;
    private final RansCodec rans;
    private final long batchSymbols;
    private ByteBuffer payloadScratch = ByteBuffer.allocateDirect(0);
    private ByteBuffer outputScratch = ByteBuffer.allocateDirect(0);
    /** Byte planes of lossless tensors, reused from tensor to tensor (see {@link #planeScratch}). */
    private ByteBuffer planeScratch;

    public TensorDecoder(String file, L2cReader reader, RansCodec rans) {
        this(file, reader, rans, BATCH_SYMBOLS);
    }

    /** With batches of at most {@code batchSymbols} symbols (tests use small ones to get many batches). */
    TensorDecoder(String file, L2cReader reader, RansCodec rans, long batchSymbols) {
        this.file = file;
        this.reader = reader;
        this.rans = rans;
        this.batchSymbols = batchSymbols;
    }

    /** Receives one decoded batch: {@code batch} holds the symbols from {@code firstSymbol} on. */
    private interface BatchSink {
        void decode(EncodedStream batch, long firstSymbol) throws L2cException;
    }

    /**
     * Decodes {@code t}; {@code type} is the wanted float type of a float tensor, or null for its
     * original type. Errors name the file and the tensor.
     */
    public Tensor decode(TensorInfo t, ValueType type) throws L2cException {
        DType original = Formats.model(t.dtype());
        checkType(t, original);
        checkSize(t);
        return switch (t.kind()) {
            case QUANTIZED -> quantized(t, original, type);
            case LOSSLESS_FLOAT -> convert(lossless(t, original), type);
            case RAW -> convert(raw(t, original), original.isFloat() ? type : null);
        };
    }

    /**
     * The type {@link #decode} gives {@code t} for the wanted {@code type}: {@code type} for every
     * floating-point tensor, however stored; its original type when {@code type} is null or the
     * tensor is not floating point (integers are never converted).
     */
    public static DType decodedType(TensorInfo t, ValueType type) {
        DType original = Formats.model(t.dtype());
        return type == null || !original.isFloat() ? original : Formats.model(type);
    }

    /**
     * Checks before any decoding that {@code t} can be decoded into memory; returns its decoded
     * byte size for {@code type}.
     */
    public long decodedBytes(TensorInfo t, ValueType type) throws L2cException {
        checkType(t, Formats.model(t.dtype()));
        checkSize(t);
        return t.elementCount() * decodedType(t, type).byteSize();
    }

    /**
     * Writes to {@code out} the bytes {@link #decode} would give. A quantized tensor with one
     * transform for the whole tensor goes batch by batch, so only a batch is held; the others are
     * decoded whole first.
     */
    public void write(TensorInfo t, ValueType type, WritableByteChannel out) throws L2cException, IOException {
        decodeTo(t, type, new BatchTarget() {
            @Override
            public ByteBuffer next(long firstByte, long bytes) {
                return output(bytes);
            }

            @Override
            public void filled(ByteBuffer batch) throws IOException {
                writeFully(out, batch);
            }
        }, out);
    }

    /**
     * Puts into {@code dst} (from its position, which advances) the bytes {@link #decode} would
     * give. Into a direct buffer a streamed quantized tensor is decoded in place, batch by batch,
     * with no copy (what an embedding program loading a model wants); a heap buffer gets each batch
     * copied in.
     */
    public void decodeInto(TensorInfo t, ValueType type, ByteBuffer dst) throws L2cException, IOException {
        int base = dst.position();
        long bytes = decodedBytes(t, type);
        if (dst.remaining() < bytes) throw new IllegalArgumentException("the buffer holds " + dst.remaining() + " bytes, not " + bytes);
        WritableByteChannel put = new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) {
                int n = src.remaining();
                dst.put(src);
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };
        boolean inPlace = dst.isDirect();
        decodeTo(t, type, new BatchTarget() {
            @Override
            public ByteBuffer next(long firstByte, long n) {
                return inPlace ? dst.slice(Math.toIntExact(base + firstByte), Math.toIntExact(n)) : output(n);
            }

            @Override
            public void filled(ByteBuffer batch) {
                if (!inPlace) dst.put(batch);
            }

            @Override
            public ByteBuffer whole(long n) {
                return inPlace ? dst.slice(base, Math.toIntExact(n)) : null;
            }
        }, put);
        dst.position(Math.toIntExact(base + bytes));
    }

    /** Where the batches of a streamed tensor are decoded: a buffer for each, then told it is filled. */
    private interface BatchTarget {
        ByteBuffer next(long firstByte, long bytes);

        void filled(ByteBuffer batch) throws IOException;

        /** A direct buffer of the whole tensor's {@code bytes} to decode into in place, or null. */
        default ByteBuffer whole(long bytes) {
            return null;
        }
    }

    /** Streamed tensors batch by batch into {@code target}; the others decoded whole and written to {@code out}. */
    private void decodeTo(TensorInfo t, ValueType type, BatchTarget target, WritableByteChannel out) throws L2cException, IOException {
        DType original = Formats.model(t.dtype());
        boolean streamed = t.kind() == TensorKind.QUANTIZED && !hostSymbols(t) && t.transform().channelAxis() < 0
                && (type != null || original != DType.F64);
        if (t.kind() == TensorKind.LOSSLESS_FLOAT && decodedType(t, type) == original) {
            ByteBuffer whole = target.whole(decodedBytes(t, type));
            if (whole != null) {
                joinLossless(t, original, whole);
                return;
            }
        }
        if (!streamed) {
            ByteBuffer own = decodedType(t, type) == original ? ownBytes(t, original) : null;
            if (own == null) {
                writeFully(out, decode(t, type).data());
                return;
            }
            // Freed once written: a folder of many large tensors is written in the memory of one.
            try {
                writeFully(out, own.duplicate());
            } finally {
                DirectBuffers.free(own);
            }
            return;
        }
        decodedBytes(t, type);
        FrequencyTable table = quantizedTable(t);
        ValueType as = type != null ? type : Formats.valueType(original);
        try (RansDecoder<ByteBuffer> decoder = rans.valueDecoder(table, Transforms.values(t.transform(), t.alphabet()), as)) {
            forEachBatch(t, 0, table, (batch, first) -> {
                ByteBuffer dst = target.next(first * as.bytes(), batch.symbolCount() * as.bytes());
                decoder.decode(batch, 0, batch.chunkCount(), dst);
                try {
                    target.filled(dst);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (L2cException e) {
            throw named(t, "", e);
        }
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) out.write(bytes);
    }

    /**
     * Checks that {@code t} decodes: its streams fit its kind and shape, its transform is usable and
     * every rANS chunk decodes. RAW payloads are left to the reader's CRC checks. Nothing the size
     * of the tensor is allocated.
     */
    void verify(TensorInfo t) throws L2cException {
        DType original = Formats.model(t.dtype());
        checkType(t, original);
        switch (t.kind()) {
            case QUANTIZED -> {
                if (hostSymbols(t)) {
                    checkTransform(t);
                    hostSymbolsOf(t);
                } else {
                    decodeSymbols(t, 0, quantizedTable(t));
                }
            }
            case LOSSLESS_FLOAT -> {
                int planes = Formats.planeLayout(original).planes;
                requireStreams(t, planes);
                for (int p = 0; p < planes; p++) {
                    checkPlane(t, p);
                    if (t.streams().get(p).coding() == StreamCoding.RANS) decodeSymbols(t, p, table(t, p));
                }
            }
            case RAW -> raw(t, original, false);
        }
    }

    /** An error about tensor {@code t} found here (reader errors name the file and tensor already). */
    private L2cException fail(TensorInfo t, String message, Throwable cause) {
        return new L2cException(file + ": tensor " + t.name() + ": " + message, cause);
    }

    /** {@code e} with {@code what} about tensor {@code t} in front, unless the reader named the file already. */
    private L2cException named(TensorInfo t, String what, L2cException e) {
        return e.getMessage().startsWith(file + ": ") ? e : fail(t, what + e.getMessage(), e);
    }

    /** Checks the one stream of a QUANTIZED tensor against its shape, alphabet and transform; returns its table. */
    private FrequencyTable quantizedTable(TensorInfo t) throws L2cException {
        requireStreams(t, 1);
        FrequencyTable table = table(t, 0);
        long count = t.elementCount();
        long symbols = t.streams().get(0).elementCount();
        if (symbols != count) throw fail(t, "stream holds " + symbols + " symbols for " + count + " elements", null);
        if (t.alphabet().length != table.alphabetSize()) {
            throw fail(t, "alphabet has " + t.alphabet().length + " symbols, frequency table " + table.alphabetSize(), null);
        }
        checkTransform(t);
        return table;
    }

    /** Checks that the transform of quantized tensor {@code t} decodes (parameters, channel axis). */
    private void checkTransform(TensorInfo t) throws L2cException {
        try {
            if (t.transform().channelAxis() < 0) {
                Transforms.values(t.transform(), t.alphabet());
            } else {
                Transforms.channels(t.transform(), t.shape());
            }
        } catch (L2cException e) {
            throw fail(t, e.getMessage(), e);
        }
    }

    /**
     * Whether quantized tensor {@code t} keeps its symbols in a small stream decoded on the host:
     * raw, one 1- or 2-byte dense index per element (format version 2), bit-packed or coded by
     * single-lane rANS (version 4). These are small tensors, where 32 rANS lane states would cost
     * more than the symbols.
     */
    private static boolean hostSymbols(TensorInfo t) {
        if (t.streams().size() != 1) return false;
        StreamCoding c = t.streams().get(0).coding();
        return c == StreamCoding.RAW || c.isSmall();
    }

    /** The dense symbols of a quantized tensor in a host-decoded stream, each checked against the alphabet. */
    private ShortBuffer hostSymbolsOf(TensorInfo t) throws L2cException {
        StreamInfo s = t.streams().get(0);
        long n = t.elementCount();
        int width = s.elementBytes();
        int alphabet = t.alphabet().length;
        if (s.elementCount() != n || (width != 1 && width != 2)) {
            throw fail(t, "symbol stream holds " + s.elementCount() + " x " + width + " bytes for " + n
                    + " elements (1- or 2-byte symbols)", null);
        }
        if (s.coding() != StreamCoding.RAW) return smallStreamSymbols(t, s, (int) n, alphabet);
        if (reader.version() < 2) throw fail(t, "symbols stored raw, which format version " + reader.version() + " does not define", null);
        if (n * width > Integer.MAX_VALUE - 8) throw fail(t, "raw symbol stream of " + n + " symbols is too large", null);
        ByteBuffer bytes = reader.rawStream(t, 0, 0, (int) (n * width)).order(ByteOrder.LITTLE_ENDIAN);
        ShortBuffer symbols = symbolBuffer(n);
        for (int i = 0; i < n; i++) {
            int k = width == 1 ? bytes.get(i) & 0xff : bytes.getShort(2 * i) & 0xffff;
            if (k >= alphabet) throw fail(t, "symbol " + k + " of element " + i + " lies outside the alphabet of " + alphabet, null);
            symbols.put(i, (short) k);
        }
        return symbols;
    }

    /**
     * The number of zero weights of quantized tensor {@code t} in a small stream (PACKED or
     * SINGLE_LANE_RANS), counted from its symbols: such tensors carry no zeros attribute.
     */
    static long smallStreamZeros(String file, L2cReader reader, TensorInfo t) throws L2cException {
        int zero = -1;
        for (int k = 0; k < t.alphabet().length; k++) if (t.alphabet()[k] == 0) zero = k;
        if (zero < 0) return 0;
        TensorDecoder d = new TensorDecoder(file, reader, null);
        ShortBuffer symbols = d.hostSymbolsOf(t);
        long zeros = 0;
        for (int i = 0; i < t.elementCount(); i++) if ((symbols.get(i) & 0xffff) == zero) zeros++;
        return zeros;
    }

    /** Symbols of a PACKED or SINGLE_LANE_RANS stream (at most 2^16, checked by the reader). */
    private ShortBuffer smallStreamSymbols(TensorInfo t, StreamInfo s, int n, int alphabet) throws L2cException {
        ByteBuffer payload = reader.smallStream(t, 0);
        ShortBuffer symbols = symbolBuffer(n);
        try {
            if (s.coding() == StreamCoding.PACKED) {
                PackedSymbols.unpack(payload, n, s.packedBits(), alphabet, symbols);
            } else {
                FrequencyTable table = table(t, 0);
                if (table.alphabetSize() != alphabet) {
                    throw fail(t, "alphabet has " + alphabet + " symbols, frequency table " + table.alphabetSize(), null);
                }
                SingleLaneRans.decode(payload, n, table, symbols);
            }
        } catch (L2cException e) {
            throw named(t, "", e);
        }
        return symbols;
    }

    private static ShortBuffer symbolBuffer(long n) {
        return ByteBuffer.allocateDirect((int) Math.max(2, 2 * n)).order(ByteOrder.nativeOrder()).asShortBuffer();
    }

    /** A quantized tensor whose symbols lie in a host-decoded stream: small. */
    private Tensor fromHostSymbols(TensorInfo t, ValueType out, int count) throws L2cException {
        checkTransform(t);
        ShortBuffer symbols = hostSymbolsOf(t);
        float[] weights;
        if (t.transform().channelAxis() < 0) {
            float[] values = Transforms.values(t.transform(), t.alphabet());
            weights = new float[count];
            for (int i = 0; i < count; i++) weights[i] = values[symbols.get(i) & 0xffff];
        } else {
            weights = Transforms.dequantize(t.transform(), symbols, t.alphabet(), Transforms.channels(t.transform(), t.shape()), count);
        }
        return Conversions.convert(Tensor.ofFloats(t.name(), t.shape(), weights), Formats.model(out));
    }

    private Tensor quantized(TensorInfo t, DType original, ValueType type) throws L2cException {
        requireStreams(t, 1);
        int count = (int) t.elementCount();
        ValueType out = type != null ? type : Formats.valueType(original);
        Tensor decoded;
        try {
            if (hostSymbols(t)) {
                decoded = fromHostSymbols(t, out, count);
            } else {
                FrequencyTable table = quantizedTable(t);
                decoded = t.transform().channelAxis() < 0 ? fused(t, table, out, count) : perChannel(t, table, out, count);
            }
        } catch (L2cException e) {
            throw named(t, "", e);
        }
        // f64 originals decode through f32 and widen back when no type was asked for.
        return type == null && original == DType.F64 ? Conversions.convert(decoded, DType.F64) : decoded;
    }

    /** One value table for the whole tensor: decoding writes the weights directly. */
    private Tensor fused(TensorInfo t, FrequencyTable table, ValueType out, int count) throws L2cException {
        int width = out.bytes();
        ByteBuffer dst = ByteBuffer.allocateDirect(Math.multiplyExact(count, width)).order(ByteOrder.LITTLE_ENDIAN);
        try (RansDecoder<ByteBuffer> decoder = rans.valueDecoder(table, Transforms.values(t.transform(), t.alphabet()), out)) {
            forEachBatch(t, 0, table, (batch, first) -> decoder.decode(batch, 0, batch.chunkCount(),
                    dst.slice((int) first * width, (int) batch.symbolCount() * width)));
        }
        return new Tensor(t.name(), Formats.model(out), t.shape(), dst);
    }

    private Tensor perChannel(TensorInfo t, FrequencyTable table, ValueType out, int count) throws L2cException {
        Channels channels = Transforms.channels(t.transform(), t.shape());
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.multiplyExact(count, 2)).order(ByteOrder.nativeOrder());
        try (RansDecoder<ShortBuffer> decoder = rans.symbolDecoder(table)) {
            forEachBatch(t, 0, table, (batch, first) -> decoder.decode(batch, 0, batch.chunkCount(),
                    bytes.slice((int) first * 2, (int) batch.symbolCount() * 2).order(ByteOrder.nativeOrder()).asShortBuffer()));
        }
        float[] weights = Transforms.dequantize(t.transform(), bytes.asShortBuffer(), t.alphabet(), channels, count);
        return Conversions.convert(Tensor.ofFloats(t.name(), t.shape(), weights), Formats.model(out));
    }

    /**
     * The bytes of a RAW or LOSSLESS_FLOAT tensor in their original type, in a buffer the caller
     * owns (and may free); null for a QUANTIZED one.
     */
    private ByteBuffer ownBytes(TensorInfo t, DType original) throws L2cException {
        checkType(t, original);
        checkSize(t);
        return switch (t.kind()) {
            case RAW -> rawBytes(t, original);
            case LOSSLESS_FLOAT -> losslessBytes(t, original);
            case QUANTIZED -> null;
        };
    }

    private Tensor lossless(TensorInfo t, DType original) throws L2cException {
        return new Tensor(t.name(), original, t.shape(), losslessBytes(t, original));
    }

    private ByteBuffer losslessBytes(TensorInfo t, DType original) throws L2cException {
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(t.elementCount() * original.byteSize()));
        joinLossless(t, original, out);
        return out.order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Decodes the byte planes of LOSSLESS_FLOAT tensor {@code t} and joins them into {@code out}'s
     * first bytes (a direct buffer of at least the tensor's bytes), as its original type. The planes
     * go block by block ({@link #losslessBlock} elements), so the join reads them from the cache
     * and the scratch is a few MB whatever the tensor's size.
     */
    private void joinLossless(TensorInfo t, DType original, ByteBuffer out) throws L2cException {
        FloatPlaneCodec.Layout layout = Formats.planeLayout(original);
        requireStreams(t, layout.planes);
        for (int p = 0; p < layout.planes; p++) checkPlane(t, p);
        int count = (int) t.elementCount();
        int width = original.byteSize();
        int block = losslessBlock(t, count);
        // planes x block <= the tensor's bytes, which checkSize kept within a buffer.
        ByteBuffer planes = planeScratch(layout.planes * block);
        FrequencyTable[] tables = new FrequencyTable[layout.planes];
        List<RansDecoder<ByteBuffer>> decoders = new ArrayList<>();
        try {
            for (int p = 0; p < layout.planes; p++) {
                boolean raw = t.streams().get(p).coding() == StreamCoding.RAW;
                tables[p] = raw ? null : table(t, p);
                decoders.add(raw ? null : rans.byteDecoder(tables[p]));
            }
            for (int first = 0; first < count; first += block) {
                int n = Math.min(block, count - first);
                for (int p = 0; p < layout.planes; p++) {
                    ByteBuffer plane = planes.slice(p * n, n);
                    if (tables[p] == null) {
                        // Read through the payload buffer the rANS batches reuse; copied out at once.
                        if (payloadScratch.capacity() < n) payloadScratch = ByteBuffer.allocateDirect(n);
                        plane.put(0, reader.rawStream(t, p, first, n, payloadScratch), 0, n);
                    } else {
                        decodePlaneBlock(t, p, tables[p], decoders.get(p), first, n, plane);
                    }
                }
                try {
                    FloatPlaneCodec.join(layout, planes.slice(0, layout.planes * n), n, out.slice(first * width, n * width));
                } catch (L2cException e) {
                    throw fail(t, e.getMessage(), e);
                }
            }
        } finally {
            for (RansDecoder<ByteBuffer> d : decoders) if (d != null) d.close();
        }
    }

    /** Elements [first, first + n) of rANS plane {@code p} into {@code plane}; first and n are whole chunks but at the end. */
    private void decodePlaneBlock(TensorInfo t, int p, FrequencyTable table, RansDecoder<ByteBuffer> decoder, int first, int n,
            ByteBuffer plane) throws L2cException {
        StreamInfo info = t.streams().get(p);
        int chunkSymbols = info.chunkSymbols();
        int fromChunk = first / chunkSymbols;
        int toChunk = (int) Math.min(info.chunkCount(), ((long) first + n + chunkSymbols - 1) / chunkSymbols);
        forEachBatch(t, p, table, fromChunk, toChunk, (batch, firstSymbol) -> {
            try {
                decoder.decode(batch, 0, batch.chunkCount(), plane.slice((int) (firstSymbol - first), (int) batch.symbolCount()));
            } catch (L2cException e) {
                throw named(t, "plane " + p + ": ", e);
            }
        });
    }

    /**
     * Elements per block of {@link #joinLossless}: about a million, a multiple of every rANS
     * plane's chunk size (so blocks start on chunks) and of the writer's CRC block of raw planes (so
     * each raw block is read and checked once); the whole tensor when a plane's chunk size does not
     * divide it.
     */
    private static int losslessBlock(TensorInfo t, int count) {
        int block = LOSSLESS_BLOCK;
        for (StreamInfo s : t.streams()) {
            if (s.coding() == StreamCoding.RANS && block % s.chunkSymbols() != 0) return Math.max(count, 1);
        }
        return Math.max(1, Math.min(block, count));
    }

    /**
     * The reused buffer of the byte planes, at least {@code bytes} long: decoding a model's
     * lossless tensors one after another allocates planes once, for the largest tensor, instead of
     * leaving a tensor's worth of native garbage behind each (which the collector frees late).
     */
    private ByteBuffer planeScratch(int bytes) {
        if (planeScratch == null || planeScratch.capacity() < bytes) {
            DirectBuffers.free(planeScratch);
            planeScratch = ByteBuffer.allocateDirect(bytes);
        }
        return planeScratch;
    }

    private void checkPlane(TensorInfo t, int p) throws L2cException {
        StreamInfo info = t.streams().get(p);
        if (info.elementBytes() != 1 || info.elementCount() != t.elementCount()) {
            throw fail(t, "plane " + p + " holds " + info.elementCount() + " x " + info.elementBytes()
                    + " bytes for " + t.elementCount() + " elements", null);
        }
    }

    private Tensor raw(TensorInfo t, DType original) throws L2cException {
        return raw(t, original, true);
    }

    /** Checks the RAW stream of {@code t} and, when {@code read}, returns its bytes (read into a buffer of their own). */
    private Tensor raw(TensorInfo t, DType original, boolean read) throws L2cException {
        requireStreams(t, 1);
        StreamInfo info = t.streams().get(0);
        long bytes = t.elementCount() * original.byteSize(); // elementCount < 2^62 and checked by the reader
        if (info.coding() != StreamCoding.RAW || info.payloadLength() != bytes) {
            throw fail(t, "raw stream does not hold " + bytes + " bytes", null);
        }
        if (!read) return null;
        return new Tensor(t.name(), original, t.shape(), rawBytes(t, original));
    }

    private ByteBuffer rawBytes(TensorInfo t, DType original) throws L2cException {
        raw(t, original, false);
        return reader.rawStream(t, 0, 0, (int) (t.elementCount() * original.byteSize()));
    }

    /** Decodes every chunk of rANS stream {@code stream} into a reused buffer and drops the symbols. */
    private void decodeSymbols(TensorInfo t, int stream, FrequencyTable table) throws L2cException {
        try (RansDecoder<ShortBuffer> decoder = rans.symbolDecoder(table)) {
            forEachBatch(t, stream, table, (batch, first) -> {
                decoder.decode(batch, 0, batch.chunkCount(),
                        output(2 * batch.symbolCount()).order(ByteOrder.nativeOrder()).asShortBuffer());
            });
        } catch (L2cException e) {
            throw named(t, "stream " + stream + ": ", e);
        }
    }

    /** The first {@code bytes} of the reused output buffer (at most 4 x {@link #BATCH_SYMBOLS}). */
    private ByteBuffer output(long bytes) {
        if (outputScratch.capacity() < bytes) outputScratch = ByteBuffer.allocateDirect(Math.toIntExact(bytes));
        return outputScratch.clear().limit((int) bytes).slice();
    }

    /**
     * Reads and hands {@code sink} the chunks of rANS stream {@code stream} in batches bounded by
     * {@link #BATCH_SYMBOLS} and {@link #BATCH_BYTES}; the payload buffer is reused.
     */
    private void forEachBatch(TensorInfo t, int stream, FrequencyTable table, BatchSink sink) throws L2cException {
        forEachBatch(t, stream, table, 0, t.streams().get(stream).chunkCount(), sink);
    }

    /** {@link #forEachBatch} over chunks [fromChunk, toChunk) only. */
    private void forEachBatch(TensorInfo t, int stream, FrequencyTable table, int fromChunk, int toChunk, BatchSink sink)
            throws L2cException {
        StreamInfo info = t.streams().get(stream);
        long[] offsets = info.chunkOffsets();
        int chunkSymbols = info.chunkSymbols();
        int chunks = toChunk;
        for (int first = fromChunk; first < chunks; ) {
            int end = first + 1;
            while (end < chunks && (long) (end + 1 - first) * chunkSymbols <= batchSymbols
                    && offsets[end + 1] - offsets[first] <= BATCH_BYTES) {
                end++;
            }
            int bytes = (int) (offsets[end] - offsets[first]); // at most BATCH_BYTES + one chunk
            if (payloadScratch.capacity() < bytes) payloadScratch = ByteBuffer.allocateDirect(bytes);
            ByteBuffer payload = reader.streamChunks(t, stream, first, end - first, payloadScratch);
            long firstSymbol = (long) first * chunkSymbols;
            long symbols = Math.min((long) end * chunkSymbols, info.elementCount()) - firstSymbol;
            long[] relative = new long[end - first + 1];
            for (int c = first; c <= end; c++) relative[c - first] = offsets[c] - offsets[first];
            try {
                sink.decode(new EncodedStream(table, symbols, chunkSymbols, relative, payload), firstSymbol);
            } catch (L2cException e) {
                throw new L2cException(renumberChunk(e.getMessage(), first), e);
            }
            first = end;
        }
    }

    /** The codec numbers chunks from the batch's first; the message should name the stream's chunk. */
    private static String renumberChunk(String message, int firstChunk) {
        Matcher m = CODEC_CHUNK.matcher(message);
        return m.find() ? m.replaceFirst("rANS chunk " + (Long.parseLong(m.group(1)) + firstChunk)) : message;
    }

    private FrequencyTable table(TensorInfo t, int index) throws L2cException {
        StreamInfo info = t.streams().get(index);
        if (!info.coding().isRans()) throw fail(t, "stream " + index + " is not rANS-coded", null);
        try {
            return FrequencyTable.of(info.precisionBits(), info.freqs());
        } catch (L2cException e) {
            throw fail(t, "stream " + index + ": bad frequency table: " + e.getMessage(), e);
        }
    }

    private static Tensor convert(Tensor t, ValueType type) {
        return type == null ? t : Conversions.convert(t, Formats.model(type));
    }

    private void requireStreams(TensorInfo t, int n) throws L2cException {
        if (t.streams().size() != n) {
            throw fail(t, t.kind() + " tensor has " + t.streams().size() + " streams, expected " + n, null);
        }
    }

    private void checkType(TensorInfo t, DType original) throws L2cException {
        if (t.kind() != TensorKind.RAW && !original.isFloat()) {
            throw fail(t, t.kind() + " tensor has non-float type " + original, null);
        }
    }

    /** A decoded tensor is held in one buffer: its size is checked before anything is allocated. */
    private void checkSize(TensorInfo t) throws L2cException {
        long n = t.elementCount();
        if (n < 0 || n > Tensor.MAX_BYTES / 8) {
            throw fail(t, "shape " + Arrays.toString(t.shape())
                    + " is too large to decode into memory (limit " + Tensor.MAX_BYTES + " bytes per tensor)", null);
        }
    }
}
