package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.calib.DataFreeObjective;
import dev.l2c.format.ContainerSize;
import dev.l2c.format.TensorInfo;
import dev.l2c.format.TransformSpec;
import dev.l2c.format.TransformType;
import dev.l2c.model.Tensor;
import dev.l2c.transform.Channels;
import dev.l2c.transform.MagnitudePruner;
import dev.l2c.transform.QuantizedTensor;
import dev.l2c.transform.UniformQuantizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ratio mode for the baselines: each codes the lossy tensors with the same rANS coder as L2 and
 * meets the file size as L2 does, the size measured on real codings ({@link ContainerSize} of the
 * really coded streams, the file attributes that will be written included). The band: the written
 * file's ratio in [R, R / (1 - {@value #TOLERANCE})], the band of L2's ratio mode.
 *
 * <ul>
 *   <li>{@code uniform} (and {@code uniform --per-channel}): symmetric round-to-nearest with one
 *       step per tensor (per output channel), the step f times the tensor's (channel's) max|w|
 *       ({@link UniformQuantizer#quantizeRelative}); the common factor f is searched in a bracket
 *       on the coded file size. Tensors of rank below 2 (biases, norms) use min(f,
 *       {@link #VECTOR_FACTOR}).
 *   <li>{@code gptq}: the same steps per output channel, rounded by GPTQ from the layers' input
 *       Gram matrices ({@link GptqRounding}); f searched the same way.
 *   <li>{@code prune}: for each bit width 4..8 the sparsity is searched in a bracket (more
 *       sparsity, smaller file) for the smallest S whose ratio reaches R, stopping within
 *       {@value #CLOSE_ENOUGH} of it. Among the bit widths whose file is in the band, the one with
 *       the lowest data-free weight error is kept; when none is, the closest file, reported as not
 *       reached.
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
    /**
     * The finest step factor searched (about 15 bits a weight) and the coarsest: every weight 0
     * for round-to-nearest from f = 2 on, and for GPTQ, whose error feedback can push a weight
     * past half a step, well before f = 2^12.
     */
    static final double MIN_FACTOR = 0x1p-14;
    static final double MAX_FACTOR = 0x1p12;
    /**
     * The finest factor a tensor of rank 0 or 1 (bias, norm scale) is quantized at: at most this,
     * 127 levels a side as 8-bit integer inference keeps them (or finer). They are a sliver of
     * the file, but one common factor would give a bias three levels at 20x, and a shifted
     * activation hurts the network more than a coarser kernel.
     */
    static final double VECTOR_FACTOR = 1.0 / 127;

    /** The encoded tensors, what the baseline chose, and the lowest and highest ratios of the files it coded. */
    record Outcome(List<TensorEncoder.Encoded> encoded, long fileBytes, BaselineReport report, double lowestRatio,
            double highestRatio) {}

    /** One real coding of the lossy tensors at (bits, sparsity), or at a step factor (bits 0). */
    private record Probe(int bits, double sparsity, double factor, TensorEncoder.Encoded[] encoded, long fileBytes,
            double ratio, double[] errors, double distortion) {}

    /** A lossy step driven by one step factor: tensor j (of the lossy ones) quantized at f, its steps along channels(j). */
    interface FactorRounding {
        Channels channels(int j);

        QuantizedTensor quantize(int j, double factor) throws L2cException;
    }

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
    private final GptqStatistics statistics;
    private final CompressMode.Ratio mode;
    private GptqRounding gptq;

    /** {@code statistics}: the layers' input Gram matrices, needed by (and only by) {@link RatioMethod#GPTQ}. */
    BaselineRatioCompressor(TensorEncoder encoder, CompressOptions options, Progress progress, GptqStatistics statistics) {
        if (!(options.mode() instanceof CompressMode.Ratio r) || r.method() == RatioMethod.L2) {
            throw new IllegalArgumentException("not a baseline ratio mode: " + options.mode().attribute());
        }
        if ((r.method() == RatioMethod.GPTQ) != (statistics != null)) {
            throw new IllegalArgumentException("layer statistics are needed by, and only by, --method gptq");
        }
        this.encoder = encoder;
        this.options = options;
        this.progress = progress;
        this.mode = r;
        this.method = r.method();
        this.statistics = statistics;
    }

    BaselineRatioCompressor(TensorEncoder encoder, CompressOptions options, Progress progress) {
        this(encoder, options, progress, null);
    }

    /**
     * Encodes {@code tensors}; adds the chosen method and its step factor (or bits and sparsity) to
     * {@code attributes}. {@code originalBytes}: the bytes the ratio is measured against
     * ({@link SourceModel#ratioBytes}).
     */
    Outcome run(List<Tensor> tensors, Map<String, String> attributes, long originalBytes) throws L2cException {
        if (this.tensors != null) throw new IllegalStateException("a BaselineRatioCompressor runs once");
        this.tensors = tensors;
        this.originalBytes = originalBytes;
        this.baseAttributes = new LinkedHashMap<>(attributes);
        slots = new TensorEncoder.Encoded[tensors.size()];
        List<float[]> lossyWeights = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (encoder.exact(t)) {
                slots[i] = encoder.encode(t);
            } else {
                lossy.add(i);
                lossyWeights.add(t.toFloatArray());
            }
        }
        weights = lossyWeights.toArray(new float[0][]);
        List<BaselineReport.Candidate> candidates = new ArrayList<>();
        Probe chosen = switch (method) {
            case UNIFORM -> searchFactor(uniformRounding(), candidates);
            case GPTQ -> searchFactor(gptqRounding(), candidates);
            case PRUNE -> prune(candidates);
            case L2 -> throw new IllegalStateException();
        };
        attributes.putAll(choice(chosen.bits, chosen.sparsity, chosen.factor));
        List<TensorEncoder.Encoded> encoded = new ArrayList<>(Arrays.asList(slots));
        for (int j = 0; j < lossy.size(); j++) encoded.set(lossy.get(j), chosen.encoded[j]);
        List<BaselineReport.LayerError> layers = gptq == null ? List.of() : gptq.errors(chosen.factor);
        BaselineReport report = new BaselineReport(method.label(), mode.perChannel() || method == RatioMethod.GPTQ,
                mode.target(), chosen.ratio, inBand(chosen), TOLERANCE, chosen.fileBytes, (long) originalBytes, chosen.bits,
                chosen.sparsity, chosen.factor, chosen.distortion, probes, candidates, rows(chosen, encoded), layers,
                statistics == null ? java.util.Map.of() : statistics.fallbacks());
        return new Outcome(encoded, chosen.fileBytes, report, lowestRatio, highestRatio);
    }

    /** Round to nearest with a relative step per tensor, or per output channel (axis 0) with --per-channel. */
    private FactorRounding uniformRounding() {
        return new FactorRounding() {
            @Override
            public Channels channels(int j) {
                Tensor t = tensors.get(lossy.get(j));
                return mode.perChannel() && t.rank() >= 2 ? Channels.along(t.shape(), 0) : Channels.whole(t.numel());
            }

            @Override
            public QuantizedTensor quantize(int j, double factor) throws L2cException {
                Tensor t = tensors.get(lossy.get(j));
                return UniformQuantizer.quantizeRelative(t.name(), weights[j], channels(j), factorFor(t, factor));
            }
        };
    }

    /** The step factor of tensor {@code t} at common factor {@code factor}: capped at {@link #VECTOR_FACTOR} below rank 2. */
    static double factorFor(Tensor t, double factor) {
        return t.rank() < 2 ? Math.min(factor, VECTOR_FACTOR) : factor;
    }

    private FactorRounding gptqRounding() {
        List<Tensor> lossyTensors = new ArrayList<>();
        for (int i : lossy) lossyTensors.add(tensors.get(i));
        try (Progress.Task task = progress.start("gptq factors", 1, "")) {
            gptq = new GptqRounding(lossyTensors, Arrays.asList(weights), statistics.grams());
            task.advance(1);
        }
        GptqRounding g = gptq;
        return new FactorRounding() {
            @Override
            public Channels channels(int j) {
                return g.channels(j);
            }

            @Override
            public QuantizedTensor quantize(int j, double factor) throws L2cException {
                return g.quantize(j, factor);
            }
        };
    }

    /**
     * The step factor whose file lands in the band, by a bracketing search on the coded size: the
     * bracket [fine: file above the target size, coarse: at or below it] shrinks at a point found
     * by false position (Illinois variant) of log(bytes / aim) against log f, aim the band's middle,
     * or at the midpoint when that point falls outside the bracket. The file shrinks as f grows
     * (more weights share a level); each step keeps a bracket, so a monotone curve is closed on.
     */
    private Probe searchFactor(FactorRounding rounding, List<BaselineReport.Candidate> candidates) throws L2cException {
        double targetBytes = originalBytes / mode.target();
        double aim = targetBytes * (1 - TOLERANCE / 2);
        try (Progress.Task task = progress.start(method.label() + " step search", MAX_SEARCH_PROBES, "codings")) {
            Probe fine = probeFactor(rounding, MIN_FACTOR, candidates);
            task.advance(1);
            if (fine.fileBytes <= targetBytes) return fine;
            Probe coarse = probeFactor(rounding, MAX_FACTOR, candidates);
            task.advance(1);
            if (coarse.fileBytes > targetBytes) return coarse;
            double gFine = Math.log(fine.fileBytes / aim);
            double gCoarse = Math.log(coarse.fileBytes / aim);
            int lastSide = 0;
            for (int i = 0; i < MAX_SEARCH_PROBES && !inBand(coarse); i++) {
                double uFine = Math.log(fine.factor);
                double uCoarse = Math.log(coarse.factor);
                if (uCoarse - uFine < 1e-12) break;
                double u = (uFine * gCoarse - uCoarse * gFine) / (gCoarse - gFine);
                if (!(u > uFine && u < uCoarse)) u = (uFine + uCoarse) / 2;
                Probe p = probeFactor(rounding, Math.exp(u), candidates);
                task.advance(1);
                double g = Math.log(p.fileBytes / aim);
                if (p.fileBytes > targetBytes) {
                    fine = p;
                    gFine = g;
                    if (lastSide < 0) gCoarse /= 2;
                    lastSide = -1;
                } else {
                    coarse = p;
                    gCoarse = g;
                    if (lastSide > 0) gFine /= 2;
                    lastSide = 1;
                }
            }
            return inBand(coarse) || miss(coarse) <= miss(fine) ? coarse : fine;
        }
    }

    /** Codes every lossy tensor at step factor {@code factor}. */
    private Probe probeFactor(FactorRounding rounding, double factor, List<BaselineReport.Candidate> candidates)
            throws L2cException {
        QuantizedTensor[] qs = new QuantizedTensor[lossy.size()];
        Channels[] channels = new Channels[lossy.size()];
        for (int j = 0; j < lossy.size(); j++) {
            Tensor t = tensors.get(lossy.get(j));
            channels[j] = rounding.channels(j);
            try {
                qs[j] = rounding.quantize(j, factor);
            } catch (L2cException e) {
                String message = e.getMessage();
                throw message.startsWith("tensor ") ? e : new L2cException("tensor " + t.name() + ": " + message, e);
            }
        }
        Probe p = code(0, 0, factor, qs, channels);
        candidates.add(candidate(p));
        return p;
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
        double target = mode.target();
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
        UniformQuantizer quantizer = new UniformQuantizer(bits);
        QuantizedTensor[] qs = new QuantizedTensor[lossy.size()];
        Channels[] channels = new Channels[lossy.size()];
        for (int j = 0; j < lossy.size(); j++) {
            Tensor t = tensors.get(lossy.get(j));
            channels[j] = Channels.whole(t.numel());
            try {
                float[] w = sparsity > 0 ? pruners[j].prune(sparsity) : weights[j];
                qs[j] = quantizer.quantize(t.name(), w);
            } catch (L2cException e) {
                String message = e.getMessage();
                throw message.startsWith("tensor ") ? e : new L2cException("tensor " + t.name() + ": " + message, e);
            }
        }
        return code(bits, sparsity, Double.NaN, qs, channels);
    }

    /** Codes the quantized lossy tensors and measures the file they make. */
    private Probe code(int bits, double sparsity, double factor, QuantizedTensor[] qs, Channels[] channelsOf)
            throws L2cException {
        probes++;
        TensorEncoder.Encoded[] encoded = new TensorEncoder.Encoded[lossy.size()];
        double[] errors = new double[lossy.size()];
        double distortion = 0;
        for (int j = 0; j < lossy.size(); j++) {
            Tensor t = tensors.get(lossy.get(j));
            QuantizedTensor q = qs[j];
            Channels channels = channelsOf[j];
            errors[j] = relativeError(weights[j], q, channels);
            try {
                encoded[j] = encoder.quantized(t, q, new TransformSpec(TransformType.UNIFORM, channels.axis(), q.params()));
            } catch (L2cException e) {
                String message = e.getMessage();
                throw message.startsWith("tensor ") ? e : new L2cException("tensor " + t.name() + ": " + message, e);
            }
            distortion += errors[j];
        }
        List<TensorEncoder.Encoded> file = new ArrayList<>(tensors.size());
        for (int i = 0, j = 0; i < tensors.size(); i++) file.add(slots[i] != null ? slots[i] : encoded[j++]);
        Map<String, String> attributes = new LinkedHashMap<>(baseAttributes);
        attributes.putAll(choice(bits, sparsity, factor));
        long fileBytes = TensorEncoder.fileBytes(attributes, file);
        double ratio = originalBytes / fileBytes;
        lowestRatio = Math.min(lowestRatio, ratio);
        highestRatio = Math.max(highestRatio, ratio);
        return new Probe(bits, sparsity, factor, encoded, fileBytes, ratio, errors, distortion);
    }

    /** The file attributes that record a coding: method, then bits and (for prune) sparsity, or the step factor. */
    private Map<String, String> choice(int bits, double sparsity, double factor) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put(Compressor.METHOD, method.label());
        if (method == RatioMethod.PRUNE) {
            a.put(Compressor.BITS, Integer.toString(bits));
            a.put(Compressor.SPARSITY, Double.toString(sparsity));
        } else {
            a.put(Compressor.STEP_FACTOR, Double.toString(factor));
        }
        return a;
    }

    /** The band of L2's ratio mode: the file at most the target size and at least (1 - TOLERANCE) of it. */
    private boolean inBand(Probe p) {
        double targetBytes = originalBytes / mode.target();
        return p.fileBytes <= targetBytes && p.fileBytes >= targetBytes * (1 - TOLERANCE);
    }

    private double miss(Probe p) {
        return Math.abs(Math.log(p.ratio / mode.target()));
    }

    private BaselineReport.Candidate candidate(Probe p) {
        return new BaselineReport.Candidate(p.bits, p.sparsity, p.factor, p.fileBytes, p.ratio, p.distortion, inBand(p));
    }

    /** ||W - What||^2 / ||W||^2 (as {@link DataFreeObjective#relativeError}), What read from the symbols. */
    private static double relativeError(float[] w, QuantizedTensor q, Channels channels) {
        float[] steps = q.params();
        int[] alphabet = q.alphabet();
        double num = 0;
        double den = 0;
        for (int i = 0; i < w.length; i++) {
            double v = w[i];
            double d = (float) ((double) alphabet[q.symbols().get(i) & 0xffff] * steps[channels.of(i)]) - v;
            num += d * d;
            den += v * v;
        }
        return den > 0 ? num / den : num;
    }

    private static double max(float[] values) {
        double m = 0;
        for (float v : values) m = Math.max(m, v);
        return m;
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
                float[] steps = info.transform().params();
                step = steps.length == 1 ? steps[0] : max(steps);
                long zeros = encoded.get(i).zeros();
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
