package dev.l2c.transform;

/** Messages for the status codes of the native transform kernels (l2c::transform::Status). */
final class TransformStatus {
    private TransformStatus() {}

    static final int OK = 0;
    static final int ERR_NON_FINITE = -3;
    static final int ERR_RANGE = -4;

    static String describe(int status) {
        return switch (status) {
            case -1 -> "invalid argument";
            case -2 -> "invalid parameters (each must be finite and > 0, and b >= e for piecewise)";
            case -3 -> "a weight is NaN or infinite";
            case -4 -> "a code exceeds 2^30 in magnitude (the step is too small for the weights)";
            case -9 -> "CUDA runtime error";
            case -10 -> "out of native memory";
            default -> "unknown status " + status;
        } + " (status " + status + ")";
    }
}
