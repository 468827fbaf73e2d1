package dev.l2c.eval;

/** What every evaluation report gives besides its task's figures. */
public interface EvalSummary {
    /** The evaluated file (.l2c or .onnx). */
    String model();

    long modelBytes();

    /** The original ONNX model. */
    String original();

    long originalBytes();

    /** Time to decode a .l2c file into its ONNX Runtime session, 0 for an ONNX model. */
    double decompressSeconds();

    /** Wall time of the whole evaluation. */
    double seconds();
}
