package dev.l2c.backend;

import dev.l2c.L2cException;
import java.util.Locale;

/** The user's device choice (--device). */
public enum Device {
    AUTO,
    CPU,
    CUDA;

    /** Parses "auto", "cpu" or "cuda" (any case). */
    public static Device parse(String text) throws L2cException {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new L2cException("--device " + text + ": expected auto, cpu or cuda");
        }
    }
}
