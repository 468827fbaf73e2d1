package dev.l2c.graph;

import static dev.l2c.graph.Ops.one;

import dev.l2c.L2cException;
import java.util.Arrays;
import java.util.Map;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Reductions over axes (ReduceMean and friends) and ArgMax/ArgMin. */
final class ReduceOps {
    private ReduceOps() {}

    private interface Reduction {
        Tensor apply(Tensor x, long[] axes, boolean keep);
    }

    static void register(Map<String, Kernel.Factory> m) {
        reduce(m, "ReduceMean", 18, (x, axes, keep) -> x.mean(axes, keep, null));
        reduce(m, "ReduceSum", 13, (x, axes, keep) -> x.sum(axes, keep, null));
        reduce(m, "ReduceMax", 18, (x, axes, keep) -> x.amax(axes, keep));
        reduce(m, "ReduceMin", 18, (x, axes, keep) -> x.amin(axes, keep));
        reduce(m, "ReduceProd", 18, ReduceOps::prod);
        reduce(m, "ReduceL1", 18, (x, axes, keep) -> torch.abs(x).sum(axes, keep, null));
        reduce(m, "ReduceL2", 18, (x, axes, keep) -> torch.sqrt(torch.mul(x, x).sum(axes, keep, null)));
        reduce(m, "ReduceSumSquare", 18, (x, axes, keep) -> torch.mul(x, x).sum(axes, keep, null));
        reduce(m, "ReduceLogSumExp", 18, (x, axes, keep) -> torch.logsumexp(x, axes, keep));
        m.put("ArgMax", n -> arg(n, true));
        m.put("ArgMin", n -> arg(n, false));
    }

    /** Axes as an attribute before {@code inputSince}, as an optional input from then on. */
    private static void reduce(Map<String, Kernel.Factory> m, String op, int inputSince, Reduction f) {
        m.put(op, n -> {
            boolean attrAxes = n.opset() < inputSince;
            if (attrAxes) n.allowAttributes("axes", "keepdims");
            else n.allowAttributes("keepdims", "noop_with_empty_axes");
            n.checkArity(1, attrAxes ? 1 : 2, 1, 1);
            boolean keep = n.intAttr("keepdims", 1) != 0;
            boolean noop = n.intAttr("noop_with_empty_axes", 0) != 0;
            long[] fixed = attrAxes ? n.intsAttr("axes") : null;
            return (in, mode) -> {
                Tensor x = in[0];
                long[] axes = fixed != null ? fixed : in.length > 1 && in[1] != null ? Ops.longs(n, in[1], "axes") : null;
                if (axes == null || axes.length == 0) {
                    if (noop) return one(x);
                    axes = new long[(int) x.dim()];
                    for (int i = 0; i < axes.length; i++) axes[i] = i;
                }
                axes = Ops.axes(n, axes, x.dim(), "axis");
                if (axes.length == 0) return one(x); // a scalar: nothing to reduce
                return one(f.apply(x, axes, keep));
            };
        });
    }

    private static Tensor prod(Tensor x, long[] axes, boolean keep) {
        long[] sorted = axes.clone();
        Arrays.sort(sorted);
        Tensor t = x;
        for (int i = sorted.length - 1; i >= 0; i--) t = t.prod(sorted[i], keep, null);
        return t;
    }

    private static Kernel arg(OpNode n, boolean max) throws L2cException {
        n.allowAttributes("axis", "keepdims", "select_last_index");
        n.checkArity(1, 1, 1, 1);
        if (n.intAttr("select_last_index", 0) != 0) throw n.fail("select_last_index=1 is not supported");
        long axis = n.intAttr("axis", 0);
        boolean keep = n.intAttr("keepdims", 1) != 0;
        return (in, mode) -> {
            long a = Ops.axis(n, axis, in[0].dim(), "axis");
            LongOptional dim = new LongOptional(a);
            return one(max ? torch.argmax(in[0], dim, keep) : torch.argmin(in[0], dim, keep));
        };
    }
}
