package dev.l2c.codec;

/** Messages for the status codes of the native rANS kernels (l2c::rans::Status). */
public final class RansStatus {
    private RansStatus() {}

    public static final int OK = 0;
    public static final int ERR_SYMBOL = -3;

    public static String describe(int status) {
        return switch (status) {
            case -1 -> "invalid argument";
            case -2 -> "invalid frequency table";
            case -3 -> "symbol outside the alphabet or of frequency 0";
            case -4 -> "chunk offsets outside the payload, decreasing, or a chunk under 128 bytes or of odd size";
            case -5 -> "corrupt data: the chunk ends before its symbols do (truncated)";
            case -6 -> "corrupt data: the lane states do not return to their start or words are left over";
            case -7 -> "corrupt data: a stored lane state is out of range";
            case -8 -> "output buffer too small";
            case -9 -> "CUDA runtime error";
            case -10 -> "out of native memory";
            default -> "unknown status " + status;
        } + " (status " + status + ")";
    }
}
