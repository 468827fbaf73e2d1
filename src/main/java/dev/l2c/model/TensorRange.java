package dev.l2c.model;

import dev.l2c.L2cException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where a tensor's bytes lie in a file, so that they can be read when needed rather than held:
 * a model streamed tensor by tensor needs memory for one tensor, not for the file (a mapped file's
 * pages stay resident once read, and count against the process).
 *
 * @param name the tensor's name as it is stored (which may differ from the name in the file)
 * @param begin the first byte in the file
 */
public record TensorRange(Path file, String name, DType dtype, long[] shape, long begin) {
    public TensorRange {
        shape = shape.clone();
    }

    /**
     * The tensor read into a direct buffer of its own (returned as {@code data()}'s owner via
     * {@link Loaded#buffer}, so that the caller can free it once nothing reads it).
     */
    public Loaded load() throws L2cException {
        int bytes = Tensor.byteLength(name, dtype, shape);
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buffer.hasRemaining()) {
                if (ch.read(buffer, begin + buffer.position()) < 0) {
                    throw new L2cException(file + ": tensor " + name + ": the file ended early (changed while it was read?)");
                }
            }
        } catch (IOException e) {
            throw new L2cException(file + ": cannot read tensor " + name + ": " + e.getMessage(), e);
        }
        buffer.flip();
        return new Loaded(new Tensor(name, dtype, shape, buffer), buffer);
    }

    /** A loaded tensor and the buffer that owns its bytes. */
    public record Loaded(Tensor tensor, ByteBuffer buffer) {}
}
