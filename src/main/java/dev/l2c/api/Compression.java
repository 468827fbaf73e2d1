package dev.l2c.api;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.backend.Backends;
import dev.l2c.backend.CpuBackend;
import dev.l2c.backend.Device;
import dev.l2c.calib.CalibrationSettings;
import dev.l2c.pipeline.CompressOptions;
import dev.l2c.pipeline.CompressReport;
import dev.l2c.pipeline.Compressor;
import dev.l2c.transform.UniformQuantizer;
import java.nio.file.Path;

/**
 * How to compress a model, built in steps, then run on files with {@link #compress}:
 *
 * <pre>{@code
 * CompressionResult r = Compression.ratio(10).seed(1).threads(4).listener(myListener)
 *         .compress(Path.of("model.onnx"), Path.of("model.l2c"));
 * }</pre>
 *
 * The input is an ONNX model, a safetensors file or a Hugging Face model folder; the output
 * appears only when complete (a temporary file renamed into place). Ratio mode here is data-free
 * (calibration on data is the CLI's {@code --calib} for now).
 *
 * <p><b>Thread safety:</b> a {@code Compression} is a mutable description, not thread-safe; it may
 * run {@link #compress} for one file after another. Compressing from several threads at once is
 * not supported in this version: the native kernels' thread count is a process-wide setting.
 */
public final class Compression {
    private enum Mode { LOSSLESS, BITS, RATIO }

    private final Mode mode;
    private final int bits;
    private final double ratio;
    private boolean perChannel;
    private long seed;
    private int threads;
    private Device device = Device.CPU;
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
     * The learned transform at a target ratio, data-free ({@code --ratio}).
     *
     * @param ratio input bytes / output bytes to reach (within 2 %), above 1
     * @return a compression in that mode
     * @throws IllegalArgumentException a ratio outside (1, 1000000]
     */
    public static Compression ratio(double ratio) {
        if (!(ratio > 1) || ratio > 1e6) throw new IllegalArgumentException("ratio must be in (1, 1000000], got " + ratio);
        return new Compression(Mode.RATIO, 0, ratio);
    }

    /**
     * One quantization step (or transform) per output channel instead of per tensor.
     *
     * @param perChannel whether to; not for lossless mode
     * @return this
     */
    public Compression perChannel(boolean perChannel) {
        if (perChannel && mode == Mode.LOSSLESS) throw new IllegalArgumentException("per-channel needs bits or ratio mode");
        this.perChannel = perChannel;
        return this;
    }

    /**
     * The calibration seed of ratio mode: the same input and seed give the same bytes.
     *
     * @param seed any value (default 0)
     * @return this
     */
    public Compression seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * The CPU threads the kernels use.
     *
     * @param threads 1 to {@link CpuBackend#MAX_THREADS}, or 0 (the default) for all cores
     * @return this
     */
    public Compression threads(int threads) {
        if (threads < 0 || threads > CpuBackend.MAX_THREADS) {
            throw new IllegalArgumentException("threads must be in 0.." + CpuBackend.MAX_THREADS + ", got " + threads);
        }
        this.threads = threads;
        return this;
    }

    /**
     * Where the kernels run.
     *
     * @param device "cpu" (the default), "cuda", or "auto" (CUDA where a GPU is usable)
     * @return this
     * @throws L2cException an unknown device name
     */
    public Compression device(String device) throws L2cException {
        this.device = Device.parse(device);
        return this;
    }

    /**
     * Who hears how the work advances.
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
     * @return what was written
     * @throws L2cException bad input, a ratio out of reach, or an output that exists without
     *     {@link #force}; the message names the file, tensor or option at fault
     */
    public CompressionResult compress(Path input, Path output) throws L2cException {
        Backend backend = Backends.select(device, note -> {});
        if (threads > 0 && backend instanceof CpuBackend) backend = new CpuBackend(threads);
        CompressReport report = new Compressor(backend, ProgressAdapter.of(listener)).compress(input, output, options());
        long in = report.summary().sourceFileBytes();
        long out = report.summary().fileBytes();
        return new CompressionResult(output, in, out, out == 0 ? 0 : (double) in / out, report.seconds());
    }

    private CompressOptions options() {
        int chunk = CompressOptions.DEFAULT_CHUNK;
        long min = CompressOptions.DEFAULT_MIN_ELEMENTS;
        return switch (mode) {
            case LOSSLESS -> CompressOptions.lossless(null, min, chunk, force);
            case BITS -> CompressOptions.uniform(bits, perChannel, null, min, chunk, force);
            case RATIO -> {
                CalibrationSettings d = CalibrationSettings.defaults();
                CalibrationSettings s = new CalibrationSettings(d.kind(), perChannel, d.kernel(), d.resolution(), d.steps(),
                        d.learningRate(), d.lambda(), seed);
                yield CompressOptions.ratio(ratio, s, null, min, chunk, force);
            }
        };
    }
}
