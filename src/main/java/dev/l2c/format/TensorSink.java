package dev.l2c.format;

import dev.l2c.L2cException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Receives the payload bytes of one tensor, stream after stream, in any number of pieces: bytes
 * past the end of a stream's declared length go to the next stream, so a stream larger than one
 * ByteBuffer can be written in windows. Checksums are computed as the bytes pass.
 * Obtained from {@link L2cWriter#beginTensor}; {@link #end()} closes it.
 */
public final class TensorSink {
    private final L2cWriter writer;
    private final PayloadOutput out;
    private final TensorInfo info;
    private final String where;
    private final List<StoredStream> stored = new ArrayList<>();
    private final CRC32C crc = new CRC32C();

    private int stream;
    private StreamInfo current;
    private long offset;
    private long length;
    private long written;
    private int[] crcs;
    private int piece;
    private boolean ended;

    TensorSink(L2cWriter writer, PayloadOutput out, TensorInfo info, String where) throws L2cException {
        this.writer = writer;
        this.out = out;
        this.info = info;
        this.where = where;
        try {
            if (!info.streams().isEmpty()) begin(0);
            settle();
        } catch (IOException e) {
            throw writer.failed(where + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Appends {@code bytes}' remaining bytes to the tensor's payload, consuming them. */
    public void write(ByteBuffer bytes) throws L2cException {
        if (ended) throw new IllegalStateException("tensor '" + info.name() + "' already ended");
        writer.checkWritable();
        try {
            while (bytes.hasRemaining()) {
                if (stream == info.streams().size()) {
                    throw writer.failed(where + ": payload longer than its streams declare", null);
                }
                int take = (int) Math.min(bytes.remaining(), current.pieceEnd(piece) - written);
                ByteBuffer part = bytes.slice(bytes.position(), take);
                crc.update(part.duplicate());
                out.write(part);
                bytes.position(bytes.position() + take);
                written += take;
                settle();
            }
        } catch (IOException e) {
            throw writer.failed(where + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Checks that every stream got all its bytes and adds the tensor to the index. */
    public void end() throws L2cException {
        if (ended) return;
        writer.checkWritable();
        if (stream < info.streams().size()) {
            throw writer.failed(where + ": stream " + stream + ": payload has " + written + " bytes, expected "
                    + length, null);
        }
        ended = true;
        writer.tensorEnded(this, new StoredTensor(info, List.copyOf(stored), 0));
    }

    private void begin(int index) throws IOException, L2cException {
        stream = index;
        current = info.streams().get(index);
        length = current.payloadLength();
        long pieces = current.writtenPieces();
        if (pieces > Integer.MAX_VALUE - 8) {
            throw writer.failed(where + ": stream " + index + ": too large (" + length + " bytes)", null);
        }
        if (length > 0) out.padBefore(length);
        offset = length > 0 ? out.position() : 0;
        written = 0;
        piece = 0;
        crcs = new int[(int) pieces];
        crc.reset();
    }

    /** Records the checksum of each completed piece and moves past each completed stream. */
    private void settle() throws IOException, L2cException {
        while (stream < info.streams().size()) {
            while (piece < crcs.length && written == current.pieceEnd(piece)) {
                crcs[piece++] = (int) crc.getValue();
                crc.reset();
            }
            if (written < length) return;
            int block = current.coding() == StreamCoding.RAW ? Layout.RAW_CRC_BLOCK : 0;
            stored.add(new StoredStream(offset, length, block, crcs));
            if (stream + 1 == info.streams().size()) {
                stream++;
                return;
            }
            begin(stream + 1);
        }
    }
}
