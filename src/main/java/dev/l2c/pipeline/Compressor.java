package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.RatioOutOfReachException;
import dev.l2c.backend.Backend;
import dev.l2c.Version;
import dev.l2c.calib.NetworkCalibrationSettings;
import dev.l2c.folder.FolderLayout;
import dev.l2c.format.L2cWriter;
import dev.l2c.model.ModelFiles;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.StoredGraph;
import dev.l2c.model.Tensor;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Model file in, .l2c file out: every tensor encoded in turn and streamed into the container. */
public final class Compressor {
    /** File attributes recorded at compression. */
    public static final String SOURCE_FILE = "source-file";
    public static final String SOURCE_BYTES = "source-bytes";
    public static final String SOURCE_FORMAT = "source-format";
    public static final String MODE = "mode";
    public static final String PRODUCER = "producer";
    public static final String SEED = "seed";
    /** Baseline ratio mode: the method and the bit width and sparsity it chose. */
    public static final String METHOD = "method";
    public static final String BITS = "bits";
    public static final String SPARSITY = "sparsity";
    /** Baseline ratio mode (uniform, gptq): the common step factor f, each step f times its channel's max|w|. */
    public static final String STEP_FACTOR = "step-factor";

    private final Backend backend;
    private final Progress progress;
    private final NetworkCalibrationSettings network;

    public Compressor(Backend backend, Progress progress) {
        this(backend, progress, null);
    }

    /** {@code network}: calibrate through the network on data (ratio mode, ONNX models), or null for data-free. */
    public Compressor(Backend backend, Progress progress, NetworkCalibrationSettings network) {
        this.backend = backend;
        this.progress = progress;
        this.network = network;
    }

    public CompressReport compress(Path input, Path output, CompressOptions options) throws L2cException {
        long start = System.nanoTime();
        // Refuse an existing output before the long work, not after it.
        dev.l2c.io.AtomicFile.checkTarget(output, options.force());
        SourceModel source = SourceModel.open(input, options.mode() instanceof CompressMode.Ratio);
        return compress(source, input.getFileName().toString(), output, options, start);
    }

    /**
     * Compresses tensors held in memory (safetensors' rules: every tensor goes in, non-float ones
     * stored as they are); {@code name} stands for the model in the file's attributes and in messages.
     */
    public CompressReport compress(String name, List<Tensor> tensors, Path output, CompressOptions options) throws L2cException {
        long start = System.nanoTime();
        dev.l2c.io.AtomicFile.checkTarget(output, options.force());
        SourceModel source = SourceModel.inMemory(name, tensors, options.mode() instanceof CompressMode.Ratio);
        return compress(source, name, output, options, start);
    }

