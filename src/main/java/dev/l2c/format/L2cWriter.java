package dev.l2c.format;

import dev.l2c.L2cException;
import dev.l2c.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Writes an .l2c file front to back (docs/FORMAT.md): payloads as tensors come, then the index
 * and the footer in {@link #finish()}, which renames the file into place. Closing without
 * finishing leaves nothing behind. Not thread-safe.
 */
public final class L2cWriter implements AutoCloseable {
    private final AtomicFile file;
    private final String fileName;
    private final PayloadOutput out;
    private final Map<String, String> fileAttributes;
    private final List<StoredTensor> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private TensorSink openSink;
    private boolean failed;
    /** {@link #copyTensor}'s read buffer, made on its first call and reused for every tensor after. */
    private ByteBuffer copyPiece;
    private boolean finished;

    private L2cWriter(AtomicFile file, String fileName, Map<String, String> fileAttributes) {
        this.file = file;
        this.fileName = fileName;
        this.out = new PayloadOutput(file.channel());
        this.fileAttributes = fileAttributes;
    }

    /**
     * Starts {@code out} (under a temporary name until {@link #finish()}); an existing file is
     * refused unless {@code force}.
     */
    public static L2cWriter create(Path out, boolean force, Map<String, String> fileAttributes) throws L2cException {
        Map<String, String> attributes = new LinkedHashMap<>(fileAttributes == null ? Map.of() : fileAttributes);
        String problem = TensorChecks.attributesProblem(attributes);
        if (problem != null) throw new L2cException(out + ": file attributes: " + problem);
        AtomicFile file = AtomicFile.create(out, force);
        L2cWriter writer = new L2cWriter(file, out.toString(), attributes);
        try {
            writer.out.write(header());
        } catch (IOException e) {
            file.close();
            throw new L2cException(out + ": cannot write: " + e.getMessage(), e);
        }
        return writer;
    }

    /**
     * Writes one tensor whose stream {@code i} has payload {@code streamPayloads.get(i)} (its
     * remaining bytes, consumed); each payload's length must be what its stream declares.
     */
    public void addTensor(TensorInfo info, List<ByteBuffer> streamPayloads) throws L2cException {
        if (streamPayloads.size() != info.streams().size()) {
            throw new L2cException(fileName + ": tensor '" + info.name() + "': " + streamPayloads.size()
                    + " payloads for " + info.streams().size() + " streams");
        }
        for (int i = 0; i < streamPayloads.size(); i++) {
            long expected = info.streams().get(i).payloadLength();
            if (streamPayloads.get(i).remaining() != expected) {
                throw new L2cException(fileName + ": tensor '" + info.name() + "': stream " + i + ": payload of "
                        + streamPayloads.get(i).remaining() + " bytes, the stream declares " + expected);
            }
        }
        TensorSink sink = beginTensor(info);
        for (ByteBuffer payload : streamPayloads) sink.write(payload);
        sink.end();
    }

    /**
     * Checks {@code info} and opens a sink for its payload bytes, for payloads written in pieces
     * (one tensor at a time).
     */
    public TensorSink beginTensor(TensorInfo info) throws L2cException {
        checkWritable();
        if (openSink != null) throw new IllegalStateException("the previous tensor's sink was not ended");
        String where = fileName + ": tensor '" + info.name() + "'";
        TensorChecks.check(info, where);
        if (names.contains(info.name())) throw new L2cException(where + ": duplicate tensor name");
        openSink = new TensorSink(this, out, info, where);
        return openSink;
    }

    /**
     * Writes tensor {@code info} of {@code source} with its payload bytes copied from there as they
     * are, read in pieces of {@link FileReads#PIECE} bytes: the file gets the entry {@link #addTensor}
     * would have written for the same payloads (its own offsets and alignment). The checksums
     * computed as the bytes pass must equal the ones {@code source} recorded, so a part damaged
     * since it was written is refused, naming it (docs/DESIGN.md, "More than one machine").
     */
    public void copyTensor(L2cReader source, TensorInfo info) throws L2cException {
        StoredTensor from = source.stored(info);
        TensorSink sink = beginTensor(info);
        if (copyPiece == null) copyPiece = ByteBuffer.allocateDirect(FileReads.PIECE);
        ByteBuffer piece = copyPiece;
        for (StoredStream s : from.streams()) {
            for (long done = 0; done < s.length(); ) {
                int n = (int) Math.min(piece.capacity(), s.length() - done);
                piece.clear().limit(n);
                source.readFully(s.offset() + done, piece);
                sink.write(piece.flip());
                done += n;
            }
        }
        sink.end();
        List<StoredStream> written = tensors.get(tensors.size() - 1).streams();
        for (int i = 0; i < written.size(); i++) {
            if (!java.util.Arrays.equals(written.get(i).crcs(), from.streams().get(i).crcs())) {
                throw failed(source.name() + ": tensor '" + info.name() + "': stream " + i
                        + ": CRC mismatch (payload corrupt); copied into " + fileName, null);
            }
        }
    }

    /** Writes the index and footer and renames the file into place. */
    public void finish() throws L2cException {
        checkWritable();
        if (openSink != null) throw new IllegalStateException("a tensor's sink was not ended");
        try {
            long indexOffset = out.position();
            byte[] raw = IndexEncoder.encode(fileAttributes, tensors);
            if (raw.length > Layout.MAX_INDEX_BYTES) {
                throw failed(fileName + ": index: " + raw.length + " bytes, above the format's limit", null);
            }
            byte[] index = IndexFraming.frame(raw);
            out.write(index);
            out.write(footer(indexOffset, index));
            out.flush();
        } catch (IOException e) {
            throw failed(fileName + ": cannot write: " + e.getMessage(), e);
        }
        file.commit();
        finished = true;
    }

    /** Without a successful {@link #finish()}, deletes the temporary file. */
    @Override
    public void close() {
        if (!finished) file.close();
    }

    void checkWritable() throws L2cException {
        if (finished) throw new IllegalStateException(fileName + ": already finished");
        if (failed) throw new L2cException(fileName + ": an earlier write failed, the file cannot be finished");
    }

    L2cException failed(String message, Throwable cause) {
        failed = true;
        return new L2cException(message, cause);
    }

    void tensorEnded(TensorSink sink, StoredTensor tensor) {
        if (sink != openSink) throw new IllegalStateException("sink does not belong to this writer");
        openSink = null;
        names.add(tensor.info().name());
        tensors.add(tensor);
    }

    private static ByteBuffer header() {
        ByteBuffer h = ByteBuffer.allocate(Layout.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.put(Layout.MAGIC).putInt(Layout.VERSION).putInt(0);
        CRC32C crc = new CRC32C();
        crc.update(h.array(), 0, Layout.HEADER_CRC_AT);
        h.putInt(Layout.HEADER_CRC_AT, (int) crc.getValue());
        return h.clear();
    }

    private static ByteBuffer footer(long indexOffset, byte[] index) {
        ByteBuffer f = ByteBuffer.allocate(Layout.FOOTER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(index);
        f.putLong(indexOffset).putLong(index.length).putInt((int) crc.getValue());
        crc.reset();
        crc.update(f.array(), 0, Layout.FOOTER_CRC_COVERS);
        f.putInt((int) crc.getValue()).put(Layout.MAGIC);
        return f.clear();
    }
}
