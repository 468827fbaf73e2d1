package dev.l2c.counter;

/** Messages for the status codes of the native counter kernels (l2c::counter::Status). */
final class CounterStatus {
    private CounterStatus() {}

    static final int OK = 0;
    static final int ERR_NON_FINITE = -3;
    static final int ERR_CAPACITY = -8;

    static String describe(int status) {
        return switch (status) {
            case -1 -> "invalid argument";
            case -3 -> "a code is NaN or infinite";
            case -4 -> "the codes span more than 2^20 symbols";
            case -8 -> "probability buffer too small";
            case -9 -> "CUDA runtime error";
            case -10 -> "out of native memory";
            default -> "unknown status " + status;
        } + " (status " + status + ")";
    }
}