    private CompressReport compress(SourceModel source, String sourceName, Path output, CompressOptions options, long start)
            throws L2cException {
        Map<String, String> attributes = attributes(sourceName, source, options);
        TensorEncoder encoder = new TensorEncoder(backend.rans(), options);
        boolean usesNetwork = options.mode() instanceof CompressMode.Ratio r
                && (r.method() == RatioMethod.L2 || r.method() == RatioMethod.GPTQ);
        if (network != null && !usesNetwork) {
            throw new IllegalArgumentException("calibration data needs ratio mode with the L2 or GPTQ method");
        }
        if (options.mode() instanceof CompressMode.Ratio r) {
            if (r.method() == RatioMethod.GPTQ && network == null) {
                throw new IllegalArgumentException("--method gptq needs calibration data");
            }
            return r.method() == RatioMethod.L2
                    ? compressToRatio(source, output, options, r, attributes, encoder, start)
                    : compressToBaseline(source, output, options, r, attributes, encoder, start);
        }
        try (L2cWriter writer = L2cWriter.create(output, options.force(), attributes);
                Progress.Task task = progress.start("compress", source.tensorBytes(), "MB")) {
            // One tensor in memory at a time: it is written before the next is read.
            source.forEachTensor(t -> {
                TensorEncoder.Encoded e = encoder.encode(t);
                writer.addTensor(e.info(), e.payloads());
                task.advance(t.data().remaining());
            });
            writer.finish();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new CompressReport(Inspector.inspect(output), seconds, backend.name());
    }

    /** The file attributes of {@code source} compressed with {@code options}, in the order they are written. */
    static Map<String, String> attributes(String sourceName, SourceModel source, CompressOptions options)
            throws L2cException {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put(PRODUCER, "l2c " + Version.VERSION);
        attributes.put(SOURCE_FILE, sourceName);
        attributes.put(SOURCE_BYTES, Long.toString(source.fileBytes()));
        attributes.put(SOURCE_FORMAT, source.format().name().toLowerCase(java.util.Locale.ROOT));
        attributes.put(MODE, options.mode().attribute());
        if (source.folder() != null) attributes.put(FolderLayout.ATTRIBUTE, source.folder().toJson());
        if (options.graph() && source.format() == ModelFiles.Format.ONNX) {
            Set<String> held = new HashSet<>();
            for (Tensor t : source.tensors()) held.add(t.name());
            attributes.put(StoredGraph.ATTRIBUTE, StoredGraph.encode(OnnxModel.readGraph(source.path()), held));
        }
        return attributes;
    }

    private CompressReport compressToBaseline(SourceModel source, Path output, CompressOptions options, CompressMode.Ratio mode,
            Map<String, String> attributes, TensorEncoder encoder, long start) throws L2cException {
        BaselineRatioCompressor.Outcome outcome;
        if (mode.method() == RatioMethod.GPTQ) {
            Map<String, long[]> lossy = new LinkedHashMap<>();
            for (Tensor t : source.tensors()) if (!encoder.exact(t)) lossy.put(t.name(), t.shape());
            try (GptqStatistics statistics = GptqStatistics.collect(source, network, lossy, progress)) {
                outcome = new BaselineRatioCompressor(encoder, options, progress, statistics)
                        .run(source.tensors(), attributes, source.ratioBytes());
            }
        } else {
            outcome = new BaselineRatioCompressor(encoder, options, progress)
                    .run(source.tensors(), attributes, source.ratioBytes());
        }
        checkReachable(source, mode, outcome.report().reached(), outcome.lowestRatio(), outcome.highestRatio());
        List<TensorEncoder.Encoded> encoded = outcome.encoded();
        ContainerSummary summary = writeCoded(output, options, attributes, encoded.size(), encoded::get, outcome.fileBytes(),
                "baseline ratio mode");
        return new CompressReport(summary, (System.nanoTime() - start) / 1e9, backend.name(), null, outcome.report());
    }

    private CompressReport compressToRatio(SourceModel source, Path output, CompressOptions options, CompressMode.Ratio mode,
            Map<String, String> attributes, TensorEncoder encoder, long start) throws L2cException {
        attributes.put(SEED, Long.toString(mode.calibration().seed()));
        RatioCompressor.Outcome outcome;
        // The network and its data are opened (and checked) before any long work.
        try (NetworkCalibrator calibrator = network == null ? null
                : NetworkCalibrator.open(source, network, mode.calibration().seed(), progress)) {
            outcome = new RatioCompressor(backend.transforms(), backend.counter(), encoder, options, progress, calibrator)
                    .run(source.tensors(), source.ranges(), attributes, source.ratioBytes());
        }
        ContainerSummary summary;
        try (RatioCompressor.Entries entries = outcome.entries()) {
            checkReachable(source, mode, outcome.report().size().reached(), outcome.lowestRatio(), outcome.highestRatio());
            summary = writeCoded(output, options, attributes, entries.size(), entries::get, outcome.predictedFileBytes(), "ratio mode");
        }
        return new CompressReport(summary, (System.nanoTime() - start) / 1e9, backend.name(), outcome.report());
    }

    /**
     * Refuses, before anything is written, a target ratio outside the range of the files the
     * search coded (the closest of them would be a model far from what was asked: all weights
     * zero, say), unless the options ask for the closest file.
     */
    private static void checkReachable(SourceModel source, CompressMode.Ratio mode, boolean reached, double lowest,
            double highest) throws L2cException {
        double target = mode.target();
        if (reached || mode.closest() || (target <= highest && target >= lowest)) return;
        throw new RatioOutOfReachException(String.format(java.util.Locale.ROOT,
                "--ratio %s is out of reach for %s: the files l2c could code range from ratio %.3f to %.3f; ask for a "
                        + "ratio in that range, or add --closest to write the closest file",
                java.math.BigDecimal.valueOf(target).stripTrailingZeros().toPlainString(), source.path(), lowest, highest),
                target, lowest, highest);
    }

    /** Entry {@code i} of the file a ratio search coded. */
    private interface CodedEntry {
        TensorEncoder.Encoded get(int i) throws L2cException;
    }

    /**
     * Writes tensors a ratio search has already coded, and checks the file has the size the search
     * predicted (its ratio was decided on that size).
     */
    private static ContainerSummary writeCoded(Path output, CompressOptions options, Map<String, String> attributes, int count,
            CodedEntry entries, long predictedBytes, String mode) throws L2cException {
        try (L2cWriter writer = L2cWriter.create(output, options.force(), attributes)) {
            // One entry at a time: a data-free ratio run codes each again as it is written.
            for (int i = 0; i < count; i++) {
                TensorEncoder.Encoded e = entries.get(i);
                writer.addTensor(e.info(), e.payloads());
            }
            writer.finish();
        }
        ContainerSummary summary = Inspector.inspect(output);
        if (summary.fileBytes() != predictedBytes) {
            throw new IllegalStateException(mode + " predicted " + predictedBytes + " bytes, wrote " + summary.fileBytes());
        }
        return summary;
    }
}
