package dev.l2c.api;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.codec.ValueType;
import dev.l2c.folder.FolderLayout;
import dev.l2c.format.L2cReader;
import dev.l2c.format.TensorInfo;
import dev.l2c.graph.Tensors;
import dev.l2c.io.Printable;
import dev.l2c.model.DType;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.StoredGraph;
import dev.l2c.model.Tensor;
import dev.l2c.pipeline.ContainerSummary;
import dev.l2c.pipeline.Inspector;
import dev.l2c.pipeline.TensorDecoder;
import dev.l2c.pipeline.Verifier;
import dev.l2c.pipeline.VerifyReport;
import dev.l2c.pipeline.WeightComparison;
import dev.l2c.report.ReportText;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bytedeco.javacpp.BytePointer;

/**
 * A {@code .l2c} file opened for reading: its tensors, and each decoded into a buffer on request.
 * Opening reads and checks the header, footer and index; a tensor's payload is read (and its
 * checksums checked) when it is decoded: into a new buffer, the caller's buffer, or a libtorch
 * tensor. Decoding runs on the CPU, or on the device the file was opened for
 * ({@link #open(Path, ComputeDevice, int, ProgressListener)}).
 *
 * <p><b>Thread safety:</b> an {@code L2cFile} is not thread-safe: it reuses its read and decode
 * buffers from call to call. Use one per thread (opening is cheap: the index only), or guard it.
 * {@link TensorEntry} values are immutable and may be shared.
 */
public final class L2cFile implements AutoCloseable {
    private final Path path;
    private final L2cReader reader;
    private final TensorDecoder decoder;
    private final Map<String, TensorInfo> infos = new LinkedHashMap<>();
    private final List<TensorEntry> tensors;
    private final boolean folder;
    private final int threads;
    private boolean closed;

    private L2cFile(Path path, L2cReader reader, TensorDecoder decoder, Set<String> blobs, boolean folder, int threads) {
        this.path = path;
        this.threads = threads;
        this.reader = reader;
        this.decoder = decoder;
        this.folder = folder;
        List<TensorEntry> list = new ArrayList<>();
        for (TensorInfo t : reader.tensors()) {
            if (blobs.contains(t.name())) continue;
            infos.put(t.name(), t);
            list.add(new TensorEntry(t.name(), t.shape(), ElementType.valueOf(t.dtype().name()), form(t), reader.storedBytes(t)));
        }
        this.tensors = Collections.unmodifiableList(list);
    }

    /**
     * Opens a {@code .l2c} file: reads and checks its header, footer and index.
     *
     * @param path the file
     * @return the open file, to close when done
     * @throws L2cException the file cannot be read or is no valid {@code .l2c} (the message says what is wrong)
     */
    public static L2cFile open(Path path) throws L2cException {
        return open(path, 0);
    }

    /**
     * Opens a {@code .l2c} file whose tensors are decoded with {@code threads} CPU threads.
     *
     * @param path the file
     * @param threads 1 to 1024, or 0 for all cores
     * @return the open file, to close when done
     * @throws L2cException the file cannot be read or is no valid {@code .l2c} (the message says what is wrong)
     */
    public static L2cFile open(Path path, int threads) throws L2cException {
        return open(path, BackendChoice.select(ComputeDevice.CPU, BackendChoice.checkThreads(threads), ProgressListener.NONE), threads);
    }

    /**
     * Opens a {@code .l2c} file whose rANS payloads are decoded on {@code device}.
     *
     * @param path the file
     * @param device where the rANS decoder runs ({@link ComputeDevice#AUTO}: CUDA where usable)
     * @param threads the CPU decoder's threads, 1 to 1024, or 0 for all cores
     * @param listener hears the notes, such as AUTO's fall back to the CPU (null: nobody)
     * @return the open file, to close when done
     * @throws L2cException the file cannot be read or is no valid {@code .l2c}, or the device is unusable
     */
    public static L2cFile open(Path path, ComputeDevice device, int threads, ProgressListener listener) throws L2cException {
        if (device == null) throw new IllegalArgumentException("device is null");
        return open(path, BackendChoice.select(device, BackendChoice.checkThreads(threads), listener), threads);
    }

