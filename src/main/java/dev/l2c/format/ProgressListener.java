package dev.l2c.format;

/** Told how far a long pass over a file has come, in bytes. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (done, total) -> { };

    void progress(long doneBytes, long totalBytes);
}
