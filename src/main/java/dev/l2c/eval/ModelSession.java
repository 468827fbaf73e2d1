package dev.l2c.eval;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.l2c.L2cException;
import dev.l2c.model.OnnxModel;
import java.nio.file.Path;

/**
 * An open ONNX Runtime session as the evaluators run it, named by the file it came from, with
 * whatever must be freed after it (the decoded weights of a session made from a .l2c file).
 */
public final class ModelSession implements AutoCloseable {
    /** Opens the session of a model to evaluate, with {@code threads} intra-op threads. */
    @FunctionalInterface
    public interface Opener {
        ModelSession open(int threads) throws L2cException;
    }

    private final Path source;
    private final OrtSession session;
    /** Closes the session and frees what it runs on. */
    private final AutoCloseable owner;

    private ModelSession(Path source, OrtSession session, AutoCloseable owner) {
        this.source = source;
        this.session = session;
        this.owner = owner;
    }

    /** A session on the ONNX file {@code onnx} with {@code threads} intra-op threads. */
    public static ModelSession open(Path onnx, int threads) throws L2cException {
        // ONNX Runtime follows links in external data locations: l2c's reader checks them first,
        // from the graph's structure alone (the weights are ONNX Runtime's to read, once).
        OnnxModel.readGraph(onnx).checkExternalLocations();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            OrtSession session = OrtEnvironment.getEnvironment().createSession(onnx.toString(), options);
            return new ModelSession(onnx, session, session);
        } catch (OrtException e) {
            throw new L2cException(onnx + ": ONNX Runtime cannot load the model (" + e.getMessage() + ")", e);
        }
    }

    /** A session made elsewhere from {@code source}; {@code owner} closes it and frees its weights. */
    public static ModelSession of(Path source, OrtSession session, AutoCloseable owner) {
        return new ModelSession(source, session, owner);
    }

    /** The file the session came from: the name every error gives. */
    public Path source() {
        return source;
    }

    public OrtSession session() {
        return session;
    }

    @Override
    public void close() throws L2cException {
        try {
            owner.close();
        } catch (Exception e) {
            throw new L2cException(source + ": closing the ONNX Runtime session failed (" + e.getMessage() + ")", e);
        }
    }

    /** Closes after a failed open: the first error is the one to report. */
    void closeQuietly() {
        try {
            owner.close();
        } catch (Exception ignored) {
            // The caller is already throwing the error that matters.
        }
    }
}
