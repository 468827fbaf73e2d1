package dev.l2c.api;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.l2c.L2cException;
import dev.l2c.io.Printable;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.onnx.proto.TensorProto;
import dev.l2c.nativelib.CpuKernels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;

/**
 * An ONNX Runtime session whose weights come straight from a {@code .l2c} file: each tensor is
 * decoded into a native buffer that ONNX Runtime uses as the initializer in place
 * ({@code SessionOptions.addInitializer}), and only the structure of the graph is handed over
 * (without its weights, a few hundred kB at most): the graph stored in the file, or that of the
 * original model. Nothing is written to disk and no weight is serialized: the fastest way from a
 * {@code .l2c} to a running model, where {@link L2cFile#onnxModel()} gives the whole model as
 * bytes. Where ONNX Runtime 1.22 refuses shared initializers (its graph optimizers read a
 * convolution's weights from the graph for fusions), the weights are handed over as external
 * initializers instead, which it copies once ({@link #weightsInPlace} says which). So that the
 * refusal is not printed as an error, the first session is made with ONNX Runtime's session log
 * at FATAL severity; an {@link OptionsSetup} may set another level.
 *
 * <pre>{@code
 * try (L2cFile file = L2cFile.open(Path.of("model.l2c"));
 *         OnnxRuntimeModel model = OnnxRuntimeModel.open(file, env, null)) {
 *     OrtSession.Result out = model.session().run(inputs);
 * }
 * }</pre>
 *
 * <p><b>Thread safety:</b> the session is as thread-safe as ONNX Runtime makes it (concurrent
 * {@code run} calls are allowed); {@link #close} must not race with them. The decoded weights live
 * until {@link #close}, which closes the session first.
 */
public final class OnnxRuntimeModel implements AutoCloseable {
    /** Sets up the session's options before the session is made (threads, providers, ...). */
    @FunctionalInterface
    public interface OptionsSetup {
        /**
         * Configures {@code options}.
         *
         * @param options the options the session will be made with
         * @throws OrtException ONNX Runtime refused a setting
         */
        void apply(OrtSession.SessionOptions options) throws OrtException;
    }

    static {
        // JavaCPP's runtime, which allocates and frees the weights' native memory (BytePointer).
        Loader.load(CpuKernels.class);
    }

    private final OrtSession session;
    private final List<OnnxTensor> weights;
    private final List<BytePointer> memory;
    private final boolean weightsInPlace;

    private OnnxRuntimeModel(OrtSession session, List<OnnxTensor> weights, List<BytePointer> memory, boolean weightsInPlace) {
        this.session = session;
        this.weights = weights;
        this.memory = memory;
        this.weightsInPlace = weightsInPlace;
    }

    /**
     * Decodes every tensor of {@code file} that is an initializer of {@code graph} and makes a session.
     *
     * @param file the open {@code .l2c} file (used only during this call)
     * @param graph the ONNX model the file was made from, or a copy of it without its weights;
     *     its initializers that the file does not hold keep their data from this file
     * @param env the ONNX Runtime environment
     * @param setup configures the session options (null: ONNX Runtime's defaults)
     * @return the model, to close when done
     * @throws L2cException the graph cannot be read, or a tensor of the file is not one of its
     *     initializers or differs in type or shape (the message names the file and tensor)
     * @throws OrtException ONNX Runtime refused the model or a setting
     */
    public static OnnxRuntimeModel open(L2cFile file, Path graph, OrtEnvironment env, OptionsSetup setup)
            throws L2cException, OrtException {
        return open(file, OnnxModel.readGraph(graph), graph.toString(), env, setup);
    }

    /**
     * Decodes every tensor of {@code file} and makes a session of the ONNX graph stored in the file
     * ({@link L2cFile#hasOnnxGraph}): the file alone, no original model.
     *
     * @param file the open {@code .l2c} file (used only during this call)
     * @param env the ONNX Runtime environment
     * @param setup configures the session options (null: ONNX Runtime's defaults)
     * @return the model, to close when done
     * @throws L2cException the file holds no graph (made from safetensors, or with
     *     {@code --no-graph}), or is damaged (the message names the file and tensor)
     * @throws OrtException ONNX Runtime refused the model or a setting
     */
    public static OnnxRuntimeModel open(L2cFile file, OrtEnvironment env, OptionsSetup setup) throws L2cException, OrtException {
        return open(file, file.storedGraph(), file.path() + " (stored graph)", env, setup);
    }

    private static OnnxRuntimeModel open(L2cFile file, OnnxModel model, String graph, OrtEnvironment env, OptionsSetup setup)
            throws L2cException, OrtException {
        Map<String, TensorProto> initializers = new HashMap<>();
        for (TensorProto t : model.proto().getGraph().getInitializerList()) initializers.put(t.getName(), t);
        List<OnnxTensor> weights = new ArrayList<>();
        List<BytePointer> memory = new ArrayList<>();
        Map<String, OnnxTensorLike> supplied = new LinkedHashMap<>();
        try {
            for (TensorEntry e : file.tensors()) {
                TensorProto init = initializers.get(e.name());
                checkFits(file, graph, e, init);
                OnnxJavaType type = onnxType(e.type());
                if (type == null) continue; // no ONNX Runtime buffer type: the graph's own data stays
                ByteBuffer data = allocate(e.decodedBytes(null), memory);
                file.decodeInto(e.name(), null, data);
                OnnxTensor tensor = OnnxTensor.createTensor(env, data.flip(), e.shape(), type);
                weights.add(tensor);
                supplied.put(e.name(), tensor);
            }
            byte[] structure = model.toBytesWithout(supplied.keySet());
            OrtSession session = sharedSession(env, structure, supplied, setup);
            boolean inPlace = session != null;
            if (session == null) session = externalSession(env, structure, supplied, setup);
            return new OnnxRuntimeModel(session, weights, memory, inPlace);
        } catch (L2cException | OrtException | RuntimeException e) {
            free(weights, memory);
            throw e;
        }
    }

