package dev.l2c.eval;

/**
 * One image-classification evaluation: the original (fp32) model and the evaluated one on the same
 * test images.
 *
 * @param data the data set
 * @param n test images
 * @param model the evaluated file (.l2c or .onnx)
 * @param modelBytes its size
 * @param original the original ONNX model
 * @param originalBytes its size
 * @param originalResult the original's figures
 * @param modelResult the evaluated model's figures, agreement against the original
 * @param decompressSeconds time to decode a .l2c file into its ONNX Runtime session, 0 for an ONNX model
 * @param seconds wall time of the whole evaluation
 */
public record ClassificationReport(EvalData data, int n, String model, long modelBytes, String original,
        long originalBytes, ClassificationResult originalResult, ClassificationResult modelResult,
        double decompressSeconds, double seconds) implements EvalSummary {
    /** Size of the original ONNX file over the evaluated file's size. */
    public double ratio() {
        return (double) originalBytes / modelBytes;
    }
}
