package dev.l2c;

/**
 * The one checked exception of l2c: bad input, corrupt files, failed native calls. Its message
 * names the file, tensor, section or option at fault, so the CLI can print it as one line.
 */
public class L2cException extends Exception {
    public L2cException(String message) {
        super(message);
    }

    public L2cException(String message, Throwable cause) {
        super(message, cause);
    }
}
