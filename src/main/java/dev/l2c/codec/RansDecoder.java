package dev.l2c.codec;

import dev.l2c.L2cException;
import java.nio.Buffer;

/**
 * Decodes windows of streams coded with one frequency table into one kind of output (symbols, or
 * each symbol's value as f32, f16 or bf16), with what the decoder needs built once and reused by
 * every call: on the CPU the native slot tables and value bits (src/main/cpp/l2c/rans_cpu.h,
 * {@code Decoder}; docs/DESIGN.md, "Native contracts"). Made by {@link RansCodec#symbolDecoder},
 * {@link RansCodec#byteDecoder} and {@link RansCodec#valueDecoder}.
 *
 * <p>Thread-safety: decode calls may run concurrently; {@link #close} must come after all of them
 * (a decode after close throws IllegalStateException). Buffers follow {@link RansCodec}'s rules.
 *
 * @param <B> the output buffer: ShortBuffer for u16 symbols, ByteBuffer for bytes and values
 */
public interface RansDecoder<B extends Buffer> extends AutoCloseable {
    /**
     * Decodes chunks [firstChunk, firstChunk + chunkCount) of {@code stream}, which must be coded with
     * this decoder's table (IllegalArgumentException otherwise), into {@code out} from its position.
     */
    void decode(EncodedStream stream, int firstChunk, int chunkCount, B out) throws L2cException;

    /** Frees what the decoder holds; idempotent. */
    @Override
    void close();
}
