package dev.l2c.api;

import dev.l2c.L2cException;
import dev.l2c.codec.ValueType;
import dev.l2c.pipeline.DecompressOptions;
import dev.l2c.pipeline.DecompressReport;
import dev.l2c.pipeline.Decompressor;
import java.nio.file.Path;

/**
 * How to write a {@code .l2c} file back out as a model ({@code l2c decompress}), built in steps,
 * then run with {@link #decompress}: to safetensors, to ONNX through the original graph, or back
 * to the model folder it was made from. To use the weights in memory instead, open the file with
 * {@link L2cFile}.
 *
 * <pre>{@code
 * Decompression.toSafetensors().floatsAs(ElementType.BF16).decompress(Path.of("model.l2c"), Path.of("model.safetensors"));
 * }</pre>
 *
 * The output appears only when complete (a temporary file or folder renamed into place); one
 * tensor, or one batch of it, is in memory at a time, except for ONNX output, which is written
 * from all its initializers at once.
 *
 * <p><b>Thread safety:</b> a mutable description, not thread-safe; it may run {@link #decompress}
 * for one file after another.
 */
public final class Decompression {
    private enum Target { SAFETENSORS, ONNX, FOLDER }

    private final Target target;
    private final Path graph;
    private ElementType floatsAs;
    private int threads;
    private ComputeDevice device = ComputeDevice.CPU;
    private ProgressListener listener = ProgressListener.NONE;
    private boolean force;

    private Decompression(Target target, Path graph) {
        this.target = target;
        this.graph = graph;
    }

    /**
     * To one safetensors file, the file's attributes as its metadata.
     *
     * @return a decompression to set up further or run
     */
    public static Decompression toSafetensors() {
        return new Decompression(Target.SAFETENSORS, null);
    }

    /**
     * To an ONNX model: the graph stored in the file (a file made from an ONNX model holds it,
     * unless made with {@code --no-graph}) with each initializer the file holds given its decoded
     * values, in the initializer's own type. A file without a graph is an {@link L2cException}
     * when it runs.
     *
     * @return a decompression to set up further or run
     */
    public static Decompression toOnnx() {
        return new Decompression(Target.ONNX, null);
    }

    /**
     * To an ONNX model: the original graph with each initializer the file holds replaced by its
     * decoded values, in the initializer's own type.
     *
     * @param originalModel the ONNX model the file was made from
     * @return a decompression to set up further or run
     */
    public static Decompression toOnnx(Path originalModel) {
        if (originalModel == null) throw new IllegalArgumentException("originalModel is null (toOnnx() uses the graph stored in the file)");
        return new Decompression(Target.ONNX, originalModel);
    }

    /**
     * Back to the model folder the file was made from: every shard and other file where it was.
     * A file made from one model file is an {@link L2cException} when it runs.
     *
     * @return a decompression to set up further or run
     */
    public static Decompression toFolder() {
        return new Decompression(Target.FOLDER, null);
    }

    /**
     * The type every floating-point tensor is written as ({@code --dtype}). ONNX output and a
     * folder keep each tensor's own type: another one is an {@link L2cException} when it runs.
     *
     * @param type F32, F16 or BF16; null (the default) for each tensor's own type
     * @return this
     */
    public Decompression floatsAs(ElementType type) {
        if (type != null && type != ElementType.F32 && type != ElementType.F16 && type != ElementType.BF16) {
            throw new IllegalArgumentException("floats are written as F32, F16 or BF16, not " + type);
        }
        this.floatsAs = type;
        return this;
    }

    /**
     * The CPU threads of the decoder.
     *
     * @param threads 1 to 1024, or 0 (the default) for all cores
     * @return this
     */
    public Decompression threads(int threads) {
        this.threads = BackendChoice.checkThreads(threads);
        return this;
    }

    /**
     * Where the rANS decoder runs.
     *
     * @param device the device (default CPU)
     * @return this
     */
    public Decompression device(ComputeDevice device) {
        if (device == null) throw new IllegalArgumentException("device is null");
        this.device = device;
        return this;
    }

    /**
     * Who hears how the work advances ("decompress", in tensors or bytes), and the notes.
     *
     * @param listener the listener (null: none)
     * @return this
     */
    public Decompression listener(ProgressListener listener) {
        this.listener = listener == null ? ProgressListener.NONE : listener;
        return this;
    }

    /**
     * Whether to replace an existing output (else an existing output is an error).
     *
     * @param force whether to
     * @return this
     */
    public Decompression force(boolean force) {
        this.force = force;
        return this;
    }

    /**
     * Writes the model.
     *
     * @param input the {@code .l2c} file
     * @param output the safetensors file, ONNX file or folder to write
     * @return what was written
     * @throws dev.l2c.OutputExistsException the output exists and {@link #force} is not set
     * @throws L2cException a damaged file, a graph that does not fit it, a type the output cannot
     *     hold, an unusable device; the message names the file, tensor or option at fault
     */
    public DecompressionResult decompress(Path input, Path output) throws L2cException {
        ValueType type = floatsAs == null ? null : ValueType.valueOf(floatsAs.name());
        DecompressOptions options = new DecompressOptions(type, graph, force, target == Target.FOLDER, target == Target.ONNX);
        DecompressReport r = new Decompressor(BackendChoice.select(device, threads, listener), ProgressAdapter.of(listener))
                .decompress(input, output, options);
        return new DecompressionResult(output, r.tensors(), r.inputBytes(), r.outputBytes(), r.seconds());
    }
}
