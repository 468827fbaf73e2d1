package dev.l2c.calib;

import dev.l2c.graph.Tensors;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The gradients libtorch's backward left on the student's leaves, handed over by address: each
 * gradient tensor is kept alive (its handle taken out of the step's PointerScope) and read through
 * a direct buffer over its storage until {@link #close}. Checked before use: float32, contiguous,
 * on the CPU, and the tensor's element count.
 */
final class LeafGradients implements Gradients {
    private final Tensor[] held;
    private final FloatBuffer[] views;
    private final Distillation.Loss loss;
    private double distortion = Double.NaN;
    private boolean closed;

    private LeafGradients(Tensor[] held, FloatBuffer[] views, Distillation.Loss loss) {
        this.held = held;
        this.views = views;
        this.loss = loss;
    }

    /** Takes each leaf's gradient out of {@code scope} (null where none reached the leaf). */
    static LeafGradients take(PointerScope scope, Tensor[] leaves, CalibTensor[] tensors, Distillation.Loss loss) {
        Tensor[] held = new Tensor[leaves.length];
        FloatBuffer[] views = new FloatBuffer[leaves.length];
        try {
            for (int l = 0; l < leaves.length; l++) {
                Tensor g = leaves[l].grad();
                if (g == null || !g.defined()) continue;
                long n = tensors[l].elements();
                if (!usable(g)) {
                    // Not what autograd gives a contiguous float32 CPU leaf; made so once rather than refused.
                    g = g.to(torch.ScalarType.Float).contiguous();
                }
                if (g.numel() != n || !usable(g)) {
                    throw new IllegalStateException("tensor " + tensors[l].name() + ": gradient of " + g.numel()
                            + " elements for " + n + " (" + Tensors.type(g) + ", contiguous " + g.is_contiguous() + ", cpu "
                            + g.is_cpu() + ")");
                }
                Tensor own = new Tensor(g);
                own.retainReference(); // attached to the step's scope: 1 -> 2
                scope.detach(own); // 2 -> 1: held until close()
                held[l] = own;
                FloatPointer p = new FloatPointer(own.data_ptr_float());
                views[l] = p.capacity(n).limit(n).asBuffer();
            }
        } catch (RuntimeException e) {
            for (Tensor t : held) if (t != null) t.close();
            throw e;
        }
        return new LeafGradients(held, views, loss);
    }

    /** Whether the tensor's memory can be read as it is: contiguous float32 on the CPU. */
    private static boolean usable(Tensor g) {
        return Tensors.type(g) == torch.ScalarType.Float && g.is_contiguous() && g.is_cpu();
    }

    /** The loss's parts of the step (total is null). */
    Distillation.Loss loss() {
        return loss;
    }

    void setDistortion(double d) {
        distortion = d;
    }

    @Override
    public double distortion() {
        return distortion;
    }

    @Override
    public FloatBuffer get(int l) {
        if (closed) throw new IllegalStateException("gradients read after close");
        return views[l];
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (int l = 0; l < held.length; l++) {
            views[l] = null;
            if (held[l] != null) held[l].close();
        }
    }
}
