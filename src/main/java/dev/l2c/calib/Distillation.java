package dev.l2c.calib;

import dev.l2c.L2cException;
import dev.l2c.graph.OnnxExecutor;
import dev.l2c.graph.Tensors;
import dev.l2c.model.onnx.proto.NodeProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The teacher side of knowledge distillation: the original network's outputs and a few
 * intermediate features on every calibration sample, computed once (no gradients) and cached,
 * and the student's loss against them on a minibatch.
 *
 * <p>Errors are normalized: a value's error is its mean squared difference divided by the
 * teacher's mean square of that value over the whole calibration set, so each term is a relative
 * error (comparable to the data-free term, and no 1e6 weighting as in the paper is needed to
 * balance features against cross-entropy). Where the data gives position weights (attention
 * masks), means are taken over weighted positions; such data may pad each batch to its own
 * longest sample, and the cache then holds every value zero-padded to the largest size seen, cut
 * back to the student's size when compared.
 *
 * <p>Features are chosen automatically ({@link #chooseFeatures}).
 */
public final class Distillation implements AutoCloseable {
    /** Operators whose outputs are candidate features: the activations and sums of the main path. */
    private static final Set<String> FEATURE_OPS = Set.of("Relu", "Add");

    /** How the student's loss weighs its parts. */
    public record Weights(double output, double features, double crossEntropy) {}

    /**
     * One student evaluation: the total (a scalar tensor with autograd history, the caller's) and
     * its parts: relative output error, mean relative feature error, cross-entropy (NaN without labels).
     */
    public record Loss(Tensor total, double output, double features, double crossEntropy) {}

    /**
     * How closely the student follows the teacher on {@code samples} samples: the relative output
     * error (as in the loss, averaged over the samples) and, for a classifier, the share of samples
     * whose top-1 class is the teacher's (NaN otherwise).
     */
    public record Signal(int samples, double outputError, double agreement) {
        /**
         * Whether this is clearly worse than {@code other}: for classifiers, an agreement lower by more
         * than 1 / sqrt(samples), two standard errors of a share measured on that many samples at its
         * widest (p = 1/2), so that sampling noise does not undo a round; otherwise (or at equal
         * agreement) an output error higher by more than that fraction of it.
         */
        public boolean worseThan(Signal other) {
            double margin = 1 / Math.sqrt(Math.max(1, Math.min(samples, other.samples)));
            if (!Double.isNaN(agreement) && !Double.isNaN(other.agreement) && agreement != other.agreement) {
                return agreement < other.agreement - margin;
            }
            return outputError > other.outputError * (1 + margin);
        }
    }

    private final OnnxExecutor executor;
    private final CalibrationData data;
    private final List<String> outputs;
    private final List<String> features;
    private final List<String> fetch;
    private final Map<String, Tensor> teacher;
    private final Map<String, Double> meanSquare;
    private final CalibrationClock clock;
    private final boolean classifier;

    private Distillation(OnnxExecutor executor, CalibrationData data, List<String> outputs, List<String> features,
            Map<String, Tensor> teacher, Map<String, Double> meanSquare, CalibrationClock clock, boolean classifier) {
        this.executor = executor;
        this.data = data;
        this.outputs = outputs;
        this.features = features;
        this.fetch = new ArrayList<>(outputs);
        this.fetch.addAll(features);
        this.teacher = teacher;
        this.meanSquare = meanSquare;
        this.clock = clock;
        this.classifier = classifier;
    }

    /**
     * Runs the teacher (the executor's present initializers, which must be the original weights)
     * over all samples in batches of {@code batch}, caching its float outputs and {@code featureCount}
     * features. {@code progress} receives the samples done after each batch.
     */
    public static Distillation prepare(OnnxExecutor executor, CalibrationData data, int featureCount, int batch,
            CalibrationClock clock, IntConsumer progress) throws L2cException {
        List<String> candidates = chooseFeatures(executor.nodes(), executor.outputNames(), featureCount);
        List<String> wanted = new ArrayList<>(executor.outputNames());
        wanted.addAll(candidates);
        int n = data.size();
        Map<String, Tensor> cache = new LinkedHashMap<>();
        Map<String, double[]> squares = new HashMap<>(); // {weighted sum of squares, weighted count}
        Set<String> dropped = new HashSet<>();
        boolean ok = false;
        try {
            for (int from = 0; from < n; from += batch) {
                int[] idx = BatchSampler.range(from, batch, n);
                try (PointerScope scope = new PointerScope()) {
                    Map<String, Tensor> in = data.inputs(idx);
                    Tensor w = data.positionWeights(idx);
                    long t0 = System.nanoTime();
                    Map<String, Tensor> out = executor.run(in, wanted);
                    clock.addForward(System.nanoTime() - t0);
                    for (String v : wanted) {
                        Tensor t = out.get(v);
                        if (dropped.contains(v)) continue;
                        boolean output = executor.outputNames().contains(v);
                        boolean batchFirst = t.dim() > 0 && t.size(0) == idx.length;
                        if (!t.is_floating_point() || (!batchFirst && !output)) {
                            // Integer values (an argmax output) and features without the batch first are not distilled.
                            dropped.add(v);
                            Tensor stale = cache.remove(v);
                            if (stale != null) stale.close();
                            continue;
                        }
                        if (!batchFirst) {
                            throw new L2cException("output " + v + " of shape " + java.util.Arrays.toString(Tensors.shape(t))
                                    + " does not have the batch (" + idx.length + " samples) as its first dimension");
                        }
                        Tensor c = cache.get(v);
                        long[] tail = tail(Tensors.shape(t));
                        if (c == null) {
                            c = zeros(scope, n, tail);
                            cache.put(v, c);
                            squares.put(v, new double[2]);
                        } else if (!java.util.Arrays.equals(tail(Tensors.shape(c)), tail)) {
                            if (w == null) {
                                throw new L2cException("value " + v + " changes shape between calibration batches ("
                                        + java.util.Arrays.toString(Tensors.shape(t)) + ") though the data has no padding");
                            }
                            c = grown(scope, c, tail);
                            cache.put(v, c);
                        }
                        region(c, from, idx.length, tail).copy_(t.detach());
                        double[] s = squares.get(v);
                        Tensor tf = t.detach().to(torch.ScalarType.Double);
                        s[0] += weightedSum(tf.square(), w).item_double();
                        s[1] += weightCount(tf, w);
                    }
                }
                if (progress != null) progress.accept(idx.length);
            }
            List<String> outs = new ArrayList<>();
            List<String> feats = new ArrayList<>();
            Map<String, Double> ms = new HashMap<>();
            for (String v : wanted) {
                if (!cache.containsKey(v)) continue;
                double[] s = squares.get(v);
                double m = s[1] > 0 ? s[0] / s[1] : 0;
                ms.put(v, m > 0 ? m : 1);
                (executor.outputNames().contains(v) ? outs : feats).add(v);
            }
            if (outs.isEmpty()) throw new L2cException("the model has no float output with the batch first to distill");
            Tensor first = cache.get(outs.get(0));
            boolean classifier = first.dim() == 2;
            ok = true;
            return new Distillation(executor, data, outs, feats, cache, ms, clock, classifier);
        } finally {
            if (!ok) cache.values().forEach(Tensor::close);
        }
    }

    /**
     * Up to {@code count} intermediate values, evenly spaced along the computation order and ending
     * at the deepest candidate: outputs of Relu and Add nodes that feed two or more nodes (the
     * branch points of a residual stream: the main path), or, when there are fewer of those than
     * {@code count}, all Relu and Add outputs. Graph outputs are not features.
     */
    public static List<String> chooseFeatures(List<NodeProto> nodes, List<String> graphOutputs, int count) {
        if (count <= 0) return List.of();
        Map<String, Integer> uses = new HashMap<>();
        for (NodeProto node : nodes) for (String in : node.getInputList()) uses.merge(in, 1, Integer::sum);
        List<String> all = new ArrayList<>();
        List<String> branching = new ArrayList<>();
        for (NodeProto node : nodes) {
            if (!FEATURE_OPS.contains(node.getOpType()) || node.getOutputCount() == 0) continue;
            String v = node.getOutput(0);
            if (v.isEmpty() || graphOutputs.contains(v)) continue;
            all.add(v);
            if (uses.getOrDefault(v, 0) >= 2) branching.add(v);
        }
        List<String> pool = branching.size() >= count ? branching : all;
        if (pool.size() <= count) return List.copyOf(pool);
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= count; i++) out.add(pool.get((int) Math.ceil((double) i * pool.size() / count) - 1));
        return out;
    }

    /** The distilled outputs. */
    public List<String> outputs() {
        return outputs;
    }

    /** The distilled intermediate features. */
    public List<String> features() {
        return features;
    }

    /** Whether the first output is [batch, classes] logits, so labels give a cross-entropy term. */
    public boolean classifier() {
        return classifier;
    }

    /**
     * Runs the student (the executor with whatever initializers the caller set) on the samples at
     * {@code indices} and returns its loss against the teacher; the forward time goes to the clock.
     * Tensors made here join the caller's PointerScope.
     */
    public Loss student(int[] indices, Weights weights) throws L2cException {
        long t0 = System.nanoTime();
        Map<String, Tensor> in = data.inputs(indices);
        Tensor w = data.positionWeights(indices);
        Tensor index = Tensors.fromLongs(toLongs(indices), indices.length);
        Map<String, Tensor> out = executor.run(in, fetch);
        Tensor outputError = null;
        for (String v : outputs) {
            Tensor e = relativeError(out.get(v), target(v, index, out.get(v)), w, meanSquare.get(v));
            outputError = outputError == null ? e : outputError.add(e);
        }
        outputError = outputError.div(new org.bytedeco.pytorch.Scalar((double) outputs.size()));
        Tensor total = outputError.mul(new org.bytedeco.pytorch.Scalar(weights.output()));
        double featureValue = 0;
        if (!features.isEmpty()) {
            Tensor featureError = null;
            for (String v : features) {
                Tensor e = relativeError(out.get(v), target(v, index, out.get(v)), w, meanSquare.get(v));
                featureError = featureError == null ? e : featureError.add(e);
            }
            featureError = featureError.div(new org.bytedeco.pytorch.Scalar((double) features.size()));
            featureValue = featureError.item_double();
            if (weights.features() != 0) total = total.add(featureError.mul(new org.bytedeco.pytorch.Scalar(weights.features())));
        }
        double ce = Double.NaN;
        if (classifier && weights.crossEntropy() != 0) {
            Tensor labels = data.labels(indices);
            if (labels != null) {
                Tensor loss = torch.cross_entropy_loss(out.get(outputs.get(0)), labels);
                ce = loss.item_double();
                total = total.add(loss.mul(new org.bytedeco.pytorch.Scalar(weights.crossEntropy())));
            }
        }
        double outputValue = outputError.item_double();
        clock.addForward(System.nanoTime() - t0);
        return new Loss(total, outputValue, featureValue, ce);
    }

    /**
     * The {@link Signal} of the student (the executor's present initializers) on {@code indices},
     * run without gradients in batches of {@code batch}.
     */
    public Signal measure(int[] indices, int batch) throws L2cException {
        double error = 0;
        long agree = 0;
        int done = 0;
        try (PointerScope scope = new PointerScope(); org.bytedeco.pytorch.NoGradGuard noGrad = new org.bytedeco.pytorch.NoGradGuard()) {
            for (int from = 0; from < indices.length; from += batch) {
                int[] idx = java.util.Arrays.copyOfRange(indices, from, Math.min(indices.length, from + batch));
                try (PointerScope inner = new PointerScope()) {
                    Tensor w = data.positionWeights(idx);
                    Tensor index = Tensors.fromLongs(toLongs(idx), idx.length);
                    long t0 = System.nanoTime();
                    Map<String, Tensor> out = executor.run(data.inputs(idx), outputs);
                    clock.addForward(System.nanoTime() - t0);
                    double e = 0;
                    for (String v : outputs) e += relativeError(out.get(v), target(v, index, out.get(v)), w, meanSquare.get(v)).item_double();
                    error += e / outputs.size() * idx.length;
                    if (classifier) {
                        Tensor student = out.get(outputs.get(0));
                        Tensor teacherTop = target(outputs.get(0), index, student).argmax(new org.bytedeco.pytorch.LongOptional(1), false);
                        agree += student.argmax(new org.bytedeco.pytorch.LongOptional(1), false).eq(teacherTop).sum().item_long();
                    }
                }
                done += idx.length;
            }
        }
        if (done == 0) return new Signal(0, Double.NaN, Double.NaN);
        return new Signal(done, error / done, classifier ? agree / (double) done : Double.NaN);
    }

    @Override
    public void close() {
        teacher.values().forEach(Tensor::close);
        teacher.clear();
    }

    /** The teacher's values of {@code v} for the samples at {@code index}, cut to the student's (padded) size. */
    private Tensor target(String v, Tensor index, Tensor student) {
        return region(torch.index_select(teacher.get(v), 0, index), 0, student.size(0), tail(Tensors.shape(student)));
    }

    /** Weighted mean of (s - t)^2 over positions, divided by the teacher's mean square. */
    private static Tensor relativeError(Tensor student, Tensor target, Tensor w, double meanSquare) {
        Tensor d = student.sub(target).square();
        Tensor mean = w == null ? d.mean() : weightedSum(d, w).div(new org.bytedeco.pytorch.Scalar(weightCount(d, w)));
        return mean.div(new org.bytedeco.pytorch.Scalar(meanSquare));
    }

    /** sum(x * w) with w [B, ...] broadcast over x's trailing dimensions; sum(x) without weights. */
    private static Tensor weightedSum(Tensor x, Tensor w) {
        if (w == null) return x.sum();
        return x.mul(broadcastable(w, x).to(x.scalar_type())).sum();
    }

    /** The number of weighted elements: sum(w) times the elements per weighted position. */
    private static double weightCount(Tensor x, Tensor w) {
        if (w == null) return x.numel();
        return w.to(torch.ScalarType.Double).sum().item_double() * ((double) x.numel() / w.numel());
    }

    /** w reshaped to [B, ..., 1, 1] to broadcast against x, whose leading dimensions it must equal. */
    private static Tensor broadcastable(Tensor w, Tensor x) {
        long[] ws = Tensors.shape(w);
        long[] xs = Tensors.shape(x);
        if (ws.length > xs.length) throw new IllegalArgumentException("position weights of rank " + ws.length + " for rank " + xs.length);
        long[] shape = new long[xs.length];
        for (int i = 0; i < xs.length; i++) {
            if (i < ws.length) {
                if (ws[i] != xs[i]) {
                    throw new IllegalArgumentException("position weights " + java.util.Arrays.toString(ws) + " do not lead "
                            + java.util.Arrays.toString(xs));
                }
                shape[i] = ws[i];
            } else {
                shape[i] = 1;
            }
        }
        return w.reshape(shape);
    }

    /** A zero float tensor [n, tail...] that the cache owns (taken out of the batch's scope). */
    private static Tensor zeros(PointerScope scope, long n, long[] tail) {
        long[] shape = new long[tail.length + 1];
        shape[0] = n;
        System.arraycopy(tail, 0, shape, 1, tail.length);
        Tensor c = torch.zeros(shape, new TensorOptions(torch.ScalarType.Float));
        c.retainReference(); // attached to the batch's scope: 1 -> 2
        scope.detach(c); // 2 -> 1: the cache owns it until close()
        return c;
    }

    /** The cache enlarged (zero-padded) to hold values of size {@code tail} too; the old one is closed. */
    private static Tensor grown(PointerScope scope, Tensor c, long[] tail) {
        long[] old = tail(Tensors.shape(c));
        if (old.length != tail.length) throw new IllegalArgumentException("rank changes between batches");
        long[] size = new long[tail.length];
        for (int d = 0; d < tail.length; d++) size[d] = Math.max(old[d], tail[d]);
        Tensor bigger = zeros(scope, c.size(0), size);
        region(bigger, 0, c.size(0), old).copy_(c);
        c.close();
        return bigger;
    }

    /** Rows [from, from + count) of {@code c}, and in each later dimension the first tail[d] entries. */
    private static Tensor region(Tensor c, long from, long count, long[] tail) {
        Tensor r = c.narrow(0, from, count);
        for (int d = 0; d < tail.length; d++) r = r.narrow(d + 1, 0, tail[d]);
        return r;
    }

    private static long[] tail(long[] shape) {
        return java.util.Arrays.copyOfRange(shape, 1, shape.length);
    }

    private static long[] toLongs(int[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }
}
