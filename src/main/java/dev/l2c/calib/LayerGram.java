package dev.l2c.calib;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The Gram matrices H_g = X_g^T X_g of the inputs a weight multiplies, one per group, accumulated
 * in double over the calibration batches (each batch's product in the input's own precision). With the weight viewed as matrices M_g (rows: outputs of
 * group g; columns: the k inputs each output sees), a layer's output error is
 * ||dM_g X_g^T||^2 = tr(dM_g H_g dM_g^T), so H is all the layer-wise objective keeps of X.
 */
public final class LayerGram implements AutoCloseable {
    /** How the weight's elements map onto M. */
    public enum View {
        /** W is [in, out] (MatMul's second input, Gemm's B without transB): M = W^T, one group. */
        IN_OUT,
        /** W is [out, ...] with k = product of the trailing dims (Gemm transB, Conv, MatMul's first input): M = W. */
        OUT_IN
    }

    private final String tensor;
    private final View view;
    private final int groups;
    private final int k;
    private final Tensor h;

    /** Zero Gram matrices for {@code groups} groups of {@code k} inputs each. */
    public LayerGram(String tensor, View view, int groups, int k) {
        if (groups < 1 || k < 1) throw new IllegalArgumentException(tensor + ": groups " + groups + ", k " + k);
        if (view == View.IN_OUT && groups != 1) throw new IllegalArgumentException(tensor + ": IN_OUT has one group");
        this.tensor = tensor;
        this.view = view;
        this.groups = groups;
        this.k = k;
        this.h = torch.zeros(new long[] {groups, k, k}, new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Double));
    }

    public String tensor() {
        return tensor;
    }

    public View view() {
        return view;
    }

    public int groups() {
        return groups;
    }

    /** Inputs per output within a group (H is k x k). */
    public int k() {
        return k;
    }

    /** H as a [groups, k, k] double tensor (owned by this object). */
    public Tensor h() {
        return h;
    }

    /** H_g of group {@code group} copied out as a k x k row-major array (for the GPTQ baseline). */
    public double[] matrix(int group) {
        java.util.Objects.checkIndex(group, groups);
        double[] out = new double[k * k];
        try (PointerScope scope = new PointerScope()) {
            Tensor c = h.select(0, group).contiguous();
            new org.bytedeco.javacpp.DoublePointer(c.data_ptr()).get(out);
        }
        return out;
    }

    /**
     * Adds input rows: {@code x} is [R, groups * k] (any float type), group g taking columns
     * [g k, (g + 1) k), as im2col lays out grouped convolution inputs.
     */
    public void add(Tensor x) {
        long[] size = x.sizes().vec().get();
        if (size.length != 2 || size[1] != (long) groups * k) {
            throw new IllegalArgumentException(tensor + ": input rows of shape " + java.util.Arrays.toString(size)
                    + ", expected [R, " + (long) groups * k + "]");
        }
        try (PointerScope scope = new PointerScope()) {
            // One batch's product in the input's precision (a float32 GEMM, several times faster
            // than float64 here, and exact enough for one batch), summed over batches in double.
            Tensor xd = x.detach();
            for (int g = 0; g < groups; g++) {
                Tensor xg = groups == 1 ? xd : xd.narrow(1, (long) g * k, k);
                h.select(0, g).add_(xg.t().mm(xg).to(torch.ScalarType.Double));
            }
        }
    }

    @Override
    public void close() {
        h.close();
    }
}
