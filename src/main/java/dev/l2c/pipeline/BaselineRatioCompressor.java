package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.calib.DataFreeObjective;
import dev.l2c.format.ContainerSize;
import dev.l2c.format.TensorInfo;
import dev.l2c.format.TransformSpec;
import dev.l2c.format.TransformType;
import dev.l2c.model.Tensor;
import dev.l2c.transform.MagnitudePruner;
import dev.l2c.transform.QuantizedTensor;
import dev.l2c.transform.UniformQuantizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ratio mode for the baselines: the lossy step is uniform quantization per tensor, after magnitude
 * pruning for {@link RatioMethod#PRUNE}, and the file size is measured on real codings
 * ({@link ContainerSize} of the really coded streams, the file attributes that will be written
 * included). The band is the target ratio R +-{@value #TOLERANCE} (as a fraction of R).
 *
 * <ul>
 *   <li>{@code uniform}: every bit width 2..8 is coded; the one whose ratio is closest to R (in
 *       the logarithm) is kept.
 *   <li>{@code prune}: for each bit width 4..8 the sparsity is searched in a bracket (more
 *       sparsity, smaller file) for the smallest S whose ratio reaches R, stopping within
 *       {@value #CLOSE_ENOUGH} of it, so files are never larger than ratio mode's target unless R
 *       is out of reach. Among the bit widths whose file is in the band, the one with the lowest
 *       data-free weight error is kept; when none is, the closest file, reported as not reached.
 * </ul>
 *
 * Nothing depends on timing or hash order: the same input gives the same bytes. One instance
 * serves one {@link #run}.
 */
final class BaselineRatioCompressor {
    static final double TOLERANCE = 0.01;
    /** The sparsity search stops once the ratio is in [R, R (1 + CLOSE_ENOUGH)]. */
    static final double CLOSE_ENOUGH = 0.001;
    /** The largest sparsity the search tries. */
    static final double MAX_SPARSITY = 0.999;
    static final int MIN_PRUNE_BITS = 4;
    private static final int MAX_SEARCH_PROBES = 40;

    /** The encoded tensors, what the baseline chose, and the lowest and highest ratios of the files it coded. */
    record Outcome(List<TensorEncoder.Encoded> encoded, long fileBytes, BaselineReport report, double lowestRatio,
            double highestRatio) {}

    /** One real coding of the lossy tensors at (bits, sparsity). */
    private record Probe(int bits, double sparsity, TensorEncoder.Encoded[] encoded, long fileBytes, double ratio,
            double[] errors, double distortion) {}

    private final TensorEncoder encoder;
    private final CompressOptions options;
    private final Progress progress;
    private final RatioMethod method;

    private List<Tensor> tensors;
    private final List<Integer> lossy = new ArrayList<>();
    private TensorEncoder.Encoded[] slots;
    private float[][] weights;
    private MagnitudePruner[] pruners;
    private Map<String, String> baseAttributes;
    private double originalBytes;
    private int probes;
    private double lowestRatio = Double.POSITIVE_INFINITY;
    private double highestRatio = 0;

    BaselineRatioCompressor(TensorEncoder encoder, CompressOptions options, Progress progress) {
        if (options.method() == RatioMethod.L2 || !options.ratioMode()) {
            throw new IllegalArgumentException("not a baseline ratio mode: " + options.modeAttribute());
        }
        this.encoder = encoder;
        this.options = options;
        this.progress = progress;
        this.method = options.method();
    }

    /** Encodes {@code tensors}; adds the chosen method, bits and sparsity to {@code attributes}. */
    Outcome run(List<Tensor> tensors, Map<String, String> attributes) throws L2cException {
        if (this.tensors != null) throw new IllegalStateException("a BaselineRatioCompressor runs once");
        this.tensors = tensors;
        this.baseAttributes = new LinkedHashMap<>(attributes);
        slots = new TensorEncoder.Encoded[tensors.size()];
        List<float[]> lossyWeights = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            originalBytes += t.data().remaining();
            if (encoder.exact(t)) {
                slots[i] = encoder.encode(t);
            } else {
                lossy.add(i);
                lossyWeights.add(t.toFloatArray());
            }
        }
        weights = lossyWeights.toArray(new float[0][]);
        List<BaselineReport.Candidate> candidates = new ArrayList<>();
        Probe chosen = method == RatioMethod.UNIFORM ? uniform(candidates) : prune(candidates);
        attributes.putAll(choice(chosen.bits, chosen.sparsity));
        List<TensorEncoder.Encoded> encoded = new ArrayList<>(Arrays.asList(slots));
        for (int j = 0; j < lossy.size(); j++) encoded.set(lossy.get(j), chosen.encoded[j]);
        BaselineReport report = new BaselineReport(method.label(), options.ratio(), chosen.ratio, inBand(chosen), TOLERANCE,
                chosen.fileBytes, (long) originalBytes, chosen.bits, chosen.sparsity, chosen.distortion, probes,
                candidates, rows(chosen, encoded));
        return new Outcome(encoded, chosen.fileBytes, report, lowestRatio, highestRatio);
    }

    private Probe uniform(List<BaselineReport.Candidate> candidates) throws L2cException {
        Probe best = null;
        try (Progress.Task task = progress.start("uniform", UniformQuantizer.MAX_BITS - UniformQuantizer.MIN_BITS + 1, "bits")) {
            for (int bits = UniformQuantizer.MIN_BITS; bits <= UniformQuantizer.MAX_BITS; bits++) {
                Probe p = probe(bits, 0);
                candidates.add(candidate(p));
                if (best == null || miss(p) < miss(best)) best = p;
                task.advance(1);
            }
        }
        return best;
    }

    private Probe prune(List<BaselineReport.Candidate> candidates) throws L2cException {
        pruners = new MagnitudePruner[weights.length];
        for (int j = 0; j < weights.length; j++) pruners[j] = new MagnitudePruner(tensors.get(lossy.get(j)).name(), weights[j]);
        Probe best = null;
        try (Progress.Task task = progress.start("prune", UniformQuantizer.MAX_BITS - MIN_PRUNE_BITS + 1, "bits")) {
            for (int bits = MIN_PRUNE_BITS; bits <= UniformQuantizer.MAX_BITS; bits++) {
                Probe p = searchSparsity(bits);
                candidates.add(candidate(p));
                if (best == null || better(p, best)) best = p;
                task.advance(1);
            }
        }
        return best;
    }

    /** In band beats out of band; in band, the lower weight error; out of band, the smaller miss. */
    private boolean better(Probe a, Probe b) {
        if (inBand(a) != inBand(b)) return inBand(a);
        return inBand(a) ? a.distortion < b.distortion : miss(a) < miss(b);
    }

    /**
     * The smallest sparsity at {@code bits} whose ratio reaches the target, by a bracketing search:
     * the bracket [lo: ratio below the target, hi: ratio at or above it] shrinks at a point found
     * by false position (Illinois variant) of log(ratio / target) against u = -log(1 - S), in
     * which the curve is close to straight (the ratio grows without bound as S nears 1), or at the
     * midpoint when that point falls outside the bracket. As with bisection every step keeps a
     * bracket, so a monotone curve is always closed on; it takes about 4 codings per bit width
     * where bisection takes 10 to 12.
     */
    private Probe searchSparsity(int bits) throws L2cException {
        double target = options.ratio();
        Probe lo = probe(bits, 0);
        if (lo.ratio >= target) return lo;
        Probe hi = probe(bits, MAX_SPARSITY);
        if (hi.ratio < target) return hi;
        long largest = 1;
        for (float[] w : weights) largest = Math.max(largest, w.length);
        double fLo = Math.log(lo.ratio / target);
        double fHi = Math.log(hi.ratio / target);
        int lastSide = 0;
        for (int i = 0; i < MAX_SEARCH_PROBES && hi.ratio > target * (1 + CLOSE_ENOUGH); i++) {
            // Below this width no tensor's pruned count changes any more.
            if ((hi.sparsity - lo.sparsity) * largest < 0.5) break;
            double uLo = -Math.log1p(-lo.sparsity);
            double uHi = -Math.log1p(-hi.sparsity);
            double u = (uLo * fHi - uHi * fLo) / (fHi - fLo);
            if (!(u > uLo && u < uHi)) u = (uLo + uHi) / 2;
            double s = -Math.expm1(-u);
            if (!(s > lo.sparsity && s < hi.sparsity)) s = (lo.sparsity + hi.sparsity) / 2;
            Probe p = probe(bits, s);
            double f = Math.log(p.ratio / target);
            if (f >= 0) {
                hi = p;
                fHi = f;
                if (lastSide > 0) fLo /= 2;
                lastSide = 1;
            } else {
                lo = p;
                fLo = f;
                if (lastSide < 0) fHi /= 2;
                lastSide = -1;
            }
        }
        // hi reaches the target; lo, just short of it, is kept only when hi overshoots the band and lo does not.
        if (inBand(hi)) return hi;
        if (inBand(lo)) return lo;
        return miss(lo) < miss(hi) ? lo : hi;
    }

    /** Codes every lossy tensor pruned to {@code sparsity} and quantized to {@code bits}. */
    private Probe probe(int bits, double sparsity) throws L2cException {
        probes++;
        UniformQuantizer quantizer = new UniformQuantizer(bits);
        TensorEncoder.Encoded[] encoded = new TensorEncoder.Encoded[lossy.size()];
        double[] errors = new double[lossy.size()];
        double distortion = 0;
        for (int j = 0; j < lossy.size(); j++) {
            Tensor t = tensors.get(lossy.get(j));
            try {
                float[] w = sparsity > 0 ? pruners[j].prune(sparsity) : weights[j];
                QuantizedTensor q = quantizer.quantize(t.name(), w);
                errors[j] = relativeError(weights[j], q);
                encoded[j] = encoder.quantized(t, q, new TransformSpec(TransformType.UNIFORM, -1, q.params()));
            } catch (L2cException e) {
                String message = e.getMessage();
                throw message.startsWith("tensor ") ? e : new L2cException("tensor " + t.name() + ": " + message, e);
            }
            distortion += errors[j];
        }
        List<TensorInfo> infos = new ArrayList<>(tensors.size());
        for (int i = 0, j = 0; i < tensors.size(); i++) infos.add(slots[i] != null ? slots[i].info() : encoded[j++].info());
        Map<String, String> attributes = new LinkedHashMap<>(baseAttributes);
        attributes.putAll(choice(bits, sparsity));
        long fileBytes = ContainerSize.of(attributes, infos);
        double ratio = originalBytes / fileBytes;
        lowestRatio = Math.min(lowestRatio, ratio);
        highestRatio = Math.max(highestRatio, ratio);
        return new Probe(bits, sparsity, encoded, fileBytes, ratio, errors, distortion);
    }

    /** The file attributes that record a coding: method, bits and (for prune) sparsity. */
    private Map<String, String> choice(int bits, double sparsity) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put(Compressor.METHOD, method.label());
        a.put(Compressor.BITS, Integer.toString(bits));
        if (method == RatioMethod.PRUNE) a.put(Compressor.SPARSITY, Double.toString(sparsity));
        return a;
    }

    private boolean inBand(Probe p) {
        double target = options.ratio();
        return p.ratio >= target * (1 - TOLERANCE) && p.ratio <= target * (1 + TOLERANCE);
    }

    private double miss(Probe p) {
        return Math.abs(Math.log(p.ratio / options.ratio()));
    }

    private BaselineReport.Candidate candidate(Probe p) {
        return new BaselineReport.Candidate(p.bits, p.sparsity, p.fileBytes, p.ratio, p.distortion, inBand(p));
    }

    /** ||W - What||^2 / ||W||^2 (as {@link DataFreeObjective#relativeError}), What read from the symbols. */
    private static double relativeError(float[] w, QuantizedTensor q) {
        float[] values = q.values();
        double num = 0;
        double den = 0;
        for (int i = 0; i < w.length; i++) {
            double v = w[i];
            double d = values[q.symbols().get(i) & 0xffff] - v;
            num += d * d;
            den += v * v;
        }
        return den > 0 ? num / den : num;
    }

    private List<RatioReport.Row> rows(Probe chosen, List<TensorEncoder.Encoded> encoded) {
        List<RatioReport.Row> rows = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            TensorInfo info = encoded.get(i).info();
            int j = lossy.indexOf(i);
            long payload = 0;
            for (var s : info.streams()) payload += s.payloadLength();
            long n = t.numel();
            double step = Double.NaN;
            double sparsity = Double.NaN;
            double error = 0;
            boolean zeroed = false;
            if (j >= 0) {
                step = info.transform().params()[0];
                long zeros = Long.parseLong(info.attributes().getOrDefault(TensorEncoder.ZEROS, "0"));
                sparsity = n == 0 ? 0 : (double) zeros / n;
                zeroed = n > 0 && zeros == n;
                error = chosen.errors[j];
            }
            rows.add(new RatioReport.Row(t.name(), t.shape(), info.kind().name(),
                    info.transform().type().name().toLowerCase(java.util.Locale.ROOT), Double.NaN, step,
                    n == 0 ? 0 : 8.0 * payload / n, sparsity, payload == 0 ? 0 : (double) t.data().remaining() / payload, error,
                    zeroed));
        }
        return rows;
    }
}
