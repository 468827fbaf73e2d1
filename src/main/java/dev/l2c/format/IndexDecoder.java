package dev.l2c.format;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the index (docs/FORMAT.md, Index), trusting nothing: every count is checked against the
 * bytes left before anything is allocated for it, every field against its range, and every
 * tensor against {@link TensorChecks}. Where the payloads lie is checked by the reader, which
 * knows the file's layout.
 */
final class IndexDecoder {
    /** The smallest encoding of one stream record: five one-byte fields and a one-byte tail. */
    private static final int MIN_STREAM_BYTES = 6;
    /** The smallest encoding of one chunk-table entry: a one-byte varint and a CRC. */
    private static final int MIN_CHUNK_BYTES = 5;

    record Parsed(Map<String, String> attributes, List<StoredTensor> tensors) {
    }

    private final ByteBuffer in;
    private final String file;
    private final int version;
    private String where = "index";

    private IndexDecoder(String file, int version, ByteBuffer index) {
        this.file = file;
        this.version = version;
        this.in = index.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Parses the index of a file of format {@code version} (whose codings it may use). */
    static Parsed decode(String file, int version, ByteBuffer index) throws L2cException {
        IndexDecoder d = new IndexDecoder(file, version, index);
        Map<String, String> attributes = d.attributes("file attributes");
        long count = d.count("tensor", d.varint(), 1);
        List<StoredTensor> tensors = new ArrayList<>();
        Set<String> names = new HashSet<>();
        long totalBytes = 0;
        for (long i = 0; i < count; i++) {
            d.where = "index: tensor #" + i;
            StoredTensor t = d.tensor();
            if (!names.add(t.info().name())) throw d.fail("duplicate tensor name");
            tensors.add(t);
            // Each tensor is below 2^62 bytes (TensorChecks), so this sum cannot wrap before the check.
            totalBytes += t.info().elementCount() * t.info().dtype().bytes();
            if (totalBytes >= Layout.MAX_ELEMENTS) throw d.fail("the tensors hold 2^62 bytes or more in all");
        }
        d.where = "index";
        if (d.in.hasRemaining()) throw d.fail(d.in.remaining() + " bytes after the last tensor");
        return new Parsed(attributes, Collections.unmodifiableList(tensors));
    }

    private StoredTensor tensor() throws L2cException {
        int start = in.position();
        String name = string("name");
        where = "index: tensor '" + name + "'";
        int dtypeCode = u8();
        StoredDType dtype = StoredDType.fromCode(dtypeCode);
        if (dtype == null) throw fail("unknown dtype code " + dtypeCode);
        long rank = count("dimension", varint(), 1);
        if (rank > Layout.MAX_RANK) throw fail("rank " + rank + " above " + Layout.MAX_RANK);
        long[] shape = new long[(int) rank];
        for (int i = 0; i < rank; i++) shape[i] = varint();
        int kindCode = u8();
        TensorKind kind = TensorKind.fromCode(kindCode);
        if (kind == null) throw fail("unknown tensor kind " + kindCode);
        TransformSpec transform = transform(rank);
        int[] alphabet = alphabet();
        Map<String, String> attributes = attributes("attributes");
        long streamCount = count("stream", varint(), MIN_STREAM_BYTES);
        List<StreamInfo> streams = new ArrayList<>();
        List<StoredStream> stored = new ArrayList<>();
        for (int i = 0; i < streamCount; i++) {
            String tensorWhere = where;
            where = tensorWhere + ": stream " + i;
            stream(streams, stored);
            where = tensorWhere;
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, kind, transform, alphabet, attributes, streams);
        TensorChecks.check(info, file + ": " + where);
        return new StoredTensor(info, List.copyOf(stored), in.position() - start);
    }

    private TransformSpec transform(long rank) throws L2cException {
        int typeCode = u8();
        TransformType type = TransformType.fromCode(typeCode);
        if (type == null) throw fail("unknown transform type " + typeCode);
        long axisPlus1 = varint();
        if (axisPlus1 > rank) throw fail("transform channel axis " + (axisPlus1 - 1) + " outside -1.." + (rank - 1));
        long n = count("transform parameter", varint(), 4);
        float[] params = new float[(int) n];
        for (int i = 0; i < n; i++) params[i] = Float.intBitsToFloat(u32());
        return new TransformSpec(type, (int) axisPlus1 - 1, params);
    }

    private int[] alphabet() throws L2cException {
        long n = count("alphabet", varint(), 1);
        if (n > Layout.MAX_ALPHABET) throw fail("alphabet of " + n + " symbols, above " + Layout.MAX_ALPHABET);
        int[] alphabet = new int[(int) n];
        long previous = 0;
        for (int i = 0; i < n; i++) {
            long zigzag = varint();
            long value = previous + ((zigzag >>> 1) ^ -(zigzag & 1));
            if (value != (int) value) throw fail("alphabet value " + value + " outside int32");
            alphabet[i] = (int) value;
            previous = value;
        }
        return alphabet;
    }

    private void stream(List<StreamInfo> streams, List<StoredStream> stored) throws L2cException {
        int codingCode = u8();
        StreamCoding coding = StreamCoding.fromCode(codingCode);
        if (coding == null) throw fail("unknown stream coding " + codingCode);
        if (coding.isSmall() && version < Layout.SMALL_STREAMS) {
            throw fail("stream coding " + coding + ", which format version " + version + " does not define");
        }
        int width = u8();
        long elementCount = varint();
        long offset = varint();
        long length = varint();
        if (coding == StreamCoding.RAW) {
            long block = varint();
            if (block < 1 || block > Layout.MAX_CRC_BLOCK) throw fail("CRC block of " + block + " bytes");
            long pieces = count("CRC block", length / block + (length % block == 0 ? 0 : 1), 4);
            int[] crcs = new int[(int) pieces];
            for (int i = 0; i < pieces; i++) crcs[i] = u32();
            StreamInfo s = StreamInfo.raw(width, elementCount);
            if (length != s.payloadLength()) {
                throw fail("payload of " + length + " bytes, " + elementCount + " elements of " + width
                        + " bytes need " + s.payloadLength());
            }
            streams.add(s);
            stored.add(new StoredStream(offset, length, (int) block, crcs));
            return;
        }
        if (coding == StreamCoding.PACKED) {
            int bits = u8();
            StreamInfo s = StreamInfo.packed(width, elementCount, bits);
            if (bits <= Layout.MAX_PACKED_BITS && elementCount <= Layout.MAX_SMALL_STREAM && length != s.payloadLength()) {
                throw fail("payload of " + length + " bytes, " + elementCount + " symbols of " + bits + " bits need "
                        + s.payloadLength());
            }
            streams.add(s);
            stored.add(new StoredStream(offset, length, 0, smallStreamCrcs(length)));
            return;
        }
        int precision = u8();
        long freqCount = count("frequency", varint(), 1);
        if (freqCount > Layout.MAX_ALPHABET) throw fail("frequency table of " + freqCount + " symbols");
        int[] freqs = new int[(int) freqCount];
        for (int i = 0; i < freqCount; i++) {
            long f = varint();
            if (f > 1 << Layout.MAX_PRECISION) throw fail("frequency " + f + " above 2^" + Layout.MAX_PRECISION);
            freqs[i] = (int) f;
        }
        if (coding == StreamCoding.SINGLE_LANE_RANS) {
            streams.add(StreamInfo.singleLaneRans(width, elementCount, precision, freqs, length));
            stored.add(new StoredStream(offset, length, 0, smallStreamCrcs(length)));
            return;
        }
        long chunkSymbols = varint();
        if (chunkSymbols < Layout.LANES || chunkSymbols % Layout.LANES != 0 || chunkSymbols > Layout.MAX_CHUNK_SYMBOLS) {
            throw fail("chunk size " + chunkSymbols + " symbols, not a multiple of " + Layout.LANES + " in " + Layout.LANES
                    + ".." + Layout.MAX_CHUNK_SYMBOLS);
        }
        long chunks = count("chunk", varint(), MIN_CHUNK_BYTES);
        long[] offsets = new long[(int) chunks + 1];
        int[] crcs = new int[(int) chunks];
        for (int c = 0; c < chunks; c++) {
            long size = varint();
            if (size > Integer.MAX_VALUE) throw fail("chunk " + c + " of " + size + " bytes");
            offsets[c + 1] = offsets[c] + size;
            crcs[c] = u32();
        }
        if (offsets[(int) chunks] != length) {
            throw fail("payload of " + length + " bytes, its chunks add up to " + offsets[(int) chunks]);
        }
        streams.add(StreamInfo.rans(width, elementCount, precision, freqs, (int) chunkSymbols, offsets));
        stored.add(new StoredStream(offset, length, 0, crcs));
    }

    /** The one CRC of a small-stream payload, present when the payload is not empty. */
    private int[] smallStreamCrcs(long length) throws L2cException {
        return length > 0 ? new int[] {u32()} : new int[0];
    }

    private Map<String, String> attributes(String what) throws L2cException {
        long n = count(what, varint(), 2);
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String key = string(what + " key");
            String value = string(what + " value");
            if (map.put(key, value) != null) throw fail(what + ": duplicate key '" + key + "'");
        }
        return map;
    }

    private String string(String what) throws L2cException {
        int n = (int) count(what + " byte", varint(), 1);
        ByteBuffer bytes = in.slice(in.position(), n);
        in.position(in.position() + n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw fail(what + " is not valid UTF-8");
        }
    }

    /** Checks that {@code n} items of at least {@code minBytes} bytes each fit in what is left. */
    private long count(String what, long n, int minBytes) throws L2cException {
        if (n > in.remaining() / minBytes) {
            throw fail(what + " count " + n + " does not fit in the " + in.remaining() + " bytes left of the index");
        }
        return n;
    }

    private int u8() throws L2cException {
        need(1);
        return in.get() & 0xFF;
    }

    private int u32() throws L2cException {
        need(4);
        return in.getInt();
    }

    private long varint() throws L2cException {
        long value = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            need(1);
            int b = in.get() & 0xFF;
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw fail("varint longer than 9 bytes");
    }

    private void need(int bytes) throws L2cException {
        if (in.remaining() < bytes) throw fail("index ends inside a record");
    }

    private L2cException fail(String what) {
        return new L2cException(file + ": " + where + ": " + what);
    }
}
