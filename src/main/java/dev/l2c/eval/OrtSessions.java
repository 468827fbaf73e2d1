package dev.l2c.eval;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.l2c.L2cException;
import dev.l2c.model.OnnxModel;
import java.nio.file.Path;

/** ONNX Runtime sessions as the evaluators open and close them, every error naming the model file. */
final class OrtSessions {
    private OrtSessions() {}

    /** A session on {@code onnxModel} with {@code threads} intra-op threads. */
    static OrtSession open(Path onnxModel, int threads) throws L2cException {
        // ONNX Runtime follows links in external data locations: l2c's reader checks them first.
        OnnxModel.read(onnxModel).checkExternalLocations();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            return OrtEnvironment.getEnvironment().createSession(onnxModel.toString(), options);
        } catch (OrtException e) {
            throw new L2cException(onnxModel + ": ONNX Runtime cannot load the model (" + e.getMessage() + ")", e);
        }
    }

    /** Closes a session after a failed open: the first error is the one to report. */
    static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException ignored) {
            // The caller is already throwing the error that matters.
        }
    }

    static void close(OrtSession session, Path model) throws L2cException {
        try {
            session.close();
        } catch (OrtException e) {
            throw new L2cException(model + ": closing the ONNX Runtime session failed (" + e.getMessage() + ")", e);
        }
    }
}
