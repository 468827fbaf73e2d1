package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.calib.CalibTensor;
import dev.l2c.calib.CalibrationSettings;
import dev.l2c.calib.DataFreeObjective;
import dev.l2c.calib.TransformOptimizer;
import dev.l2c.format.L2cWriter;
import dev.l2c.format.TensorKind;
import dev.l2c.io.DirectBuffers;
import dev.l2c.model.Tensor;
import dev.l2c.model.TensorRange;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Data-free ratio mode in parts, on as many machines as there are parts (docs/DESIGN.md, "More
 * than one machine"). The data-free objective is a sum over tensors, so at a fixed lambda, with
 * the loss D + lambda R (R in bits per lossy weight of the whole model), every tensor's gradient
 * and hence its Adam path depends on that tensor alone: a part calibrated on its own, with its
 * share lambda n_part / n of the rate weight, learns what it would learn among all the others.
 * Only the file size couples the parts, and the driver closes on it by searching lambda: each
 * round calibrates every part at one lambda from the same starting parameters and writes its part
 * file; the file the parts make is sized exactly from their indexes ({@link
 * PartedCompressor#assembledBytes}); the next lambda comes from the rounds so far (a secant in log
 * lambda against log bytes, bracketed once the target is bracketed). The accepted round's parts
 * are the file.
 *
 * <p>Not the single-machine file: that run presses against the rate target with a one-sided
 * lambda (lambda above the target, lambda / 100 below), refines in rounds and rescales every
 * parameter in its closing; this one uses one fixed lambda per round and no rescaling. Both
 * files have the target ratio within their bands (here {@value #TOLERANCE_PERCENT} % above the
 * target at most), and CompressJobTest holds the data-free distortion of the parted file near the
 * single-machine one's.
 */
public final class PartedRatio {
    /** Accepted files: [T (1 - TOLERANCE), T] for T = original bytes / ratio, so a ratio up to 2 % above the target. */
    public static final double TOLERANCE = 0.02;
    static final int TOLERANCE_PERCENT = 2;
    /** Calibration rounds (one lambda each) before the closest file is taken. */
    static final int MAX_ROUNDS = 8;
    /** The most one secant step moves lambda: a factor of 64. */
    private static final double MAX_LOG_STEP = Math.log(64);

    /**
     * What one part's pass came to: its data-free distortion at the end of its calibration, or,
     * in the measuring pass, its share of the slope lambda starts from.
     */
    public record PartPoint(int part, double distortion, double slope) implements Serializable {}

    /** A round: its lambda, the bytes of the file its parts make, and the distortion over all parts. */
    public record Round(int round, double lambda, long fileBytes, double distortion) implements Serializable {}

    /**
     * The round whose parts make the file, every round in order, the target bytes, and whether the
     * chosen file is in the band.
     */
    public record Outcome(Round chosen, List<Round> rounds, double targetBytes, boolean reached) {}

    /** Runs one pass over every part of a plan: a Spark stage, or a loop on one machine. */
    public interface Passes {
        /**
         * Runs {@link #calibratePart} for every part with {@code lambda} and {@code rateTarget},
         * writing round {@code round}'s part files ({@code lambda} NaN: measuring, no files).
         */
        List<PartPoint> run(double lambda, double rateTarget, int round) throws L2cException;

        /** Where round {@code round} wrote part i, at i. */
        List<Path> partFiles(int round);
    }

    private PartedRatio() {}

    /**
     * One part's pass. With {@code lambda} NaN, measures at the starting parameters the part's
     * share of the slope lambda starts from (docs/DESIGN.md, "Objective and ratio control": the sum
     * over tensors of D_l 4^clamp(b_l - rateTarget, 12)). Else calibrates the part's lossy tensors at
     * {@code lambda} (a fixed weight of the rate, in bits per lossy weight of the whole model) and
     * writes the part file: exact entries as {@link TensorEncoder} makes them, calibrated ones as
     * the single-machine ratio mode codes them ({@link RatioCompressor#code}).
     */
    public static PartPoint calibratePart(PartedCompressor.Plan plan, int index, CompressOptions options, double lambda,
            double rateTarget, Backend backend, Path partFile) throws L2cException {
        CompressMode.Ratio mode = options.ratioMode();
        if (mode.method() != RatioMethod.L2) throw new IllegalArgumentException("not L2 ratio mode: " + mode.attribute());
        PartedCompressor.Part part = plan.parts().get(index);
        SourceModel source = PartedCompressor.openPart(plan, part);
        List<Tensor> tensors = source.tensors().subList(part.first(), part.end());
        List<TensorRange> ranges = source.ranges() == null ? null : source.ranges().subList(part.first(), part.end());
        TensorEncoder encoder = new TensorEncoder(backend.rans(), options);
        List<Integer> lossy = new ArrayList<>();
        List<CalibTensor> calib = new ArrayList<>();
        List<ByteBuffer> held = new ArrayList<>();
        try {
            for (int i = 0; i < tensors.size(); i++) {
                Tensor t = tensors.get(i);
                if (encoder.exact(t)) continue;
                ByteBuffer w = RatioCompressor.loadWeights(t, ranges == null ? null : ranges.get(i));
                held.add(w);
                lossy.add(i);
                calib.add(new CalibTensor(t.name(), t.shape(), w.asFloatBuffer().limit(Math.toIntExact(t.numel()))));
            }
            boolean measuring = Double.isNaN(lambda);
            if (calib.isEmpty()) {
                if (!measuring) writePart(plan, part, partFile, tensors, encoder, null, null, lossy, backend);
                return new PartPoint(index, 0, 0);
            }
            CalibrationSettings s = mode.calibration();
            DataFreeObjective objective = DataFreeObjective.of(calib); // data-free mode's, as on one machine
            // The part's share of the rate weight: lambda R = lambda (bits of the part) / n + the other parts' terms.
            double share = measuring ? Double.NaN : lambda * part.lossyElements() / plan.lossyElements();
            CalibrationSettings settings = new CalibrationSettings(s.kind(), s.perChannel(), s.kernel(), s.resolution(), s.steps(),
                    s.learningRate(), share, s.seed());
            TransformOptimizer optimizer = new TransformOptimizer(backend.transforms(), backend.counter(), objective, calib, settings);
            if (measuring) {
                optimizer.run(0, s.learningRate(), rateTarget, null);
                double slope = 0;
                for (int l = 0; l < calib.size(); l++) {
                    double bits = optimizer.rateBits(l) / calib.get(l).elements();
                    slope += objective.lastRateSlope(l) * Math.pow(4, Math.max(-12, Math.min(12, bits - rateTarget)));
                }
                return new PartPoint(index, Double.NaN, slope);
            }
            // A rate target below any rate: lambda weighs the rate at every step (no one-sided schedule).
            TransformOptimizer.Result r = optimizer.run(s.steps(), s.learningRate(), -1, null);
            writePart(plan, part, partFile, tensors, encoder, optimizer, calib, lossy, backend);
            return new PartPoint(index, r.distortion(), Double.NaN);
        } finally {
            held.forEach(DirectBuffers::free);
        }
    }

    private static void writePart(PartedCompressor.Plan plan, PartedCompressor.Part part, Path partFile, List<Tensor> tensors,
            TensorEncoder encoder, TransformOptimizer optimizer, List<CalibTensor> calib, List<Integer> lossy, Backend backend)
            throws L2cException {
        long[] exactBytes = new long[lossy.size()];
        Arrays.fill(exactBytes, -1);
        try (L2cWriter writer = PartedCompressor.createPart(plan, part, partFile)) {
            for (int i = 0, j = 0; i < tensors.size(); i++) {
                Tensor t = tensors.get(i);
                if (j < lossy.size() && lossy.get(j) == i) {
                    TensorEncoder.Encoded e = RatioCompressor.code(backend.transforms(), encoder, optimizer, j, t, optimizer.params(j),
                            calib.get(j), exactBytes).encoded();
                    writer.addTensor(e.info(), e.payloads());
                    // The quantized payloads are the encoder's new buffers, written now.
                    if (e.info().kind() == TensorKind.QUANTIZED) e.payloads().forEach(DirectBuffers::free);
                    j++;
                } else {
                    TensorEncoder.Encoded e = encoder.encode(t);
                    writer.addTensor(e.info(), e.payloads());
                }
            }
            writer.finish();
        }
    }

    /**
     * Searches lambda for a file of {@code plan} at its options' ratio, one round of {@code passes}
     * per lambda (class comment); returns the round to assemble.
     */
    public static Outcome search(PartedCompressor.Plan plan, CompressOptions options, Passes passes) throws L2cException {
        double targetBytes = plan.ratioBytes() / options.ratioMode().target();
        double aim = targetBytes * (1 - TOLERANCE / 2);
        long n = Math.max(1, plan.lossyElements());
        double rateTarget = aim * 8 / n;
        double slope = passes.run(Double.NaN, rateTarget, -1).stream().mapToDouble(PartPoint::slope).sum();
        // The single-machine start (TransformOptimizer.autoLambda) is 10x this: the top of the window
        // its one-sided schedule settles in; a fixed lambda belongs at the estimated |dD/dR| itself.
        double lambda = slope > 0 ? 2 * Math.log(2) * slope : 1;
        List<Round> rounds = new ArrayList<>();
        Round tooLarge = null;
        Round tooSmall = null;
        for (int k = 0; k < MAX_ROUNDS; k++) {
            List<PartPoint> points = new ArrayList<>(passes.run(lambda, rateTarget, k));
            points.sort(Comparator.comparingInt(PartPoint::part));
            double distortion = 0;
            for (PartPoint p : points) distortion += p.distortion();
            Round r = new Round(k, lambda, PartedCompressor.assembledBytes(plan, passes.partFiles(k)), distortion);
            rounds.add(r);
            if (inBand(r, targetBytes)) return new Outcome(r, rounds, targetBytes, true);
            if (r.fileBytes() > targetBytes) {
                if (tooLarge == null || r.lambda() > tooLarge.lambda()) tooLarge = r;
            } else if (tooSmall == null || r.lambda() < tooSmall.lambda()) {
                tooSmall = r;
            }
            lambda = next(rounds, tooLarge, tooSmall, aim, rateTarget);
        }
        Round closest = rounds.stream().min(Comparator.comparingDouble(r -> Math.abs(Math.log(r.fileBytes() / aim)))).orElseThrow();
        return new Outcome(closest, rounds, targetBytes, false);
    }

    private static boolean inBand(Round r, double targetBytes) {
        return r.fileBytes() <= targetBytes && r.fileBytes() >= targetBytes * (1 - TOLERANCE);
    }

    /**
     * The next lambda: between the bracketing rounds (false position in log lambda against log
     * bytes, kept off the ends), else a secant step from the last two rounds, or from the slope a
     * rate of b bits per weight has where each bit costs a factor 4 of error (d log bytes / d log
     * lambda = -1 / (b ln 4)).
     */
    private static double next(List<Round> rounds, Round tooLarge, Round tooSmall, double aim, double rateTarget) {
        double goal = Math.log(aim);
        if (tooLarge != null && tooSmall != null) {
            double x0 = Math.log(tooLarge.lambda());
            double x1 = Math.log(tooSmall.lambda());
            double y0 = Math.log(tooLarge.fileBytes());
            double y1 = Math.log(tooSmall.fileBytes());
            double x = y1 != y0 ? x0 + (goal - y0) * (x1 - x0) / (y1 - y0) : (x0 + x1) / 2;
            double lo = Math.min(x0, x1);
            double width = Math.abs(x1 - x0);
            return Math.exp(Math.max(lo + 0.1 * width, Math.min(lo + 0.9 * width, x)));
        }
        Round last = rounds.get(rounds.size() - 1);
        double slope = -1 / (Math.max(0.25, rateTarget) * Math.log(4));
        if (rounds.size() >= 2) {
            Round before = rounds.get(rounds.size() - 2);
            double measured = (Math.log(last.fileBytes()) - Math.log(before.fileBytes()))
                    / (Math.log(last.lambda()) - Math.log(before.lambda()));
            if (measured < 0 && Double.isFinite(measured)) slope = measured;
        }
        slope = Math.max(-2, Math.min(-0.02, slope));
        double step = (goal - Math.log(last.fileBytes())) / slope;
        return last.lambda() * Math.exp(Math.max(-MAX_LOG_STEP, Math.min(MAX_LOG_STEP, step)));
    }
}
