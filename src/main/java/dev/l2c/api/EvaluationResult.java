package dev.l2c.api;

import java.nio.file.Path;

/**
 * What {@link Evaluation#evaluate} measured: the model judged and its original, run on the same
 * task and data in ONNX Runtime. The task's own figures are in {@link RetrievalEvaluation} (the
 * WordNet retrieval task) and {@link ClassificationEvaluation} (Fashion-MNIST).
 *
 * <p><b>Thread safety:</b> immutable.
 */
public sealed interface EvaluationResult permits EvaluationFigures {
    /**
     * The file judged.
     *
     * @return the {@code .l2c} or ONNX file
     */
    Path model();

    /**
     * Its size.
     *
     * @return bytes
     */
    long modelBytes();

    /**
     * The original model it is judged against.
     *
     * @return the ONNX file
     */
    Path originalModel();

    /**
     * The original's size.
     *
     * @return bytes
     */
    long originalBytes();

    /**
     * The original's size over the judged file's.
     *
     * @return the compression ratio
     */
    default double ratio() {
        return (double) originalBytes() / modelBytes();
    }

    /**
     * The time to decode a {@code .l2c} file into its ONNX Runtime session.
     *
     * @return seconds, 0 for an ONNX model
     */
    double decodeSeconds();

    /**
     * The whole evaluation's wall time.
     *
     * @return seconds
     */
    double seconds();

    /**
     * The report {@code l2c eval} prints, as text or JSON.
     *
     * @return the report
     */
    Report report();
}
