package dev.l2c.format;

import dev.l2c.L2cException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Positional reads of a file into buffers the caller owns. Nothing is memory-mapped: a mapped
 * file that another process truncates makes a read of the lost pages crash the JVM (SIGBUS), while
 * a read here ends with an error naming the file. Thread-safe.
 */
final class FileReads {
    /** Piece size of streamed checks (CRCs, zero padding): the most they hold in memory at once. */
    static final int PIECE = 1 << 20;

    private final FileChannel channel;
    private final String file;

    FileReads(FileChannel channel, String file) {
        this.channel = channel;
        this.file = file;
    }

    /** Fills {@code into}'s remaining bytes from {@code position}; its position ends at its limit. */
    void readFully(long position, ByteBuffer into) throws L2cException {
        int expected = into.remaining();
        int start = into.position();
        try {
            while (into.hasRemaining()) {
                if (channel.read(into, position + into.position() - start) < 0) {
                    throw new L2cException(file + ": truncated while reading bytes " + position + ".." + (position + expected)
                            + " (" + (into.position() - start) + " bytes, expected " + expected + ")");
                }
            }
        } catch (IOException e) {
            throw new L2cException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** CRC32C of bytes [position, position + length), read in pieces through {@code scratch}. */
    int crc(long position, long length, ByteBuffer scratch) throws L2cException {
        CRC32C crc = new CRC32C();
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(scratch.capacity(), length - done);
            scratch.clear().limit(n);
            readFully(position + done, scratch);
            crc.update(scratch.flip());
            done += n;
        }
        return (int) crc.getValue();
    }

    /** The offset of the first non-zero byte in [from, to), or -1; read in pieces through {@code scratch}. */
    long firstNonZero(long from, long to, ByteBuffer scratch) throws L2cException {
        for (long at = from; at < to; ) {
            int n = (int) Math.min(scratch.capacity(), to - at);
            scratch.clear().limit(n);
            readFully(at, scratch);
            for (int i = 0; i < n; i++) {
                if (scratch.get(i) != 0) return at + i;
            }
            at += n;
        }
        return -1;
    }
}