    /**
     * The session on {@code graph} with the {@code supplied} weights as shared initializers
     * ({@code addInitializer}), which ONNX Runtime uses in place: the MiniLM session is made in
     * about 45 ms so, where {@code addExternalInitializers} (ONNX Runtime 1.22) copies every tensor
     * into the graph's protobuf first, 130-180 ms. Null where 1.22 refuses: its graph optimizers read
     * some initializers (a convolution's, for fusions) from the graph itself, where a shared one has
     * no data ("model_path must not be empty"; fixed in onnxruntime PR 29349).
     */
    private static OrtSession sharedSession(OrtEnvironment env, byte[] graph, Map<String, OnnxTensorLike> supplied,
            OptionsSetup setup) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            // A refusal is expected and handled: ONNX Runtime must not print it as an error (the
            // caller's setup may set another level).
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            if (setup != null) setup.apply(options);
            for (Map.Entry<String, OnnxTensorLike> w : supplied.entrySet()) options.addInitializer(w.getKey(), w.getValue());
            return env.createSession(graph, options);
        } catch (OrtException refused) {
            return null; // the external initializers' session below reports what is wrong, if anything is
        }
    }

    /** The session on {@code graph} with the {@code supplied} weights as external initializers, which ONNX Runtime copies. */
    private static OrtSession externalSession(OrtEnvironment env, byte[] graph, Map<String, OnnxTensorLike> supplied,
            OptionsSetup setup) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            if (setup != null) setup.apply(options);
            options.addExternalInitializers(supplied);
            return env.createSession(graph, options);
        }
    }

    /**
     * {@code bytes} of native memory that {@link #close} frees at once: a service that opens models
     * one after another must not hold hundreds of MB until a garbage collection frees direct buffers.
     */
    private static ByteBuffer allocate(long bytes, List<BytePointer> memory) {
        if (bytes > Integer.MAX_VALUE) throw new IllegalArgumentException("a tensor of " + bytes + " bytes exceeds a Java buffer");
        if (bytes == 0) return ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder());
        BytePointer p = new BytePointer(bytes);
        memory.add(p);
        return p.capacity(bytes).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    private static void free(List<OnnxTensor> weights, List<BytePointer> memory) {
        for (OnnxTensor t : weights) t.close();
        for (BytePointer p : memory) p.close();
    }

    private static void checkFits(L2cFile file, String graph, TensorEntry e, TensorProto init) throws L2cException {
        String name = Printable.escape(e.name());
        if (init == null) throw new L2cException(file.path() + ": tensor " + name + " is no initializer of " + graph);
        long[] dims = init.getDimsList().stream().mapToLong(Long::longValue).toArray();
        if (init.getDataType() != e.type().dtype().onnxCode() || !Arrays.equals(dims, e.shape())) {
            throw new L2cException(file.path() + ": tensor " + name + " is " + e.type() + " " + Arrays.toString(e.shape())
                    + " where " + graph + " has ONNX type " + init.getDataType() + " " + Arrays.toString(dims));
        }
    }

    /** The ONNX Runtime buffer type of {@code type}, or null where it has none. */
    private static OnnxJavaType onnxType(ElementType type) {
        return switch (type) {
            case F64 -> OnnxJavaType.DOUBLE;
            case F32 -> OnnxJavaType.FLOAT;
            case F16 -> OnnxJavaType.FLOAT16;
            case BF16 -> OnnxJavaType.BFLOAT16;
            case I64 -> OnnxJavaType.INT64;
            case I32 -> OnnxJavaType.INT32;
            case I16 -> OnnxJavaType.INT16;
            case I8 -> OnnxJavaType.INT8;
            case U8 -> OnnxJavaType.UINT8;
            case BOOL -> OnnxJavaType.BOOL;
            case U64, U32, U16 -> null;
        };
    }

    /**
     * The session, valid until {@link #close}.
     *
     * @return the ONNX Runtime session
     */
    public OrtSession session() {
        return session;
    }

    /**
     * Whether ONNX Runtime runs on the decoded weights in place (shared initializers), or made its
     * own copy of them (external initializers: where ONNX Runtime 1.22's graph optimizers read
     * weights from the graph, such as a convolution's for fusions).
     *
     * @return true if the session holds no second copy of the weights
     */
    public boolean weightsInPlace() {
        return weightsInPlace;
    }

    /**
     * Closes the session, then frees the decoded weights (their native memory at once).
     *
     * @throws OrtException ONNX Runtime failed to close the session (the weights are freed anyway)
     */
    @Override
    public void close() throws OrtException {
        try {
            session.close();
        } finally {
            free(weights, memory);
        }
    }
}
