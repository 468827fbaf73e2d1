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
     * Says how far a stage of the work is; {@code done} reaches {@code total} when it ends.
     *
     * @param stage what is being done ("compress", "calibrate", "checksums", "decode", ...)
     * @param done units done so far
     * @param total units in all (bytes for "compress" and "checksums", else tensors or steps)
     */
    void progress(String stage, long done, long total);
}