    private static L2cFile open(Path path, Backend backend, int threads) throws L2cException {
        L2cReader reader = L2cReader.open(path);
        try {
            FolderLayout layout = FolderLayout.of(path.toString(), reader.attributes());
            TensorDecoder decoder = new TensorDecoder(path.toString(), reader, backend.rans());
            return new L2cFile(path, reader, decoder, layout == null ? Set.of() : layout.blobs(), layout != null, threads);
        } catch (L2cException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    private static StoredForm form(TensorInfo t) {
        return switch (t.kind()) {
            case RAW -> StoredForm.RAW;
            case QUANTIZED -> StoredForm.QUANTIZED;
            case LOSSLESS_FLOAT -> StoredForm.LOSSLESS;
        };
    }

    /**
     * Where it was opened from.
     *
     * @return the path given to {@link #open}
     */
    public Path path() {
        return path;
    }

    /**
     * The model's tensors.
     *
     * @return every tensor in file order (for a file made from a model folder, its shards'
     *     tensors); unmodifiable
     */
    public List<TensorEntry> tensors() {
        return tensors;
    }

    /**
     * Looks a tensor up by name.
     *
     * @param name the tensor's name
     * @return the tensor, or empty if the file has none of that name
     */
    public Optional<TensorEntry> find(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /**
     * The file's attributes, as recorded at compression.
     *
     * @return producer, source file, mode and the like; unmodifiable
     */
    public Map<String, String> attributes() {
        Map<String, String> a = new LinkedHashMap<>(reader.attributes());
        a.remove(FolderLayout.ATTRIBUTE);
        a.remove(StoredGraph.ATTRIBUTE);
        return Collections.unmodifiableMap(a);
    }

    /**
     * Whether the file holds the graph of the ONNX model it was made from (docs/FORMAT.md, "ONNX
     * graphs"), so that {@link #onnxModel()} and {@link OnnxRuntimeModel#open(L2cFile,
     * ai.onnxruntime.OrtEnvironment, OnnxRuntimeModel.OptionsSetup)} need nothing else.
     *
     * @return true for a file made from an ONNX model without {@code --no-graph}
     */
    public boolean hasOnnxGraph() {
        return reader.attributes().containsKey(StoredGraph.ATTRIBUTE);
    }

    /** The stored graph, checked against the file's tensors; an L2cException where there is none. */
    OnnxModel storedGraph() throws L2cException {
        OnnxModel model = StoredGraph.read(path, reader.attributes(), infos.keySet());
        if (model == null) {
            throw new L2cException(path + ": holds no ONNX graph (made from safetensors, or with --no-graph): "
                    + "give the original model");
        }
        return model;
    }

    /**
     * Whether the file was made from a model folder.
     *
     * @return true if {@code l2c decompress} writes a folder back from it
     */
    public boolean isFolder() {
        return folder;
    }

    /**
     * The file's size.
     *
     * @return its bytes
     */
    public long fileBytes() {
        return reader.fileSize();
    }

    /**
     * Decodes a tensor in its own type, as {@link #decode(String, ElementType)} with null.
     *
     * @param name the tensor
     * @return a new direct little-endian buffer holding its elements
     * @throws L2cException the file is damaged (the message names the file and tensor)
     */
    public ByteBuffer decode(String name) throws L2cException {
        return decode(name, null);
    }

    /**
     * Decodes tensor {@code name} into a new direct little-endian buffer, as elements of type
     * {@code as}: F32, F16 or BF16 for a floating-point tensor (rounded to nearest even where
     * narrower), or null (or its own type) for the type it was compressed from.
     *
     * @param name the tensor
     * @param as the element type to decode to, or null
     * @return a new direct little-endian buffer holding its elements
     * @throws IllegalArgumentException no such tensor, or a type it cannot be decoded to
     * @throws L2cException the file is damaged (the message names the file and tensor)
     */
    public ByteBuffer decode(String name, ElementType as) throws L2cException {
        TensorInfo t = info(name);
        ValueType type = valueType(t, as);
        long bytes = decoder.decodedBytes(t, type);
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
        write(t, type, out);
        return out.flip();
    }

    /**
     * Decodes tensor {@code name} as {@link #decode(String, ElementType)} does, into {@code dst}
     * from its position on (little-endian elements); the position advances by the bytes written.
     *
     * @param name the tensor
     * @param as the element type to decode to, or null for its own
     * @param dst where the elements go
     * @throws L2cException the file is damaged (the message names the file and tensor)
     * @throws IllegalArgumentException no such tensor, a type it cannot be decoded to, or a
     *     read-only {@code dst} with fewer bytes remaining than the tensor needs
     */
    public void decodeInto(String name, ElementType as, ByteBuffer dst) throws L2cException {
        TensorInfo t = info(name);
        ValueType type = valueType(t, as);
        long bytes = decoder.decodedBytes(t, type);
        if (dst.isReadOnly()) throw new IllegalArgumentException("the destination buffer is read-only");
        if (dst.remaining() < bytes) {
            throw new IllegalArgumentException("tensor " + Printable.escape(name) + " needs " + bytes + " bytes, the buffer has "
                    + dst.remaining());
        }
        write(t, type, dst);
    }

    /**
     * Decodes a floating-point tensor as float32 values.
     *
     * @param name the tensor
     * @return its values
     * @throws L2cException the file is damaged (the message names the file and tensor)
     */
    public FloatBuffer decodeFloats(String name) throws L2cException {
        return decode(name, ElementType.F32).asFloatBuffer();
    }

    /**
     * Decodes tensor {@code name} into a new libtorch CPU tensor of its shape, as elements of type
     * {@code as} (see {@link #decode(String, ElementType)}): the decoder writes straight into the
     * tensor's memory, no copy. The tensor belongs to the caller: {@code close()} it, or make it
     * inside a {@code PointerScope}.
     *
     * @param name the tensor
     * @param as the element type to decode to, or null for its own
     * @return a contiguous CPU tensor holding the same bits as {@link #decode(String, ElementType)}
     * @throws L2cException the file is damaged (the message names the file and tensor)
     * @throws IllegalArgumentException no such tensor, a type it cannot be decoded to, or a tensor
     *     of 2 GiB or more
     */
    public org.bytedeco.pytorch.Tensor decodeTensor(String name, ElementType as) throws L2cException {
        TensorInfo t = info(name);
        ValueType type = valueType(t, as);
        long bytes = decoder.decodedBytes(t, type);
        // A java.nio buffer over the tensor's memory is what the decoder writes into: at most 2 GiB.
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor " + Printable.escape(name) + " decodes to " + bytes
                    + " bytes; decodeTensor takes tensors under 2 GiB");
        }
        DType dtype = type == null ? DType.valueOf(t.dtype().name()) : DType.valueOf(type.name());
        org.bytedeco.pytorch.Tensor out = Tensors.empty(dtype, t.shape());
        try {
            if (bytes > 0) write(t, type, new BytePointer(out.data_ptr()).capacity(bytes).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
            return out;
        } catch (L2cException | RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /**
     * Decodes tensor {@code name} as {@link #decodeTensor(String, ElementType)} does, then moves it
     * to {@code device} (decoding itself runs on the CPU). A CUDA device needs a libtorch built
     * with CUDA on the class path (the Bytedeco {@code pytorch} presets' {@code -gpu} natives;
     * l2c's own build ships the CPU ones) and a GPU: {@code torch.cuda_is_available()} says.
     *
     * @param name the tensor
     * @param as the element type to decode to, or null for its own
     * @param device where the tensor goes, such as {@code new Device("cuda:0")}
     * @return a tensor on {@code device}, owned by the caller
     * @throws L2cException the file is damaged, or libtorch cannot move the tensor there
     * @throws IllegalArgumentException no such tensor, or a type it cannot be decoded to
     */
    public org.bytedeco.pytorch.Tensor decodeTensor(String name, ElementType as, org.bytedeco.pytorch.Device device)
            throws L2cException {
        org.bytedeco.pytorch.Tensor cpu = decodeTensor(name, as);
        if (device.is_cpu()) return cpu;
        try (cpu) {
            return cpu.to(device, Tensors.type(cpu));
        } catch (RuntimeException e) {
            throw new L2cException(path + ": tensor " + Printable.escape(name) + ": cannot move it to " + device.str().getString()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * An ONNX model whose initializers come from this file: {@code graph} (the original model, or
     * a copy of it without its weights) with every initializer this file holds replaced by its
     * decoded values in the initializer's own type, serialized in memory for
     * {@code OrtEnvironment.createSession(byte[])}: no temporary file. Of {@code graph} only the
     * structure is read, not the weights it holds, unless an initializer is missing from this file.
     *
     * @param graph the ONNX model the file was made from (or its graph)
     * @return the serialized model
     * @throws L2cException the graph cannot be read, does not fit the file's tensors, keeps
     *     other initializers in external data files, or would exceed protobuf's 2 GiB
     */
    public byte[] onnxModel(Path graph) throws L2cException {
        return onnxModel(OnnxModel.readGraph(graph));
    }

    /**
     * The ONNX model this file was made from, with its weights decoded from this file, from the
     * graph stored in the file ({@link #hasOnnxGraph}), serialized in memory as
     * {@link #onnxModel(Path)} does.
     *
     * @return the serialized model
     * @throws L2cException the file holds no graph, is damaged, or the model would exceed
     *     protobuf's 2 GiB
     */
    public byte[] onnxModel() throws L2cException {
        return onnxModel(storedGraph());
    }

    private byte[] onnxModel(OnnxModel model) throws L2cException {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (TensorEntry e : tensors) {
            ByteBuffer data = decode(e.name());
            weights.put(e.name(), new Tensor(e.name(), e.type().dtype(), e.shape(), data));
        }
        return model.toBytes(weights);
    }

    /**
     * Measures each float tensor of {@code originalModel} against its decoded copy in this file
     * ({@code l2c compare}).
     *
     * @param originalModel the ONNX or safetensors model the file was made from
     * @return each tensor's relative error and their sum
     * @throws L2cException the model cannot be read, or a tensor of it is missing here or differs
     *     in size (the message names the tensor), or this file is damaged
     */
    public WeightErrors compareWith(Path originalModel) throws L2cException {
        checkOpen();
        if (originalModel == null) throw new IllegalArgumentException("originalModel is null");
        return new WeightErrors(WeightComparison.compare(path.toString(), reader, decoder, originalModel));
    }

    /** Receives the tensors of {@link #decodeAll}. */
    @FunctionalInterface
    public interface TensorConsumer {
        /**
         * Takes one decoded tensor.
         *
         * @param tensor which tensor
         * @param data its elements, valid only during the call: copy what you keep
         * @throws L2cException to stop decoding with that error
         */
        void accept(TensorEntry tensor, ByteBuffer data) throws L2cException;
    }

    /**
     * Decodes every tensor in file order and hands each to {@code consumer}, one at a time (only
     * one is in memory); float tensors as {@code floatsAs} (null: their own type), others as they
     * are.
     *
     * @param floatsAs F32, F16 or BF16 for the floating-point tensors, or null for their own types
     * @param consumer takes each tensor
     * @param listener hears "decode" in tensors (null: nobody)
     * @throws L2cException the file is damaged, or {@code consumer} failed
     */
    public void decodeAll(ElementType floatsAs, TensorConsumer consumer, ProgressListener listener) throws L2cException {
        if (floatsAs != null && !floatsAs.isFloat()) {
            throw new IllegalArgumentException("floats decode to F32, F16 or BF16, not " + floatsAs);
        }
        int done = 0;
        for (TensorEntry e : tensors) {
            consumer.accept(e, decode(e.name(), e.type().isFloat() ? floatsAs : null));
            if (listener != null) listener.progress("decode", ++done, tensors.size());
        }
    }

    /**
     * Checks every checksum of the file and decodes every tensor without keeping it (as
     * {@code l2c verify}), on the CPU.
     *
     * @param listener hears "checksums" in bytes, then "decode" in entries
     * @return what was checked
     * @throws L2cException at the first damage found, naming it
     */
    public Verification verify(ProgressListener listener) throws L2cException {
        return verify(ComputeDevice.CPU, listener);
    }

    /**
     * Checks every checksum of the file and decodes every tensor without keeping it (as
     * {@code l2c verify}), on {@code device} (the CPU with the threads it was opened with).
     *
     * @param device where the rANS decoder runs
     * @param listener hears "checksums" in bytes, then "decode" in entries, and the notes
     * @return what was checked
     * @throws L2cException at the first damage found, naming it, or an unusable device
     */
    public Verification verify(ComputeDevice device, ProgressListener listener) throws L2cException {
        checkOpen();
        if (device == null) throw new IllegalArgumentException("device is null");
        VerifyReport r = new Verifier(BackendChoice.select(device, threads, listener), ProgressAdapter.of(listener)).verify(path);
        return new Verification(r.tensors(), r.elements(), r.seconds());
    }

    /**
     * The file's report, as {@code l2c inspect} prints it (text) and {@code l2c inspect --json}
     * gives it: per tensor its shape, stored form, transform, stored bytes, bits per weight, ratio
     * and zero fraction; the totals; for a folder, each of its files.
     *
     * @return the report, read from the index (and the payloads of small quantized tensors)
     * @throws L2cException the file is damaged, naming it
     */
    public Report report() throws L2cException {
        checkOpen();
        ContainerSummary summary = Inspector.inspect(path, reader);
        return new Report(out -> ReportText.printSummary(out, summary), summary);
    }

    /** Closes the file; later calls on it throw {@link IllegalStateException}. Closing twice is harmless. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        reader.close();
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException(path + " is closed");
    }

    private TensorInfo info(String name) {
        checkOpen();
        TensorInfo t = infos.get(name);
        if (t == null) throw new IllegalArgumentException(path + ": no tensor named " + Printable.escape(name));
        return t;
    }

    private static ValueType valueType(TensorInfo t, ElementType as) {
        DType original = DType.valueOf(t.dtype().name());
        if (as == null || as.dtype() == original) return null;
        if (!original.isFloat() || !as.isFloat() || as == ElementType.F64) {
            throw new IllegalArgumentException("tensor " + Printable.escape(t.name()) + " is " + original
                    + " and cannot be decoded as " + as + " (floating-point tensors decode to F32, F16 or BF16)");
        }
        return ValueType.valueOf(as.name());
    }

    private void write(TensorInfo t, ValueType type, ByteBuffer dst) throws L2cException {
        try {
            decoder.decodeInto(t, type, dst);
        } catch (IOException e) {
            throw new L2cException(path + ": tensor " + Printable.escape(t.name()) + ": " + e.getMessage(), e);
        }
    }
}
