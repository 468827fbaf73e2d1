package dev.l2c.format;

import dev.l2c.L2cException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Read-only views of a file through memory mappings of bounded size, never one mapping of the
 * whole file (a mapping is limited to 2 GiB). Windows of {@code window} bytes start every
 * {@code window / 2} bytes, so any range up to half a window lies inside one cached window; a
 * larger range gets a mapping of its own. Thread-safe.
 */
final class MappedWindows {
    static final long DEFAULT_WINDOW = 256L << 20;

    private final FileChannel channel;
    private final long size;
    private final String file;
    private final long window;
    private final long step;
    private final ConcurrentHashMap<Long, MappedByteBuffer> windows = new ConcurrentHashMap<>();
    private final AtomicLong largestMapping = new AtomicLong();

    MappedWindows(FileChannel channel, long size, String file, long window) {
        if (window < 2 || window > Integer.MAX_VALUE) throw new IllegalArgumentException("window " + window);
        this.channel = channel;
        this.size = size;
        this.file = file;
        this.window = window;
        this.step = window / 2;
    }

    /** A read-only little-endian view of bytes [offset, offset + length), which must lie in the file. */
    ByteBuffer slice(long offset, int length) throws L2cException {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside the file of " + size);
        }
        if (length > step) {
            try {
                return map(offset, length).order(ByteOrder.LITTLE_ENDIAN);
            } catch (IOException e) {
                throw new L2cException(file + ": cannot map bytes " + offset + "+" + length + ": " + e.getMessage(), e);
            }
        }
        long k = offset / step;
        long start = k * step;
        MappedByteBuffer w;
        try {
            w = windows.computeIfAbsent(k, key -> {
                try {
                    return map(start, (int) Math.min(window, size - start));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw new L2cException(file + ": cannot map bytes " + offset + "+" + length + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
        return w.slice((int) (offset - start), length).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The largest single mapping made so far, in bytes. */
    long largestMapping() {
        return largestMapping.get();
    }

    private MappedByteBuffer map(long offset, int length) throws IOException {
        largestMapping.accumulateAndGet(length, Math::max);
        return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
    }
}
