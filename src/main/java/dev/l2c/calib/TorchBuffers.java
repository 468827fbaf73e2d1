package dev.l2c.calib;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Hands direct float buffers to libtorch and back: by address ({@link #alias}), or in one native
 * copy each (no element loop in Java). The buffers are read and written from position 0 to their
 * limit.
 */
final class TorchBuffers {
    private TorchBuffers() {}

    /** A new tensor of {@code type} holding the values of {@code src} in {@code shape}. */
    static Tensor copyOf(FloatBuffer src, torch.ScalarType type, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        if (n != src.limit()) throw new IllegalArgumentException(src.limit() + " values for shape " + java.util.Arrays.toString(shape));
        // from_blob aliases the buffer; the conversion (or clone) makes the tensor own its values.
        Tensor view = torch.from_blob(new FloatPointer(src), shape);
        return type == torch.ScalarType.Float ? view.clone() : view.to(type);
    }

    /**
     * A float32 tensor of {@code shape} over the buffer's own memory, handed to libtorch by address
     * (no copy): valid while the buffer is reachable, and it sees every write to the buffer.
     */
    static Tensor alias(FloatBuffer src, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        if (n != src.limit()) throw new IllegalArgumentException(src.limit() + " values for shape " + java.util.Arrays.toString(shape));
        if (!src.isDirect()) throw new IllegalArgumentException("only a direct buffer can be aliased");
        return torch.from_blob(new FloatPointer(src.duplicate().position(0)), shape);
    }

    /** Writes the values of {@code src} (any float type, any layout) into {@code dst} as fp32. */
    static void copyInto(Tensor src, FloatBuffer dst) {
        long n = src.numel();
        if (n != dst.limit()) throw new IllegalArgumentException(n + " values into a buffer of " + dst.limit());
        Tensor target = torch.from_blob(new FloatPointer(dst), src.sizes().vec().get());
        target.copy_(src.detach());
    }
}
