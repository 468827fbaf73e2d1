package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.calib.CalibTensor;
import dev.l2c.calib.CalibrationClock;
import dev.l2c.calib.Objective;
import dev.l2c.calib.CalibrationSettings;
import dev.l2c.calib.DataFreeObjective;
import dev.l2c.calib.TensorScratch;
import dev.l2c.calib.TransformOptimizer;
import dev.l2c.calib.WeightCache;
import dev.l2c.codec.RansSizeModel;
import dev.l2c.counter.CounterKernels;
import dev.l2c.format.ContainerSize;
import dev.l2c.format.StreamCoding;
import dev.l2c.format.TensorInfo;
import dev.l2c.format.TensorKind;
import dev.l2c.format.TransformSpec;
import dev.l2c.format.TransformType;
import dev.l2c.io.DirectBuffers;
import dev.l2c.model.Tensor;
import dev.l2c.model.TensorRange;
import dev.l2c.transform.Channels;
import dev.l2c.transform.LearnedSymbols;
import dev.l2c.transform.QuantizedTensor;
import dev.l2c.transform.TransformKernels;
import dev.l2c.transform.TransformKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Ratio mode: learns the transforms of the lossy tensors and closes on the size of the file that
 * will be written, which it computes exactly ({@link ContainerSize}) from the really coded streams.
 *
 * <p>Target: T = original bytes / ratio; the file is accepted in [T (1 - tolerance), T], so its
 * ratio is at least the target and at most 1 % above it. The rate target handed to the optimizer
 * is the payload the file can spend on the calibrated tensors, (T - side information) in bits per
 * calibrated weight, where side information (header, index with tables and chunk lists, exact
 * tensors, alignment) is measured on a real coding of the initial parameters. Closing: after the
 * first run the file is coded for real; the rate target is corrected by the miss (in bits per
 * weight) and the optimizer re-run, warm-started, with a quarter of the steps and learning rate,
 * up to {@value #MAX_ROUNDS} runs; if the file is still outside the band, one common factor on
 * every learned parameter is searched (bracketing, then bisection in its logarithm; the file
 * shrinks as parameters grow). When no factor reaches the band, the closest file is kept and the
 * report says the target was not reached. Nothing depends on timing or hash order.
 *
 * <p>The rate the optimizer sees includes each tensor's modelled side information
 * ({@link RansSizeModel}: lane states, table, chunk list, padding), so the target it presses
 * against is the file minus what no parameter changes (header, names, shapes, exact tensors). A
 * calibrated tensor whose quantized entry would cost more bytes than its exact one is stored exact
 * in every probe (the quantized entry is dominated: more bytes and an error).
 *
 * <p>With network-aware calibration ({@link NetworkCalibrator}) the first run's objective and the
 * rounds after it come from the network; KD's reconstruction changes the weights themselves, and
 * the closing codes those (the report's per-tensor errors stay relative to the original weights).
 *
 * <p>Memory (docs/DESIGN.md, "Memory"): data-free, weights not held as native float32 are read and
 * converted per pass through a {@link WeightCache}, probes keep each entry's size and checksums
 * rather than its payloads, and the chosen state is coded again as the file is written, so a
 * checkpoint larger than memory needs a few times its largest tensor, not the model.
 */
final class RatioCompressor {
    static final double TOLERANCE = 0.01;
    private static final int MAX_ROUNDS = 3;
    /** Re-measurements of the side information before the network calibration. */
    private static final int SIDE_CORRECTIONS = 2;
    private static final int MAX_SCALE_PROBES = 40;
    private static final double MAX_LOG_SCALE = Math.log(1e4);

    /**
     * The entries to write in source order (closed once written), the file's predicted size, what
     * ratio mode did, and the range of ratios of the files it coded (the lowest and the highest).
     */
    record Outcome(Entries entries, long predictedFileBytes, RatioReport report, double lowestRatio, double highestRatio) {}

    /**
     * The entries of the file to write, in source order, handed out one at a time: a data-free run
     * codes each again from the chosen parameters (the weights do not change, so the bytes are the
     * ones the closing sized) rather than holding every payload. An entry is valid until the next
     * {@link #get} or {@link #close}; closing frees what the run still holds (its weight cache).
     */
    interface Entries extends AutoCloseable {
        int size();

        TensorEncoder.Encoded get(int i) throws L2cException;

        @Override
        void close();
    }

    /**
     * What the closing and the report read of an entry, without its payloads: its index entry,
     * the checksums of its payloads (the compressed index's size depends on them) and its zeros.
     */
    private record Sized(TensorInfo info, List<int[]> checksums, long zeros) {
        static Sized of(TensorEncoder.Encoded e) {
            List<int[]> checksums = new ArrayList<>(e.payloads().size());
            for (int s = 0; s < e.payloads().size(); s++) {
                checksums.add(ContainerSize.checksums(e.info().streams().get(s), e.payloads().get(s)));
            }
            return new Sized(e.info(), checksums, e.zeros());
        }

        boolean quantized() {
            return info.kind() == TensorKind.QUANTIZED;
        }

        /** Whether {@code e} is this entry: same index entry and payload checksums. */
        boolean matches(Sized e) {
            if (!info.equals(e.info) || checksums.size() != e.checksums.size()) return false;
            for (int s = 0; s < checksums.size(); s++) if (!Arrays.equals(checksums.get(s), e.checksums.get(s))) return false;
            return true;
        }
    }

    /**
     * One real coding of the calibrated tensors: their entries' sizes (and with network
     * calibration, whose weights change between probes, the entries themselves) and the exact file size.
     */
    private record Probe(Sized[] sized, TensorEncoder.Encoded[] encoded, long fileBytes, long payloadBytes, double[] errors,
            float[][] params, double scale) {
        /** Whether calibrated tensor l is stored quantized (not exact) in this coding. */
        boolean coded(int l) {
            return sized[l].quantized();
        }

        /** Whether calibrated tensor l is stored quantized and rANS-coded (not with its symbols packed). */
        boolean rans(int l) {
            return coded(l) && sized[l].info().streams().get(0).coding().isRans();
        }

        /** Whether calibrated tensor l is coded by single-lane rANS (a small tensor). */
        boolean singleLane(int l) {
            return coded(l) && sized[l].info().streams().get(0).coding() == StreamCoding.SINGLE_LANE_RANS;
        }
    }

    /** A calibrated tensor's entry under given parameters, and its error. */
    record Coded(TensorEncoder.Encoded encoded, double error) {}

    /**
     * The modelled rate of calibrated tensors, in bits: the counter's, the rANS payload and the
     * index and padding of the rANS-coded ones, and the whole modelled cost (payload and side
     * information, rANS or packed symbols, whichever is cheapest).
     */
    private record Estimate(double counterBits, double payloadBits, double overheadBits, double costBits) {}

    private final TransformKernels transforms;
    private final CounterKernels counter;
    private final TensorEncoder encoder;
    private final CompressOptions options;
    private final CompressMode.Ratio mode;
    private final Progress progress;
    private final NetworkCalibrator network;
    private final CalibrationClock clock;

    /** {@code network}: network-aware calibration, or null for the data-free objective. */
    RatioCompressor(TransformKernels transforms, CounterKernels counter, TensorEncoder encoder, CompressOptions options,
            Progress progress, NetworkCalibrator network) {
        this.clock = network != null ? network.clock() : new CalibrationClock();
        this.transforms = clock.time(transforms);
        this.counter = clock.time(counter);
        this.encoder = encoder;
        this.options = options;
        this.mode = options.ratioMode();
        if (mode.method() != RatioMethod.L2) throw new IllegalArgumentException("not L2 ratio mode: " + mode.attribute());
        this.progress = progress;
        this.network = network;
    }

    /**
     * {@code originalBytes}: the bytes the ratio is measured against, {@link SourceModel#ratioBytes};
     * {@code ranges}: where each tensor lies in its file ({@link SourceModel#ranges}, null or null
     * entries where it is not read from a file), so that data-free calibration reads them again
     * rather than holding them as floats.
     */
    Outcome run(List<Tensor> tensors, List<TensorRange> ranges, Map<String, String> attributes, long originalBytes)
            throws L2cException {
        // Data-free: weights that are not float32 in memory are converted when a pass needs them,
        // a few at a time; with a network they are held (reconstruction changes them in place).
        WeightCache cache = network == null ? WeightCache.withDefaultBudget() : null;
        boolean handedOver = false;
        try {
            Outcome outcome = run(tensors, ranges, attributes, originalBytes, cache);
            handedOver = true;
            return outcome;
        } catch (WeightCache.LoadFailure e) {
            throw e.getCause();
        } finally {
            // On success the outcome's entries own the cache (they code from it as the file is written).
            if (!handedOver && cache != null) cache.close();
        }
    }

    private Outcome run(List<Tensor> tensors, List<TensorRange> ranges, Map<String, String> attributes, long originalBytes,
            WeightCache cache) throws L2cException {
        CalibrationSettings settings = mode.calibration();
        // Exact entries are sized once; only network calibration keeps them (data-free codes them again when writing).
        Sized[] slotSizes = new Sized[tensors.size()];
        TensorEncoder.Encoded[] slots = network != null ? new TensorEncoder.Encoded[tensors.size()] : null;
        List<Integer> calibrated = new ArrayList<>();
        List<CalibTensor> calib = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (encoder.exact(t)) {
                TensorEncoder.Encoded e = encoder.encode(t);
                slotSizes[i] = Sized.of(e);
                if (slots != null) slots[i] = e;
            } else {
                calibrated.add(i);
                if (network != null) {
                    calib.add(new CalibTensor(t.name(), t.shape(), checkFinite(t, finiteWeights(t))));
                    continue;
                }
                // Data-free calibration only reads the weights: native float32 data serves as it is.
                FloatBuffer view = nativeFloats(t);
                TensorRange range = ranges == null ? null : ranges.get(i);
                calib.add(view != null ? new CalibTensor(t.name(), t.shape(), checkFinite(t, view))
                        : cache.tensor(t.name(), t.shape(), t.numel(), () -> loadWeights(t, range)));
            }
        }
        double targetBytes = originalBytes / mode.target();
        Closing closing = new Closing(tensors, calibrated, slotSizes, attributes, targetBytes, network != null);
        // Reconstruction changes the weights in place: errors are measured against copies of the originals.
        closing.reference = network == null ? calib
                : calib.stream().map(c -> new CalibTensor(c.name(), c.shape(), copy(c.weights()))).toList();
        clock.start();
        Objective objective = network == null ? DataFreeObjective.of(calib)
                : network.initialObjective(calib, BiasLayers.energies(tensors));
        TransformOptimizer optimizer = new TransformOptimizer(transforms, counter, objective, calib, settings);
        int chunk = options.chunkSymbols();
        optimizer.setSideInformation((l, n, bits, probs) -> RansSizeModel.sideBits(n, bits, probs, chunk));
        closing.optimizer = optimizer;
        int rounds = 0;
        double lambda = Double.NaN;
        double distortion = Double.NaN;
        Probe best;
        double earlierScale = 1;
        if (calib.isEmpty()) {
            best = closing.probe(1);
        } else {
            Probe initial = closing.probe(1);
            // What no parameter changes: the file minus the modelled cost of every calibrated tensor.
            Estimate modelled = estimate(optimizer, initial, true);
            double side = initial.fileBytes - modelled.costBits / 8;
            double aim = targetBytes * (1 - TOLERANCE / 2);
            double rateTarget = (aim - side) * 8 / optimizer.elements();
            TransformOptimizer.Result r = optimize(optimizer, settings.steps(), settings.learningRate(), rateTarget, "calibrate");
            // The side information modelled at the starting parameters can be far from the file
            // (MobileNet at 20x: the start's model overstated it by 2.7 kB, a third of the file,
            // and the rate target came out 1.46x too high). Measured again at the calibrated
            // state, near the operating point, the rate target is corrected before the network
            // calibration, which is expensive to redo.
            for (int k = 0; k < SIDE_CORRECTIONS; k++) {
                Probe at = closing.probe(1);
                if (closing.inBand(at)) break;
                double sideHere = at.fileBytes - estimate(optimizer, at, true).costBits / 8;
                double corrected = (aim - sideHere) * 8 / optimizer.elements();
                if (!(corrected > 0)) break;
                rateTarget = corrected;
                r = optimize(optimizer, Math.max(5, settings.steps() / 2), settings.learningRate() / 2, rateTarget, "calibrate");
            }
            if (network != null) {
                NetworkCalibrator.Refined refined = network.refine(optimizer, r, transforms, counter, settings, rateTarget);
                optimizer = refined.optimizer();
                closing.optimizer = optimizer;
                r = refined.result();
            }
            rounds = 1;
            best = closing.probe(1);
            Probe last = best;
            while (!closing.inBand(last) && rounds < MAX_ROUNDS) {
                rateTarget += (aim - last.fileBytes) * 8 / optimizer.elements();
                if (rateTarget <= 0) break;
                r = optimize(optimizer, Math.max(5, settings.steps() / 4), settings.learningRate() / 4, rateTarget, "refine");
                rounds++;
                last = closing.probe(1);
                best = closing.closer(best, last);
            }
            lambda = r.lambda();
            distortion = r.distortion();
            if (!closing.inBand(best)) best = closing.closer(best, closing.scaleSearch(last));
            if (network != null && network.reconstructsLast()) {
                // The last reconstruction fits the weights to the final transform, after the
                // closing, so that no later change of the transform undoes it; then the band is
                // checked again on the reconstructed weights.
                for (int l = 0; l < optimizer.tensorCount(); l++) optimizer.setParams(l, best.params[l]);
                earlierScale = best.scale;
                Probe closed = best;
                network.reconstructLast(optimizer);
                Probe fitted = closing.probe(1);
                if (closing.inBand(fitted)) {
                    best = fitted;
                } else {
                    Probe rescaled = closing.closer(fitted, closing.scaleSearch(fitted));
                    for (int l = 0; l < optimizer.tensorCount(); l++) optimizer.setParams(l, rescaled.params[l]);
                    // The closed state's encoding was made from the weights and parameters put back.
                    // A candidate only where it keeps the band as well as the rescale does.
                    boolean eligible = closing.inBand(closed) || !closing.inBand(rescaled) && closing.closer(closed, rescaled) == closed;
                    boolean keepClosed = eligible && network.keepClosedInstead(optimizer);
                    best = keepClosed ? closed : rescaled;
                    if (keepClosed) earlierScale = 1;
                }
            }
            if (network != null) {
                for (int l = 0; l < optimizer.tensorCount(); l++) optimizer.setParams(l, best.params[l]);
                network.measureFinal(optimizer);
            }
        }
        List<Sized> sized = closing.file(best.sized);
        double achieved = originalBytes / (double) best.fileBytes;
        long payload = best.payloadBytes;
        Estimate estimate = estimate(closing.optimizer, best, false);
        List<TensorInfo> infos = new ArrayList<>();
        List<List<int[]>> checksums = new ArrayList<>();
        for (Sized e : sized) {
            infos.add(e.info());
            checksums.add(e.checksums());
        }
        ContainerSize.Overhead overhead = ContainerSize.overheadOfChecksums(infos, checksums);
        long overheadBytes = 0;
        int codedTensors = 0;
        int packedSymbolTensors = 0;
        for (int j = 0; j < calibrated.size(); j++) {
            if (!best.coded(j)) continue;
            codedTensors++;
            if (!best.rans(j)) {
                packedSymbolTensors++;
                continue;
            }
            overheadBytes += overhead.of(calibrated.get(j));
        }
        RatioReport.FileSize size = new RatioReport.FileSize(mode.target(), achieved, closing.inBand(best), TOLERANCE,
                best.fileBytes, originalBytes);
        RatioReport.Estimate estimated = new RatioReport.Estimate(closing.optimizer.elements(), estimate.counterBits,
                estimate.payloadBits / 8, payload, codedTensors, packedSymbolTensors, calibrated.size() - codedTensors,
                estimate.overheadBits / 8, overheadBytes);
        RatioReport.Calibration calibration = new RatioReport.Calibration(network == null ? "data-free" : network.objectiveName(),
                distortion, lambda, settings.kernel().name().toLowerCase(java.util.Locale.ROOT), settings.resolution(),
                settings.steps(), settings.seed(), rounds, earlierScale * best.scale);
        RatioReport report = new RatioReport(size, estimated, calibration, rows(tensors, calibrated, best, sized), clock.timing(),
                network == null ? null : network.summary());
        Entries entries;
        if (network != null) {
            List<TensorEncoder.Encoded> encoded = new ArrayList<>(Arrays.asList(slots));
            for (int j = 0; j < calibrated.size(); j++) encoded.set(calibrated.get(j), best.encoded[j]);
            entries = new HeldEntries(encoded);
        } else {
            entries = new RecodedEntries(closing, best, sized, cache);
        }
        return new Outcome(entries, best.fileBytes, report, originalBytes / (double) closing.largestFile,
                originalBytes / (double) closing.smallestFile);
    }

    /** Entries coded during the run and held until written (network calibration). */
    private record HeldEntries(List<TensorEncoder.Encoded> encoded) implements Entries {
        @Override
        public int size() {
            return encoded.size();
        }

        @Override
        public TensorEncoder.Encoded get(int i) {
            return encoded.get(i);
        }

        @Override
        public void close() {}
    }

    /**
     * The data-free run's entries, each coded again when asked for: the exact ones as at the start,
     * the calibrated ones from the chosen probe's parameters. Each must be the entry the closing
     * sized (same index entry and checksums), or the file would not be the one its ratio was
     * decided on.
     */
    private final class RecodedEntries implements Entries {
        private final Closing closing;
        private final Probe best;
        private final List<Sized> sized;
        private final WeightCache cache;
        private final int[] calibratedAt;
        /** The quantized entry handed out last, whose payloads are this object's own to free. */
        private TensorEncoder.Encoded handedOut;

        RecodedEntries(Closing closing, Probe best, List<Sized> sized, WeightCache cache) {
            this.closing = closing;
            this.best = best;
            this.sized = sized;
            this.cache = cache;
            calibratedAt = new int[sized.size()];
            Arrays.fill(calibratedAt, -1);
            for (int j = 0; j < closing.calibrated.size(); j++) calibratedAt[closing.calibrated.get(j)] = j;
        }

        @Override
        public int size() {
            return sized.size();
        }

        @Override
        public TensorEncoder.Encoded get(int i) throws L2cException {
            release();
            int j = calibratedAt[i];
            TensorEncoder.Encoded e;
            try {
                e = j < 0 ? encoder.encode(closing.tensors.get(i)) : closing.code(j, best.params[j]).encoded();
            } catch (WeightCache.LoadFailure failure) {
                throw failure.getCause();
            }
            if (!sized.get(i).matches(Sized.of(e))) {
                throw new IllegalStateException("tensor " + e.info().name() + ": coded again, its entry differs from the one sized");
            }
            if (e.info().kind() == TensorKind.QUANTIZED) handedOut = e;
            return e;
        }

        private void release() {
            if (handedOut != null) for (ByteBuffer b : handedOut.payloads()) DirectBuffers.free(b);
            handedOut = null;
        }

        @Override
        public void close() {
            release();
            cache.close();
        }
    }

    /**
     * The counter's rate and the modelled payload and side information ({@link RansSizeModel}), in
     * bits, of the parameters a probe wrote, summed over the tensors it codes with rANS (or, with
     * {@code all}, over every calibrated tensor).
     */
    private Estimate estimate(TransformOptimizer optimizer, Probe probe, boolean all) throws L2cException {
        CalibrationSettings settings = mode.calibration();
        double bits = 0;
        double payload = 0;
        double overhead = 0;
        double cost = 0;
        for (int l = 0; l < optimizer.tensorCount(); l++) {
            if (!all && !probe.rans(l)) continue;
            CalibTensor t = optimizer.tensor(l);
            float[] params = probe.params[l];
            FloatBuffer p = ByteBuffer.allocateDirect(4 * params.length)
                    .order(ByteOrder.nativeOrder()).asFloatBuffer().put(params).flip();
            FloatBuffer codes = optimizer.scratch().floats(TensorScratch.CODES, t.elements());
            transforms.forward(optimizer.kind(l), t.weights(), t.elements(), optimizer.channels(l), p, codes, null, null);
            CounterKernels.Rate r = counter.forward(codes, t.elements(), settings.kernel(), settings.resolution());
            boolean oneLane = probe.singleLane(l);
            double lanes = oneLane ? RansSizeModel.singleLanePayloadBits(r.bits())
                    : RansSizeModel.payloadBits(t.elements(), r.bits(), options.chunkSymbols());
            bits += r.bits();
            payload += lanes;
            overhead += oneLane ? RansSizeModel.singleLaneIndexBits(t.elements(), r.probs())
                    : RansSizeModel.indexBits(t.elements(), r.probs(), options.chunkSymbols())
                            + RansSizeModel.ransPaddingBits(t.elements(), r.bits(), options.chunkSymbols());
            cost += r.bits() + RansSizeModel.sideBits(t.elements(), r.bits(), r.probs(), options.chunkSymbols());
        }
        return new Estimate(bits, payload, overhead, cost);
    }

    private TransformOptimizer.Result optimize(TransformOptimizer optimizer, int steps, double lr, double rateTarget, String name)
            throws L2cException {
        try (Progress.Task task = progress.start(name, steps, "steps")) {
            return optimizer.run(steps, lr, rateTarget, (step, total, state) -> task.advance(1));
        }
    }

    private List<RatioReport.Row> rows(List<Tensor> tensors, List<Integer> calibrated, Probe best, List<Sized> encoded) {
        List<RatioReport.Row> rows = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            TensorInfo info = encoded.get(i).info();
            int j = calibrated.indexOf(i);
            long payload = 0;
            for (var s : info.streams()) payload += s.payloadLength();
            long n = t.numel();
            double edge = Double.NaN;
            double step = Double.NaN;
            double sparsity = Double.NaN;
            double error = 0;
            boolean zeroed = false;
            String transform = info.transform().type().name().toLowerCase(java.util.Locale.ROOT);
            if (j >= 0 && best.coded(j)) {
                // The means over channels of e (none for UNIFORM) and of the first step.
                TransformKind kind = TransformKind.valueOf(info.transform().type().name());
                float[] p = best.params[j];
                int ch = p.length / kind.paramsPerChannel;
                int stepAt = kind == TransformKind.UNIFORM ? 0 : 1;
                if (kind != TransformKind.UNIFORM) edge = mean(p, 0, ch);
                step = mean(p, stepAt * ch, (stepAt + 1) * ch);
                long zeros = encoded.get(i).zeros();
                sparsity = n == 0 ? 0 : (double) zeros / n;
                zeroed = n > 0 && zeros == n;
                error = best.errors[j];
                if (info.transform().channelAxis() >= 0) transform += " per-channel";
            }
            rows.add(new RatioReport.Row(t.name(), t.shape(), info.kind().name(), transform, edge, step,
                    n == 0 ? 0 : 8.0 * payload / n, sparsity, payload == 0 ? 0 : (double) t.data().remaining() / payload, error,
                    zeroed));
        }
        return rows;
    }

    private static double mean(float[] p, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += p[i];
        return to > from ? s / (to - from) : Double.NaN;
    }

    /** {@code t}'s float32 data as floats when it is direct and in native order (no copy), else null. */
    private static FloatBuffer nativeFloats(Tensor t) {
        ByteBuffer data = t.data();
        if (t.dtype() != dev.l2c.model.DType.F32 || !data.isDirect() || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN
                || data.isReadOnly() || t.numel() == 0) {
            return null;
        }
        return data.asFloatBuffer();
    }

    /**
     * {@code t}'s weights as floats in a new direct buffer, read again from its file where
     * {@code range} says where (the file is not kept mapped, so only this tensor's bytes are
     * read), else converted from its data; refused unless finite.
     */
    static ByteBuffer loadWeights(Tensor t, TensorRange range) throws L2cException {
        if (range == null) return finiteFloats(t);
        TensorRange.Loaded loaded = range.load();
        try {
            return finiteFloats(loaded.tensor());
        } finally {
            // The floats are a copy: the bytes read are this method's own.
            DirectBuffers.free(loaded.buffer());
        }
    }

    /** {@code t}'s elements as floats (converted as {@link Tensor#floatAt}) in a new direct native-order buffer, checked finite. */
    private static ByteBuffer finiteFloats(Tensor t) throws L2cException {
        int n = Math.toIntExact(t.numel());
        ByteBuffer out = ByteBuffer.allocateDirect(4 * Math.max(1, n)).order(ByteOrder.nativeOrder());
        FloatBuffer f = out.asFloatBuffer();
        ByteBuffer data = t.data().duplicate().order(t.data().order());
        // Element by element, without a float[] of the tensor on the heap.
        switch (t.dtype()) {
            case F32 -> f.put(0, data.asFloatBuffer(), 0, n);
            case F64 -> {
                var d = data.asDoubleBuffer();
                for (int i = 0; i < n; i++) f.put(i, Tensor.doubleToFloat(d.get(i)));
            }
            case F16 -> {
                var h = data.asShortBuffer();
                for (int i = 0; i < n; i++) f.put(i, Tensor.halfToFloat(h.get(i)));
            }
            case BF16 -> {
                var h = data.asShortBuffer();
                for (int i = 0; i < n; i++) f.put(i, Tensor.bf16ToFloat(h.get(i)));
            }
            default -> throw new IllegalArgumentException("tensor " + t.name() + " is not floating point: " + t.dtype());
        }
        checkFinite(t, f.limit(n));
        return out;
    }

    private static FloatBuffer finiteWeights(Tensor t) {
        float[] values = t.toFloatArray();
        FloatBuffer out = ByteBuffer.allocateDirect(4 * Math.max(1, values.length)).order(ByteOrder.nativeOrder()).asFloatBuffer();
        out.put(values).flip();
        return out;
    }

    private static FloatBuffer checkFinite(Tensor t, FloatBuffer w) throws L2cException {
        for (int i = 0, n = w.limit(); i < n; i++) {
            float v = w.get(i);
            if (!Float.isFinite(v)) {
                throw new L2cException("tensor " + t.name() + ": element " + i + " is " + v
                        + "; lossy modes need finite weights (keep it exact with --lossless or --keep)");
            }
        }
        return w;
    }

    /** Real codings of the calibrated tensors and the search that closes on the file size. */
    private final class Closing {
        private final List<Tensor> tensors;
        private final List<Integer> calibrated;
        /** The exact entries' sizes, by source index (null for the calibrated tensors). */
        private final Sized[] slots;
        private final Map<String, String> attributes;
        private final double targetBytes;
        /** Whether probes hold their entries (network calibration: the weights change between probes). */
        private final boolean holdEntries;
        /**
         * The bytes each calibrated tensor's exact entry adds to the file, measured when a probe
         * first needs it (-1 before) without holding the entry; the entry itself is coded in the
         * rare probe that keeps it.
         */
        private final long[] exactBytes;
        private TransformOptimizer optimizer;
        /** The original weights errors are measured against (the calibrated tensors themselves when data-free). */
        private List<CalibTensor> reference;
        /** The smallest and the largest file coded so far: the range of ratios within reach. */
        private long smallestFile = Long.MAX_VALUE;
        private long largestFile = 0;

        Closing(List<Tensor> tensors, List<Integer> calibrated, Sized[] slots, Map<String, String> attributes, double targetBytes,
                boolean holdEntries) {
            this.tensors = tensors;
            this.calibrated = calibrated;
            this.slots = slots;
            this.attributes = attributes;
            this.targetBytes = targetBytes;
            this.holdEntries = holdEntries;
            exactBytes = new long[calibrated.size()];
            Arrays.fill(exactBytes, -1);
        }

        boolean inBand(Probe p) {
            return p.fileBytes <= targetBytes && p.fileBytes >= targetBytes * (1 - TOLERANCE);
        }

        /** The probe nearer the band (in band first, then by the log of the miss). */
        Probe closer(Probe a, Probe b) {
            if (inBand(a) != inBand(b)) return inBand(a) ? a : b;
            double missA = Math.abs(Math.log(a.fileBytes / (targetBytes * (1 - TOLERANCE / 2))));
            double missB = Math.abs(Math.log(b.fileBytes / (targetBytes * (1 - TOLERANCE / 2))));
            return missB < missA ? b : a;
        }

        /** Codes every calibrated tensor with the optimizer's parameters times {@code scale}. */
        Probe probe(double scale) throws L2cException {
            int count = calibrated.size();
            Sized[] sized = new Sized[count];
            TensorEncoder.Encoded[] encoded = holdEntries ? new TensorEncoder.Encoded[count] : null;
            double[] errors = new double[count];
            float[][] params = new float[count][];
            long payload = 0;
            for (int l = 0; l < count; l++) {
                float[] p = optimizer.scaledParams(l, scale);
                params[l] = p;
                Coded c = code(l, p);
                errors[l] = c.error();
                sized[l] = Sized.of(c.encoded());
                if (sized[l].quantized() && sized[l].info().streams().get(0).coding().isRans()) {
                    payload += sized[l].info().streams().get(0).payloadLength();
                }
                if (holdEntries) {
                    encoded[l] = c.encoded();
                } else if (sized[l].quantized()) {
                    // Sized, the coded symbols are no longer needed: the payloads are the encoder's new buffers.
                    for (ByteBuffer b : c.encoded().payloads()) DirectBuffers.free(b);
                }
            }
            long fileBytes = fileBytes(file(sized));
            smallestFile = Math.min(smallestFile, fileBytes);
            largestFile = Math.max(largestFile, fileBytes);
            return new Probe(sized, encoded, fileBytes, payload, errors, params, scale);
        }

        /**
         * Calibrated tensor l coded with parameters {@code p} (already scaled): its quantized entry,
         * or its exact one where that is smaller (the quantized entry is dominated), and its error.
         * The same parameters and weights give the same bytes, which writing a data-free run relies on.
         */
        Coded code(int l, float[] p) throws L2cException {
            return RatioCompressor.code(transforms, encoder, optimizer, l, tensors.get(calibrated.get(l)), p, reference.get(l),
                    exactBytes);
        }

        /** Every entry of the file whose calibrated tensors are {@code coded}, in source order. */
        List<Sized> file(Sized[] coded) {
            List<Sized> file = new ArrayList<>(tensors.size());
            for (int i = 0, j = 0; i < tensors.size(); i++) file.add(slots[i] != null ? slots[i] : coded[j++]);
            return file;
        }

        /** The exact bytes of the file holding {@code file} (as {@link TensorEncoder#fileBytes}, from the checksums). */
        long fileBytes(List<Sized> file) {
            List<TensorInfo> infos = new ArrayList<>(file.size());
            List<List<int[]>> checksums = new ArrayList<>(file.size());
            for (Sized e : file) {
                infos.add(e.info());
                checksums.add(e.checksums());
            }
            return ContainerSize.ofChecksums(attributes, infos, checksums);
        }

        /** Searches one common factor on every parameter for a file in the band (class comment). */
        Probe scaleSearch(Probe start) throws L2cException {
            Probe best = start;
            double lo = 0;
            Probe loProbe = start;
            double hi;
            Probe hiProbe;
            int probes = 0;
            // The file shrinks as the factor grows: find a bracket [lo: too large file, hi: too small].
            if (start.fileBytes > targetBytes) {
                double u = 0.01;
                Probe p = probe(Math.exp(u));
                probes++;
                best = closer(best, p);
                while (p.fileBytes > targetBytes && u < MAX_LOG_SCALE && probes < MAX_SCALE_PROBES) {
                    lo = u;
                    loProbe = p;
                    u = Math.min(MAX_LOG_SCALE, u * 2);
                    p = probe(Math.exp(u));
                    probes++;
                    best = closer(best, p);
                }
                if (p.fileBytes > targetBytes || inBand(p)) return best;
                hi = u;
                hiProbe = p;
            } else {
                double u = -0.01;
                Probe p = probe(Math.exp(u));
                probes++;
                best = closer(best, p);
                hi = 0;
                hiProbe = start;
                while (p.fileBytes < targetBytes * (1 - TOLERANCE) && u > -MAX_LOG_SCALE && probes < MAX_SCALE_PROBES) {
                    hi = u;
                    hiProbe = p;
                    u = Math.max(-MAX_LOG_SCALE, u * 2);
                    p = probe(Math.exp(u));
                    probes++;
                    best = closer(best, p);
                }
                if (p.fileBytes < targetBytes * (1 - TOLERANCE) || inBand(p)) return best;
                lo = u;
                loProbe = p;
            }
            while (!inBand(best) && probes < MAX_SCALE_PROBES && loProbe.fileBytes > hiProbe.fileBytes) {
                double mid = (lo + hi) / 2;
                Probe p = probe(Math.exp(mid));
                probes++;
                best = closer(best, p);
                if (p.fileBytes > targetBytes) {
                    lo = mid;
                    loProbe = p;
                } else {
                    hi = mid;
                    hiProbe = p;
                }
            }
            return best;
        }
    }

    /**
     * Calibrated tensor l of {@code optimizer} (model tensor {@code t}) coded with parameters
     * {@code p} (already scaled): its quantized entry, or its exact one where that is smaller (the
     * quantized entry is dominated), and its error against {@code reference}; {@code exactBytes[l]}
     * caches the exact entry's size (-1 before it is measured). The same parameters and weights
     * give the same bytes, which writing a data-free run relies on (and a parted run, coding the
     * parts on other machines: PartedCompressor).
     */
    static Coded code(TransformKernels transforms, TensorEncoder encoder, TransformOptimizer optimizer, int l, Tensor t, float[] p,
            CalibTensor reference, long[] exactBytes) throws L2cException {
        Channels channels = optimizer.channels(l);
        int n = Math.toIntExact(t.numel());
        FloatBuffer pb = ByteBuffer.allocateDirect(4 * p.length).order(ByteOrder.nativeOrder()).asFloatBuffer().put(p);
        pb.flip();
        // The symbols live in the scratch (the reconstruction's slot, free while coding) only
        // while this tensor is coded: its entry owns its payload.
        TensorScratch scratch = optimizer.scratch();
        IntBuffer q = scratch.ints(TensorScratch.CODES, n);
        FloatBuffer w = optimizer.tensor(l).weights();
        transforms.forward(optimizer.kind(l), w, n, channels, pb, null, q, null);
        QuantizedTensor qt = LearnedSymbols.remap(t.name(), q, n, optimizer.kind(l), channels, p,
                scratch.shorts(TensorScratch.WEIGHTS, n));
        TransformSpec spec = new TransformSpec(TransformType.valueOf(optimizer.kind(l).name()), channels.axis(), p);
        double error = relativeError(reference.weights(), qt, spec, channels, n);
        TensorEncoder.Encoded encoded = encoder.quantized(t, qt, spec);
        if (exactBytes[l] < 0) exactBytes[l] = encoder.exactBytes(t);
        if (exactBytes[l] < TensorEncoder.bytes(encoded)) {
            // dominated: the quantized entry costs more bytes and has an error
            return new Coded(encoder.exactEntry(t), 0);
        }
        return new Coded(encoded, error);
    }

    private static FloatBuffer copy(FloatBuffer b) {
        FloatBuffer out = ByteBuffer.allocateDirect(4 * Math.max(1, b.limit())).order(ByteOrder.nativeOrder()).asFloatBuffer();
        return out.put(b.duplicate().position(0)).flip();
    }

    private static double relativeError(FloatBuffer w, QuantizedTensor q, TransformSpec spec, Channels channels, int n) {
        float[] values = q.values();
        if (values == null) return DataFreeObjective.relativeError(w, Transforms.dequantize(spec, q.symbols(), q.alphabet(), channels, n));
        // DataFreeObjective.relativeError's sums over the values looked up, without an array of n.
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            double v = w.get(i);
            double d = values[q.symbols().get(i) & 0xffff] - v;
            num += d * d;
            den += v * v;
        }
        return den > 0 ? num / den : num;
    }
}
