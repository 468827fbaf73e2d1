package dev.l2c.api;

import dev.l2c.L2cException;
import dev.l2c.backend.CpuBackend;
import dev.l2c.calib.CalibrationSettings;
import dev.l2c.calib.NetworkCalibrationSettings;
import dev.l2c.counter.CounterKernel;
import dev.l2c.graph.Torch;
import dev.l2c.pipeline.CompressOptions;
import dev.l2c.pipeline.Compressor;
import dev.l2c.pipeline.RatioMethod;
import dev.l2c.transform.TransformKind;
import dev.l2c.transform.UniformQuantizer;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * How to compress a model, built in steps, then run on files with {@link #compress}: everything
 * {@code l2c compress} offers, which is this class's first client.
 *
 * <pre>{@code
 * CompressionResult r = Compression.ratio(10).seed(1).threads(4).listener(myListener)
 *         .compress(Path.of("model.onnx"), Path.of("model.l2c"));
 * }</pre>
 *
 * The mode is chosen first: {@link #lossless()}, {@link #bits(int)} or {@link #ratio(double)}.
 * Ratio mode learns a transform per tensor (docs/DESIGN.md, "The method"), data-free or calibrated
 * on data ({@link #calibration}), or runs a baseline at the same file size ({@link #method}).
 * A setting that does not apply to the mode is refused when it is set, one that does not apply to
 * the ratio method when {@link #compress} runs: never silently ignored. The input is an ONNX
 * model, a safetensors file or a Hugging Face model folder; the output appears only when complete
 * (a temporary file renamed into place).
 *
 * <p><b>Thread safety:</b> a {@code Compression} is a mutable description, not thread-safe; it may
 * run {@link #compress} for one file after another. Compressing from several threads at once is
 * not supported in this version: the native kernels' thread count is a process-wide setting.
 */
public final class Compression {
    /** How ratio mode reaches its target size (docs/DESIGN.md, "Objective and ratio control"). */
    public enum Method {
        /** The learned transform (L²), calibrated until the file meets the target (the default). */
        L2(RatioMethod.L2),
        /** Uniform symmetric round-to-nearest, the step searched (per tensor, or per channel). */
        UNIFORM(RatioMethod.UNIFORM),
        /** Magnitude pruning then uniform quantization, bits and sparsity searched. */
        PRUNE(RatioMethod.PRUNE),
        /** GPTQ rounding per output channel from the layers' input statistics; needs a {@link Calibration}. */
        GPTQ(RatioMethod.GPTQ);

        private final RatioMethod method;

        Method(RatioMethod method) {
            this.method = method;
        }
    }

    /** The transform the L2 method learns for each tensor. */
    public enum Transform {
        /** A dead zone (edge) then uniform steps beyond it (the default). */
        EDGE_SCALE(TransformKind.EDGE_SCALE),
        /** Uniform steps only. */
        UNIFORM(TransformKind.UNIFORM),
        /** Piecewise-linear steps. */
        PIECEWISE(TransformKind.PIECEWISE);

        private final TransformKind kind;

        Transform(TransformKind kind) {
            this.kind = kind;
        }
    }

    /** The kernel of the differentiable rate counter of the L2 method (docs/DESIGN.md, "Differentiable counter"). */
    public enum RateKernel {
        /** Raised cosine (the default). */
        COS(CounterKernel.COS),
        /** Triangle. */
        TRI(CounterKernel.TRI),
        /** Linear interpolation. */
        LIN(CounterKernel.LIN);

        private final CounterKernel kernel;

        RateKernel(CounterKernel kernel) {
            this.kernel = kernel;
        }
    }

    private enum Mode { LOSSLESS, BITS, RATIO }

    /** The largest rANS chunk, in symbols. */
    private static final int MAX_CHUNK = 1 << 24;

    private final Mode mode;
    private final int bits;
    private final double ratio;
    private boolean perChannel;
    private double sparsity;
    private Method method = Method.L2;
    private boolean closest;
    // The L2 method's settings; null: the default, and not set (a baseline refuses what is set).
    private Transform transform;
    private RateKernel rateKernel;
    private Integer resolution;
    private Integer steps;
    private Long seed;
    private Calibration calibration;
    private Pattern keep;
    private long minElements = CompressOptions.DEFAULT_MIN_ELEMENTS;
    private int chunkSymbols = CompressOptions.DEFAULT_CHUNK;
    private boolean graph = true;
    private int threads;
    private ComputeDevice device = ComputeDevice.CPU;
    private ProgressListener listener = ProgressListener.NONE;
    private boolean force;

    private Compression(Mode mode, int bits, double ratio) {
        this.mode = mode;
        this.bits = bits;
        this.ratio = ratio;
    }

    /**
     * Every float bit kept: the exponent and mantissa bytes entropy-coded ({@code --lossless}).
     *
     * @return a lossless compression, to set up further or run
     */
    public static Compression lossless() {
        return new Compression(Mode.LOSSLESS, 0, 0);
    }

    /**
     * Uniform symmetric quantization, then rANS ({@code --bits}).
     *
     * @param bits bits per weight, 2..8
     * @return a compression in that mode
     * @throws IllegalArgumentException bits outside 2..8
     */
    public static Compression bits(int bits) {
        if (bits < UniformQuantizer.MIN_BITS || bits > UniformQuantizer.MAX_BITS) {
            throw new IllegalArgumentException("bits must be in 2..8, got " + bits);
        }
        return new Compression(Mode.BITS, bits, 0);
    }

    /**
     * A file {@code ratio} times smaller than the original tensors ({@code --ratio}): the learned
     * transform, data-free unless {@link #calibration} is set, or a baseline ({@link #method}).
     *
     * @param ratio original tensor bytes / file bytes to reach (within 2 %), above 1
     * @return a compression in that mode
     * @throws IllegalArgumentException a ratio outside (1, 1000000]
     */
    public static Compression ratio(double ratio) {
        if (!(ratio > 1) || ratio > 1e6) throw new IllegalArgumentException("ratio must be in (1, 1000000], got " + ratio);
        return new Compression(Mode.RATIO, 0, ratio);
    }

    private void require(Mode needed, String setting) {
        if (mode != needed) {
            throw new IllegalArgumentException(setting + " needs " + needed.name().toLowerCase(java.util.Locale.ROOT) + " mode, this is "
                    + mode.name().toLowerCase(java.util.Locale.ROOT) + " mode");
        }
    }

    /**
     * One quantization step (or transform) per output channel (axis 0) instead of per tensor: bits
     * mode, and ratio mode with the L2 or UNIFORM method ({@code --per-channel}).
     *
     * @param perChannel whether to
     * @return this
     * @throws IllegalArgumentException in lossless mode
     */
    public Compression perChannel(boolean perChannel) {
        if (perChannel && mode == Mode.LOSSLESS) throw new IllegalArgumentException("per-channel needs bits or ratio mode");
        this.perChannel = perChannel;
        return this;
    }

    /**
     * Magnitude pruning before quantizing, bits mode only ({@code --sparsity}): the fraction of
     * each lossy tensor's smallest-magnitude weights set to 0.
     *
     * @param sparsity in [0, 1) (default 0)
     * @return this
     */
    public Compression sparsity(double sparsity) {
        require(Mode.BITS, "sparsity");
        if (!(sparsity >= 0 && sparsity < 1)) throw new IllegalArgumentException("sparsity must be in [0, 1), got " + sparsity);
        this.sparsity = sparsity;
        return this;
    }

    /**
     * How ratio mode reaches its target ({@code --method}).
     *
     * @param method L2 (the default) or a baseline
     * @return this
     */
    public Compression method(Method method) {
        require(Mode.RATIO, "method");
        if (method == null) throw new IllegalArgumentException("method is null");
        this.method = method;
        return this;
    }

    /**
     * Whether ratio mode writes the closest file found when the target is out of reach, rather
     * than throwing {@link dev.l2c.RatioOutOfReachException} ({@code --closest}).
     *
     * @param closest whether to (default false)
     * @return this
     */
    public Compression closest(boolean closest) {
        require(Mode.RATIO, "closest");
        this.closest = closest;
        return this;
    }

    /**
     * The transform the L2 method learns ({@code --transform}).
     *
     * @param transform the transform (default EDGE_SCALE)
     * @return this
     */
    public Compression transform(Transform transform) {
        require(Mode.RATIO, "transform");
        if (transform == null) throw new IllegalArgumentException("transform is null");
        this.transform = transform;
        return this;
    }

    /**
     * The rate counter's kernel of the L2 method ({@code --kernel}).
     *
     * @param kernel the kernel (default COS)
     * @return this
     */
    public Compression rateKernel(RateKernel kernel) {
        require(Mode.RATIO, "rateKernel");
        if (kernel == null) throw new IllegalArgumentException("rateKernel is null");
        this.rateKernel = kernel;
        return this;
    }

    /**
     * The rate counter's resolution of the L2 method: its cell is the code range / resolution
     * ({@code --resolution}).
     *
     * @param resolution 1 to 1048576 (default 64)
     * @return this
     */
    public Compression resolution(int resolution) {
        require(Mode.RATIO, "resolution");
        if (resolution < 1 || resolution > 1 << 20) throw new IllegalArgumentException("resolution must be in [1, 1048576], got " + resolution);
        this.resolution = resolution;
        return this;
    }

    /**
     * The optimizer steps of the L2 method's first run ({@code --steps}).
     *
     * @param steps 0 to 1000000 (default 60)
     * @return this
     */
    public Compression steps(int steps) {
        require(Mode.RATIO, "steps");
        if (steps < 0 || steps > 1_000_000) throw new IllegalArgumentException("steps must be in [0, 1000000], got " + steps);
        this.steps = steps;
        return this;
    }

    /**
     * The seed of the L2 method: the same input, settings and seed give the same bytes on one
     * machine ({@code --seed}).
     *
     * @param seed any value (default 0)
     * @return this
     */
    public Compression seed(long seed) {
        require(Mode.RATIO, "seed");
        this.seed = seed;
        return this;
    }

    /**
     * Calibration through the network on data, for the L2 method (its objective) and the GPTQ
     * method (its statistics) ({@code --calib}); without it the L2 method is data-free.
     *
     * @param calibration the calibration (null: none)
     * @return this
     */
    public Compression calibration(Calibration calibration) {
        require(Mode.RATIO, "calibration");
        this.calibration = calibration;
        return this;
    }

    /**
     * Tensors stored exactly (lossless) whatever the mode ({@code --keep}).
     *
     * @param names tensors whose name contains a match are kept exact (null: none)
     * @return this
     */
    public Compression keep(Pattern names) {
        this.keep = names;
        return this;
    }

    /**
     * Whether a file made from an ONNX model stores the model's graph (its structure without the
     * weights; {@code --no-graph} turns it off), so that the file alone gives the ONNX model back
     * ({@link Decompression#toOnnx()}, {@link OnnxRuntimeModel#open(L2cFile, ai.onnxruntime.OrtEnvironment,
     * OnnxRuntimeModel.OptionsSetup)}). It costs a few kB (MiniLM: about 10 kB),
     * which count in the ratio: on a model of a few hundred kB at 40x that is a large share of the
     * file. Without it, ONNX output needs the original model.
     *
     * @param store whether to (default true)
     * @return this
     */
    public Compression storeGraph(boolean store) {
        this.graph = store;
        return this;
    }

    /**
     * Float tensors with fewer elements are stored exactly ({@code --min-elements}).
     *
     * @param minElements at least 0 (default 0: every float tensor is coded, and stored exact only
     *     where its coding would cost more bytes)
     * @return this
     */
    public Compression minElements(long minElements) {
        if (minElements < 0) throw new IllegalArgumentException("minElements must be >= 0, got " + minElements);
        this.minElements = minElements;
        return this;
    }

    /**
     * The rANS chunk size, the unit of parallel decoding ({@code --chunk}).
     *
     * @param symbols a multiple of 32 in [32, 16777216] (default 65536)
     * @return this
     */
    public Compression chunkSymbols(int symbols) {
        if (symbols < 32 || symbols % 32 != 0 || symbols > MAX_CHUNK) {
            throw new IllegalArgumentException("chunkSymbols must be a multiple of 32 in [32, 16777216], got " + symbols);
        }
        this.chunkSymbols = symbols;
        return this;
    }

    /**
     * The CPU threads the kernels (and libtorch, when calibrating on data) use.
     *
     * @param threads 1 to {@link CpuBackend#MAX_THREADS}, or 0 (the default) for all cores
     * @return this
     */
    public Compression threads(int threads) {
        this.threads = BackendChoice.checkThreads(threads);
        return this;
    }

    /**
     * Where l2c's kernels run ({@code --device}).
     *
     * @param device the device (default CPU)
     * @return this
     */
    public Compression device(ComputeDevice device) {
        if (device == null) throw new IllegalArgumentException("device is null");
        this.device = device;
        return this;
    }

    /**
     * Who hears how the work advances, and the notes of choices made (see {@link ProgressListener}).
     *
     * @param listener the listener (null: none)
     * @return this
     */
    public Compression listener(ProgressListener listener) {
        this.listener = listener == null ? ProgressListener.NONE : listener;
        return this;
    }

    /**
     * Whether to replace an existing output (else an existing output is an error).
     *
     * @param force whether to
     * @return this
     */
    public Compression force(boolean force) {
        this.force = force;
        return this;
    }

    /**
     * Compresses a model into a {@code .l2c} file.
     *
     * @param input an ONNX model, a safetensors file or a model folder
     * @param output the {@code .l2c} file to write
     * @return what was written, with the detailed report
     * @throws dev.l2c.OutputExistsException the output exists and {@link #force} is not set
     * @throws dev.l2c.RatioOutOfReachException the target ratio is out of reach and
     *     {@link #closest} is not set
     * @throws L2cException bad input, data that does not fit the model, an unusable device; the
     *     message names the file, tensor or option at fault
     * @throws IllegalArgumentException settings that do not apply to the ratio method
     */
    public CompressionResult compress(Path input, Path output) throws L2cException {
        CompressOptions options = options();
        NetworkCalibrationSettings network = network();
        if (network != null) Torch.configure(threads);
        return new CompressionResult(output, compressor(network).compress(input, output, options));
    }

    /**
     * Compresses tensors held in memory into a {@code .l2c} file, as a safetensors file of them
     * would be: every tensor goes in, in list order. Calibration on data runs the network, so it
     * needs an ONNX model file and {@link #compress(Path, Path)}. Ratio mode keeps its own copy of any tensor that is not in a writable direct buffer.
     *
     * @param modelName what the file records as its source (its {@code source-file} attribute), and
     *     messages name
     * @param tensors the tensors, names unique, at least one of them floating point
     * @param output the {@code .l2c} file to write
     * @return what was written, with the detailed report; its input bytes are the tensors' bytes
     * @throws dev.l2c.OutputExistsException the output exists and {@link #force} is not set
     * @throws dev.l2c.RatioOutOfReachException the target ratio is out of reach and
     *     {@link #closest} is not set
     * @throws L2cException two tensors of one name, no floating-point tensor, an unusable device
     * @throws IllegalArgumentException settings that do not apply to the ratio method, a
     *     calibration (or the GPTQ method, which needs one), or a model name that is no file name
     */
    public CompressionResult compress(String modelName, java.util.List<ModelTensor> tensors, Path output) throws L2cException {
        if (modelName == null || modelName.isBlank() || modelName.indexOf('\0') >= 0 || modelName.contains("/")) {
            throw new IllegalArgumentException("the model name must be a non-blank file name, got '" + modelName + "'");
        }
        CompressOptions options = options();
        if (network() != null) {
            throw new IllegalArgumentException("calibration on data runs the network, so it needs an ONNX model file: "
                    + "compress(Path, Path) takes one");
        }
        java.util.List<dev.l2c.model.Tensor> own = tensors.stream().map(ModelTensor::tensor).toList();
        return new CompressionResult(output, compressor(null).compress(modelName, own, output, options));
    }

    private Compressor compressor(NetworkCalibrationSettings network) throws L2cException {
        return new Compressor(BackendChoice.select(device, threads, listener), ProgressAdapter.of(listener), network);
    }

    /** The pipeline's options for these settings (docs/DESIGN.md, "Data flow"). */
    private CompressOptions options() {
        CompressOptions o = modeOptions();
        return graph ? o : o.withoutGraph();
    }

    private CompressOptions modeOptions() {
        return switch (mode) {
            case LOSSLESS -> CompressOptions.lossless(keep, minElements, chunkSymbols, force);
            case BITS -> {
                CompressOptions o = CompressOptions.uniform(bits, perChannel, keep, minElements, chunkSymbols, force);
                yield sparsity > 0 ? o.withSparsity(sparsity) : o;
            }
            case RATIO -> {
                CompressOptions o;
                if (method == Method.L2) {
                    CalibrationSettings d = CalibrationSettings.defaults();
                    CalibrationSettings s = new CalibrationSettings(transform != null ? transform.kind : d.kind(), perChannel,
                            rateKernel != null ? rateKernel.kernel : d.kernel(), resolution != null ? resolution : d.resolution(),
                            steps != null ? steps : d.steps(), d.learningRate(), d.lambda(), seed != null ? seed : d.seed());
                    o = CompressOptions.ratio(ratio, s, keep, minElements, chunkSymbols, force);
                } else {
                    // The baselines learn nothing: the L2 settings would be silently ignored.
                    Object[][] l2Only = {{"transform", transform}, {"rateKernel", rateKernel}, {"resolution", resolution},
                            {"steps", steps}, {"seed", seed}};
                    for (Object[] s : l2Only) {
                        if (s[1] != null) throw new IllegalArgumentException(s[0] + " applies to the L2 method only, not " + method);
                    }
                    if (perChannel && method != Method.UNIFORM) {
                        throw new IllegalArgumentException("per-channel applies to the L2 and UNIFORM methods, not " + method
                                + (method == Method.GPTQ ? " (GPTQ always has one step per output channel)" : ""));
                    }
                    o = CompressOptions.baseline(ratio, method.method, perChannel, keep, minElements, chunkSymbols, force);
                }
                yield closest ? o.withClosest() : o;
            }
        };
    }

    /** The network calibration of the L2 or GPTQ method, or null (data-free). */
    private NetworkCalibrationSettings network() throws L2cException {
        if (method == Method.GPTQ && calibration == null) {
            throw new IllegalArgumentException("the GPTQ method needs calibration data: set calibration(...) (and give an ONNX model)");
        }
        if (calibration == null) return null;
        if (method != Method.L2 && method != Method.GPTQ) {
            throw new IllegalArgumentException("calibration applies to the L2 and GPTQ methods only, not " + method);
        }
        return calibration.settings(method == Method.GPTQ);
    }
}
