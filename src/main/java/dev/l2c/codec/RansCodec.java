package dev.l2c.codec;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;

/**
 * Chunked 32-lane interleaved rANS (the bitstream of src/main/cpp/l2c/rans_core.h); every backend
 * writes and reads the same bytes.
 *
 * <p>Buffers are direct (ShortBuffers in native byte order); a call reads or writes from the buffer's position and leaves position and
 * limit unchanged. Inputs are the buffer's remaining elements; outputs need room for the decoded
 * symbols (IllegalArgumentException otherwise). Chunk ranges let a caller decode a stream larger
 * than one buffer in windows. Bad data throws L2cException naming the chunk (or symbol position);
 * the caller prefixes the tensor name.
 */
public interface RansCodec {
    /** Encodes the remaining uint16 symbols of {@code symbols}. */
    EncodedStream encode(ShortBuffer symbols, FrequencyTable table, int chunkSymbols) throws L2cException;

    /** Encodes the remaining uint8 symbols of {@code symbols}. */
    EncodedStream encodeBytes(ByteBuffer symbols, FrequencyTable table, int chunkSymbols) throws L2cException;

    /** Decodes chunks [firstChunk, firstChunk + chunkCount) into uint16 symbols. */
    void decodeSymbols(EncodedStream stream, int firstChunk, int chunkCount, ShortBuffer out)
            throws L2cException;

    /** Decodes chunks [firstChunk, firstChunk + chunkCount) into uint8 symbols (alphabet <= 256). */
    void decodeBytes(EncodedStream stream, int firstChunk, int chunkCount, ByteBuffer out)
            throws L2cException;

    /**
     * Decodes chunks [firstChunk, firstChunk + chunkCount) and writes values[symbol] converted to
     * {@code type} (round to nearest even), little-endian. {@code values} has one entry per symbol
     * of the alphabet.
     */
    void decodeValues(EncodedStream stream, int firstChunk, int chunkCount, float[] values, ValueType type,
            ByteBuffer out) throws L2cException;

    /**
     * A decoder of streams coded with {@code table} into uint16 symbols. This default decodes each
     * window with {@link #decodeSymbols}; backends with native decoder contexts build them once.
     */
    default RansDecoder<ShortBuffer> symbolDecoder(FrequencyTable table) {
        return new WindowDecoder<>(table, this::decodeSymbols);
    }

    /** A decoder of streams coded with {@code table} (at most 256 symbols) into uint8 symbols. */
    default RansDecoder<ByteBuffer> byteDecoder(FrequencyTable table) {
        WindowDecoder.requireByteAlphabet(table);
        return new WindowDecoder<>(table, this::decodeBytes);
    }

    /**
     * A decoder of streams coded with {@code table} into {@code values[symbol]} converted to
     * {@code type} (as {@link #decodeValues}); values has one entry per symbol and is copied.
     */
    default RansDecoder<ByteBuffer> valueDecoder(FrequencyTable table, float[] values, ValueType type) {
        WindowDecoder.requireValues(table, values);
        float[] copy = values.clone();
        return new WindowDecoder<>(table, (s, first, count, out) -> decodeValues(s, first, count, copy, type, out));
    }

    /** Counts the remaining symbols of {@code symbols}; a symbol >= alphabetSize is an error. */
    long[] histogram(ShortBuffer symbols, int alphabetSize) throws L2cException;
}
