package dev.l2c.format;

import dev.l2c.L2cException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Random-access reader of an .l2c file (docs/FORMAT.md). Opening checks the header, footer and
 * index and the layout of every payload; payload bytes are read with positional reads (never a
 * memory mapping, see {@link FileReads}) and their CRCs checked as they are handed out.
 * Thread-safe once open.
 */
public final class L2cReader implements AutoCloseable {
    private final String file;
    private final FileChannel channel;
    private final long size;
    private final FileReads reads;
    private final Map<String, String> attributes;
    private final List<TensorInfo> tensors;
    private final Map<String, StoredTensor> byName = new HashMap<>();
    private final Map<String, Long> storedBytes = new HashMap<>();
    private final List<Range> payloads;
    private final long indexOffset;
    /** Set by checkHeader, before the layout is checked. */
    private int version;

    /** A stream's payload in the file, for the overlap check and for attributing padding. */
    private record Range(long offset, long length, int tensor, String label) {
        long end() {
            return offset + length;
        }
    }

    private L2cReader(String file, FileChannel channel, long size) throws L2cException {
        this.file = file;
        this.channel = channel;
        this.size = size;
        this.reads = new FileReads(channel, file);
        checkHeader();
        this.indexOffset = checkFooter();
        ByteBuffer section = readIndex();
        ByteBuffer index = version >= Layout.FRAMED_INDEX ? IndexFraming.unframe(file, section) : section;
        IndexDecoder.Parsed parsed = IndexDecoder.decode(file, version, index);
        this.attributes = parsed.attributes();
        List<TensorInfo> infos = new ArrayList<>();
        for (StoredTensor t : parsed.tensors()) {
            infos.add(t.info());
            byName.put(t.info().name(), t);
        }
        this.tensors = List.copyOf(infos);
        this.payloads = checkLayout(parsed.tensors());
        attributeStoredBytes(parsed.tensors(), section.capacity(), index.remaining());
    }

