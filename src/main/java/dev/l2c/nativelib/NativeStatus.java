package dev.l2c.nativelib;

/**
 * The status codes every native kernel returns (src/main/cpp/l2c/status.h), by their explicit
 * numbers. The messages come from the native table ({@code l2c::status_message}), the only one.
 */
public enum NativeStatus {
    OK(0),
    ERR_ARGUMENT(-1),
    ERR_TABLE(-2),
    ERR_SYMBOL(-3),
    ERR_OFFSETS(-4),
    ERR_TRUNCATED(-5),
    ERR_TRAILING(-6),
    ERR_STATE(-7),
    ERR_CAPACITY(-8),
    ERR_DEVICE(-9),
    ERR_ALLOC(-10),
    ERR_PARAMS(-11),
    ERR_NON_FINITE(-12),
    ERR_CODE_RANGE(-13),
    ERR_BIN_RANGE(-14);

    /** The number native code returns. */
    public final int code;

    NativeStatus(int code) {
        this.code = code;
    }

    /** The status with number {@code code}, or null for a number no kernel returns. */
    public static NativeStatus of(int code) {
        for (NativeStatus s : values()) if (s.code == code) return s;
        return null;
    }

    /** The native message of {@code code} with the number, e.g. "output buffer too small (status -8)". */
    public static String describe(int code) {
        return CpuKernels.l2c_status_message(code) + " (status " + code + ")";
    }
}
