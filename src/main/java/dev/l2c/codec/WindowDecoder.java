package dev.l2c.codec;

import dev.l2c.L2cException;
import java.nio.Buffer;

/** A {@link RansDecoder} that decodes each window with one call of its codec (nothing is kept). */
final class WindowDecoder<B extends Buffer> implements RansDecoder<B> {
    /** One window of one stream into one buffer. */
    interface Window<B> {
        void decode(EncodedStream stream, int firstChunk, int chunkCount, B out) throws L2cException;
    }

    private final FrequencyTable table;
    private final Window<B> window;
    private volatile boolean closed;

    WindowDecoder(FrequencyTable table, Window<B> window) {
        this.table = table;
        this.window = window;
    }

    @Override
    public void decode(EncodedStream stream, int firstChunk, int chunkCount, B out) throws L2cException {
        if (closed) throw new IllegalStateException("rANS decoder used after close");
        requireTable(table, stream);
        window.decode(stream, firstChunk, chunkCount, out);
    }

    @Override
    public void close() {
        closed = true;
    }

    static void requireTable(FrequencyTable table, EncodedStream stream) {
        if (!stream.table().equals(table))
            throw new IllegalArgumentException("stream coded with " + stream.table() + ", decoder made for " + table);
    }

    static void requireByteAlphabet(FrequencyTable table) {
        if (table.alphabetSize() > 256)
            throw new IllegalArgumentException("byte decoding needs an alphabet of at most 256 symbols, not "
                    + table.alphabetSize());
    }

    static void requireValues(FrequencyTable table, float[] values) {
        if (values.length != table.alphabetSize())
            throw new IllegalArgumentException(values.length + " values for an alphabet of " + table.alphabetSize()
                    + " symbols");
    }
}
