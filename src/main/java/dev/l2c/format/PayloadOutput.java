package dev.l2c.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Sequential, buffered writes to a channel, counting the file position. */
final class PayloadOutput {
    private static final int STAGING_BYTES = 1 << 20;

    private final FileChannel channel;
    private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING_BYTES);
    private long position;

    PayloadOutput(FileChannel channel) {
        this.channel = channel;
    }

    long position() {
        return position;
    }

    /** Writes all of {@code src}'s remaining bytes, consuming them. */
    void write(ByteBuffer src) throws IOException {
        position += src.remaining();
        if (src.remaining() >= STAGING_BYTES) {
            // Large pieces skip the copy; the staged bytes go first to keep the order.
            flush();
            writeFully(src);
            return;
        }
        while (src.hasRemaining()) {
            if (!staging.hasRemaining()) flush();
            int take = Math.min(src.remaining(), staging.remaining());
            staging.put(staging.position(), src, src.position(), take);
            staging.position(staging.position() + take);
            src.position(src.position() + take);
        }
    }

    void write(byte[] bytes) throws IOException {
        write(ByteBuffer.wrap(bytes));
    }

    /** Writes zero bytes up to where a payload of {@code length} bytes starts ({@link Layout#payloadStart}). */
    void padBefore(long length) throws IOException {
        int pad = (int) (Layout.payloadStart(position, length) - position);
        if (pad > 0) write(new byte[pad]);
    }

    void flush() throws IOException {
        staging.flip();
        writeFully(staging);
        staging.clear();
    }

    private void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) channel.write(src);
    }
}