    /** Opens and checks {@code path}; no payload is read. */
    public static L2cReader open(Path path) throws L2cException {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new L2cException(path + ": no such file", e);
        } catch (IOException e) {
            throw new L2cException(path + ": cannot open: " + e.getMessage(), e);
        }
        try {
            return new L2cReader(path.toString(), channel, channel.size());
        } catch (IOException e) {
            closeQuietly(channel);
            throw new L2cException(path + ": cannot read: " + e.getMessage(), e);
        } catch (L2cException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** The tensors in file order. */
    public List<TensorInfo> tensors() {
        return tensors;
    }

    /** The tensor named {@code name}. */
    public TensorInfo tensor(String name) throws L2cException {
        StoredTensor t = byName.get(name);
        if (t == null) throw new L2cException(file + ": no tensor named '" + name + "'");
        return t.info();
    }

    /** The file's attributes. */
    public Map<String, String> attributes() {
        return attributes;
    }

    public long fileSize() {
        return size;
    }

    /**
     * Bytes of the file attributed to {@code t}: its payloads, the padding before them and its
     * index record, plus an even share of the header, footer and the rest of the index, so the
     * values of all tensors add up to {@link #fileSize()}.
     */
    public long storedBytes(TensorInfo t) {
        return storedBytes.get(stored(t).info().name());
    }

    /**
     * The bytes of chunks {@code firstChunk .. firstChunk + chunkCount - 1} of RANS stream
     * {@code stream}, after checking each chunk's CRC: a read-only direct little-endian buffer in which
     * chunk {@code c} starts at {@code chunkOffsets[c] - chunkOffsets[firstChunk]}. The chunks must
     * span less than 2 GiB.
     */
    public ByteBuffer streamChunks(TensorInfo t, int stream, int firstChunk, int chunkCount) throws L2cException {
        return streamChunks(t, stream, firstChunk, chunkCount, null);
    }

    /**
     * As {@link #streamChunks(TensorInfo, int, int, int)}, read into {@code scratch} (a direct
     * buffer, reused from call to call) when it is large enough: the result is then a view of it.
     */
    public ByteBuffer streamChunks(TensorInfo t, int stream, int firstChunk, int chunkCount, ByteBuffer scratch)
            throws L2cException {
        StoredTensor st = stored(t);
        StreamInfo s = streamInfo(st, stream, StreamCoding.RANS);
        if (firstChunk < 0 || chunkCount < 0 || firstChunk > s.chunkCount() - chunkCount) {
            throw new IllegalArgumentException("chunks " + firstChunk + "+" + chunkCount + " outside 0.." + s.chunkCount());
        }
        long[] offsets = s.chunkOffsets();
        long bytes = offsets[firstChunk + chunkCount] - offsets[firstChunk];
        if (bytes > Integer.MAX_VALUE) throw new IllegalArgumentException(bytes + " bytes of chunks, over 2 GiB");
        StoredStream loc = st.streams().get(stream);
        ByteBuffer view = read(loc.offset() + offsets[firstChunk], (int) bytes, scratch);
        for (int c = firstChunk; c < firstChunk + chunkCount; c++) {
            int at = (int) (offsets[c] - offsets[firstChunk]);
            checkCrc(view.slice(at, (int) (offsets[c + 1] - offsets[c])), loc.crcs()[c],
                    st, stream, "chunk " + c);
        }
        return view;
    }

    /**
     * Bytes {@code fromByte .. fromByte + length - 1} of RAW stream {@code stream}, after checking
     * the CRC of every block they touch: a read-only direct little-endian buffer.
     */
    public ByteBuffer rawStream(TensorInfo t, int stream, long fromByte, int length) throws L2cException {
        return rawStream(t, stream, fromByte, length, null);
    }

    /**
     * {@link #rawStream(TensorInfo, int, long, int)} read into {@code scratch} when it is large
     * enough (the blocks the range touches), so that a caller reading many streams reuses one
     * buffer; the result is then a view of {@code scratch}, valid until it is reused.
     */
    public ByteBuffer rawStream(TensorInfo t, int stream, long fromByte, int length, ByteBuffer scratch) throws L2cException {
        StoredTensor st = stored(t);
        streamInfo(st, stream, StreamCoding.RAW);
        StoredStream loc = st.streams().get(stream);
        if (fromByte < 0 || length < 0 || fromByte > loc.length() - length) {
            throw new IllegalArgumentException("bytes " + fromByte + "+" + length + " outside the stream of " + loc.length());
        }
        if (length == 0) return ByteBuffer.allocateDirect(0).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        // The whole blocks the range touches are read once, checked, and the range cut out of them.
        long block = loc.crcBlockBytes();
        int firstBlock = (int) (fromByte / block);
        int lastBlock = (int) ((fromByte + length - 1) / block);
        long from = firstBlock * block;
        long to = Math.min((lastBlock + 1) * block, loc.length());
        if (to - from > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("bytes " + fromByte + "+" + length + " touch blocks of over 2 GiB");
        }
        ByteBuffer blocks = read(loc.offset() + from, (int) (to - from), scratch);
        for (int b = firstBlock; b <= lastBlock; b++) {
            int at = (int) (b * block - from);
            checkCrc(blocks.slice(at, (int) Math.min(block, to - from - at)), loc.crcs()[b], st, stream, "block " + b);
        }
        return blocks.slice((int) (fromByte - from), length).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The whole payload of small stream {@code stream} (PACKED or SINGLE_LANE_RANS), after checking
     * its CRC: a read-only direct little-endian buffer. Such a payload is at most 128 KiB + 4
     * (docs/FORMAT.md).
     */
    public ByteBuffer smallStream(TensorInfo t, int stream) throws L2cException {
        StoredTensor st = stored(t);
        StreamInfo s = streamInfo(st, stream);
        if (!s.coding().isSmall()) throw new IllegalArgumentException("stream " + stream + " of '" + t.name() + "' is " + s.coding());
        StoredStream loc = st.streams().get(stream);
        if (loc.length() == 0) return ByteBuffer.allocateDirect(0).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer bytes = read(loc.offset(), (int) loc.length(), null);
        checkCrc(bytes.duplicate(), loc.crcs()[0], st, stream, "payload");
        return bytes.order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Checks every CRC of the file (header, footer, index, each chunk and block) and that padding
     * is zero, telling {@code progress} how many bytes are done.
     */
    public void verifyChecksums(ProgressListener progress) throws L2cException {
        checkHeader();
        checkFooter();
        readIndex();
        long done = Layout.HEADER_BYTES + Layout.FOOTER_BYTES + (size - Layout.FOOTER_BYTES - indexOffset);
        progress.progress(done, size);
        ByteBuffer scratch = ByteBuffer.allocate(FileReads.PIECE);
        for (TensorInfo info : tensors) {
            StoredTensor st = byName.get(info.name());
            for (int i = 0; i < st.streams().size(); i++) {
                StreamInfo s = st.info().streams().get(i);
                StoredStream loc = st.streams().get(i);
                boolean raw = s.coding() == StreamCoding.RAW;
                boolean small = s.coding().isSmall();
                for (int piece = 0; piece < loc.crcs().length; piece++) {
                    long from = raw ? (long) piece * loc.crcBlockBytes() : small ? 0 : s.chunkOffsets()[piece];
                    long to = raw ? Math.min(from + loc.crcBlockBytes(), loc.length()) : small ? loc.length() : s.chunkOffsets()[piece + 1];
                    if (reads.crc(loc.offset() + from, to - from, scratch) != loc.crcs()[piece]) {
                        throw crcMismatch(st, i, raw ? "block " + piece : small ? "payload" : "chunk " + piece);
                    }
                    done += to - from;
                    progress.progress(done, size);
                }
            }
        }
        long paddingBytes = checkPadding(scratch);
        progress.progress(done + paddingBytes, size);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    /** Where {@code t}'s streams lie in this file and their checksums (for {@link L2cWriter#copyTensor}). */
    StoredTensor stored(TensorInfo t) {
        StoredTensor st = byName.get(t.name());
        if (st == null) throw new IllegalArgumentException("no tensor '" + t.name() + "' in " + file);
        return st;
    }

    private static StreamInfo streamInfo(StoredTensor st, int stream) {
        if (stream < 0 || stream >= st.streams().size()) {
            throw new IllegalArgumentException("tensor '" + st.info().name() + "' has no stream " + stream);
        }
        return st.info().streams().get(stream);
    }

    private static StreamInfo streamInfo(StoredTensor st, int stream, StreamCoding coding) {
        StreamInfo s = streamInfo(st, stream);
        if (s.coding() != coding) {
            throw new IllegalArgumentException("stream " + stream + " of '" + st.info().name() + "' is " + s.coding());
        }
        return s;
    }

    private void checkCrc(ByteBuffer bytes, int expected, StoredTensor st, int stream, String piece)
            throws L2cException {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        if ((int) crc.getValue() != expected) throw crcMismatch(st, stream, piece);
    }

    /** The file's format version (1 to 4). */
    public int version() {
        return version;
    }

    private L2cException crcMismatch(StoredTensor st, int stream, String piece) {
        return new L2cException(file + ": tensor '" + st.info().name() + "': stream " + stream + ": " + piece
                + ": CRC mismatch (payload corrupt)");
    }

    private void checkHeader() throws L2cException {
        if (size < Layout.MAGIC.length || !Arrays.equals(read(0, Layout.MAGIC.length).array(), Layout.MAGIC)) {
            throw new L2cException(file + ": header: not an .l2c file (bad magic)");
        }
        if (size < Layout.HEADER_BYTES + Layout.FOOTER_BYTES) {
            throw new L2cException(file + ": file of " + size + " bytes is too short for an .l2c file (truncated?)");
        }
        ByteBuffer h = read(0, Layout.HEADER_BYTES);
        if (crc(h, 0, Layout.HEADER_CRC_AT) != h.getInt(Layout.HEADER_CRC_AT)) {
            throw new L2cException(file + ": header: CRC mismatch (header corrupt)");
        }
        long version = Integer.toUnsignedLong(h.getInt(8));
        // Every earlier version stays readable; its layout rules are applied (Layout.aligned).
        if (version < 1 || version > Layout.VERSION) {
            throw new L2cException(file + ": header: unsupported format version " + version + " (this l2c reads "
                    + Layout.VERSION + ")");
        }
        this.version = (int) version;
        int flags = h.getInt(12);
        if (flags != 0) throw new L2cException(file + ": header: unknown flags 0x" + Integer.toHexString(flags));
        for (int i = 16; i < Layout.HEADER_CRC_AT; i++) {
            if (h.get(i) != 0) throw new L2cException(file + ": header: reserved byte " + i + " is not zero");
        }
    }

    /** Checks the footer and returns the index offset. */
    private long checkFooter() throws L2cException {
        ByteBuffer f = read(size - Layout.FOOTER_BYTES, Layout.FOOTER_BYTES);
        if (!Arrays.equals(Arrays.copyOfRange(f.array(), 24, 32), Layout.MAGIC)) {
            throw new L2cException(file + ": footer: bad end magic (file truncated or not an .l2c file)");
        }
        if (crc(f, 0, Layout.FOOTER_CRC_COVERS) != f.getInt(Layout.FOOTER_CRC_COVERS)) {
            throw new L2cException(file + ": footer: CRC mismatch (footer corrupt)");
        }
        long offset = f.getLong(0);
        long length = f.getLong(8);
        long indexEnd = size - Layout.FOOTER_BYTES;
        if (offset < Layout.HEADER_BYTES || offset > indexEnd) {
            throw new L2cException(file + ": footer: index offset " + Long.toUnsignedString(offset)
                    + " outside the file of " + size + " bytes");
        }
        if (length != indexEnd - offset) {
            throw new L2cException(file + ": footer: index of " + Long.toUnsignedString(length) + " bytes at " + offset
                    + " does not end at the footer (file of " + size + " bytes)");
        }
        if (length > Layout.MAX_INDEX_BYTES) {
            throw new L2cException(file + ": index: " + length + " bytes, above the 2 GiB limit");
        }
        return offset;
    }

    private ByteBuffer readIndex() throws L2cException {
        long indexEnd = size - Layout.FOOTER_BYTES;
        ByteBuffer index = read(indexOffset, (int) (indexEnd - indexOffset));
        int expected = read(indexEnd, Layout.FOOTER_BYTES).getInt(16);
        if (crc(index, 0, index.capacity()) != expected) {
            throw new L2cException(file + ": index: CRC mismatch (index corrupt)");
        }
        return index;
    }

    private List<Range> checkLayout(List<StoredTensor> stored) throws L2cException {
        List<Range> ranges = new ArrayList<>();
        for (int t = 0; t < stored.size(); t++) {
            StoredTensor st = stored.get(t);
            for (int i = 0; i < st.streams().size(); i++) {
                StoredStream loc = st.streams().get(i);
                String label = "tensor '" + st.info().name() + "': stream " + i;
                if (loc.length() == 0) {
                    if (loc.offset() != 0) throw layoutError(label, "empty payload at offset " + loc.offset() + ", not 0");
                    continue;
                }
                if (loc.offset() < Layout.HEADER_BYTES) {
                    throw layoutError(label, "payload offset " + loc.offset() + " lies in the header");
                }
                if (Layout.aligned(version, loc.length()) && loc.offset() % Layout.ALIGN != 0) {
                    throw layoutError(label, "payload offset " + loc.offset() + " is not 64-byte aligned (version " + version
                            + " aligns payloads of " + (version < 2 ? "any size" : "at least " + Layout.MIN_ALIGNED_PAYLOAD + " bytes") + ")");
                }
                if (loc.offset() > indexOffset || loc.length() > indexOffset - loc.offset()) {
                    throw layoutError(label, "payload " + loc.offset() + "+" + loc.length()
                            + " runs past the start of the index at " + indexOffset);
                }
                ranges.add(new Range(loc.offset(), loc.length(), t, label));
            }
        }
        ranges.sort(Comparator.comparingLong(Range::offset));
        for (int i = 1; i < ranges.size(); i++) {
            Range previous = ranges.get(i - 1);
            if (ranges.get(i).offset() < previous.end()) {
                throw layoutError(ranges.get(i).label(), "payload overlaps the payload of " + previous.label());
            }
        }
        return ranges;
    }

    private L2cException layoutError(String label, String what) {
        return new L2cException(file + ": index: " + label + ": " + what);
    }

    private void attributeStoredBytes(List<StoredTensor> stored, long sectionBytes, long indexBytes) {
        long[] bytes = new long[stored.size()];
        long previousEnd = Layout.HEADER_BYTES;
        for (Range r : payloads) {
            bytes[r.tensor()] += r.end() - previousEnd;
            previousEnd = r.end();
        }
        long attributed = 0;
        for (int t = 0; t < stored.size(); t++) {
            // A compressed index (version 3) charges each record its share of the section.
            bytes[t] += indexBytes == 0 ? 0 : stored.get(t).indexRecordBytes() * sectionBytes / indexBytes;
            attributed += bytes[t];
        }
        long overhead = size - attributed;
        for (int t = 0; t < stored.size(); t++) {
            long share = overhead / stored.size() + (t < overhead % stored.size() ? 1 : 0);
            storedBytes.put(stored.get(t).info().name(), bytes[t] + share);
        }
    }

    /** Checks that the bytes between payloads are zero; returns how many there are. */
    private long checkPadding(ByteBuffer scratch) throws L2cException {
        long count = 0;
        long previousEnd = Layout.HEADER_BYTES;
        for (Range r : payloads) {
            count += checkZero(previousEnd, r.offset(), r.label() + "'s payload", scratch);
            previousEnd = r.end();
        }
        return count + checkZero(previousEnd, indexOffset, "the index", scratch);
    }

    private long checkZero(long from, long to, String label, ByteBuffer scratch) throws L2cException {
        long at = reads.firstNonZero(from, to, scratch);
        if (at >= 0) throw new L2cException(file + ": padding before " + label + ": byte at " + at + " is not zero");
        return to - from;
    }

    /** Bytes [position, position + length) in a little-endian heap buffer (header, footer, index). */
    /** Fills {@code into}'s remaining bytes from file offset {@code position}. */
    void readFully(long position, ByteBuffer into) throws L2cException {
        reads.readFully(position, into);
    }

    /** The file name messages show. */
    String name() {
        return file;
    }

    private ByteBuffer read(long position, int length) throws L2cException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        reads.readFully(position, b);
        return b.clear();
    }

    /**
     * Bytes [position, position + length) in a direct little-endian buffer for native code:
     * {@code scratch} when it is large enough, else a new one.
     */
    private ByteBuffer read(long position, int length, ByteBuffer scratch) throws L2cException {
        ByteBuffer b = scratch != null && scratch.capacity() >= length ? scratch.clear().limit(length)
                : ByteBuffer.allocateDirect(length);
        reads.readFully(position, b);
        return b.flip().slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int crc(ByteBuffer b, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(b.array(), b.arrayOffset() + from, length);
        return (int) crc.getValue();
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing is lost: the reader only read from it.
        }
    }
}
