package dev.l2c.calib;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Copies between direct float buffers and libtorch tensors in one native copy each (no element
 * loop in Java). The buffers are read and written from position 0 to their limit.
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

    /** Writes the values of {@code src} (any float type, any layout) into {@code dst} as fp32. */
    static void copyInto(Tensor src, FloatBuffer dst) {
        long n = src.numel();
        if (n != dst.limit()) throw new IllegalArgumentException(n + " values into a buffer of " + dst.limit());
        Tensor target = torch.from_blob(new FloatPointer(dst), src.sizes().vec().get());
        target.copy_(src.detach());
    }
}
