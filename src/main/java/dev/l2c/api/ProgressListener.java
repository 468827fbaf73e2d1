package dev.l2c.api;

/**
 * Told how long work advances, and of choices made for the caller. Called on the thread that does
 * the work; it should return quickly and must not call back into the object that calls it. Only
 * {@link #progress} must be implemented; the other methods do nothing by default.
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

    /**
     * Says that a stage starts, before its first {@link #progress} call.
     *
     * @param stage what is being done
     * @param total units in all
     * @param unit what is counted: "bytes", or a plural noun such as "tensors", "steps" or
     *     "samples" (empty where nothing countable is done)
     */
    default void started(String stage, long total, String unit) {}

    /**
     * Says that a stage ended, whether or not {@code done} reached {@code total} (a failure, or a
     * search that stopped early).
     *
     * @param stage what was being done
     */
    default void finished(String stage) {}

    /**
     * Tells of a choice made for the caller that changes no result, such as {@link ComputeDevice#AUTO}
     * falling back to the CPU, and why.
     *
     * @param message one line, starting with "note:"
     */
    default void note(String message) {}
}
