package dev.l2c.api;

/**
 * Told how long work advances. Called on the thread that does the work; it should return quickly
 * and must not call back into the object that calls it.
 */
@FunctionalInterface
public interface ProgressListener {
    /** A listener that ignores everything. */
    ProgressListener NONE = (stage, done, total) -> {};

    /**
     * {@code done} of {@code total} units of {@code stage} are done (bytes for "compress" and
     * "decode", tensors or steps for the others); called with {@code done == total} when it ends.
     */
    void progress(String stage, long done, long total);
}
