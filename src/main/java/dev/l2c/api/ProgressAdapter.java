package dev.l2c.api;

import dev.l2c.pipeline.Progress;

/** The pipeline's progress tasks reported to a {@link ProgressListener}. */
final class ProgressAdapter {
    private ProgressAdapter() {}

    static Progress of(ProgressListener listener) {
        if (listener == null || listener == ProgressListener.NONE) return Progress.NONE;
        return (stage, total, unit) -> {
            // The pipeline counts bytes in units it shows as "MB"; a listener is told bytes.
            listener.started(stage, total, "MB".equals(unit) ? "bytes" : unit);
            return new Progress.Task() {
                private long done;

                @Override
                public void advance(long amount) {
                    done += amount;
                    listener.progress(stage, done, total);
                }

                @Override
                public void close() {
                    listener.finished(stage);
                }
            };
        };
    }

    /** Where the pipeline's notes go: the listener's {@link ProgressListener#note}, or nowhere. */
    static java.util.function.Consumer<String> notes(ProgressListener listener) {
        return listener == null ? note -> {} : listener::note;
    }
}
