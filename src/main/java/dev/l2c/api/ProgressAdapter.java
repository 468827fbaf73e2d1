package dev.l2c.api;

import dev.l2c.pipeline.Progress;

/** The pipeline's progress tasks reported to a {@link ProgressListener}. */
final class ProgressAdapter {
    private ProgressAdapter() {}

    static Progress of(ProgressListener listener) {
        if (listener == null || listener == ProgressListener.NONE) return Progress.NONE;
        return (stage, total, unit) -> new Progress.Task() {
            private long done;

            @Override
            public void advance(long amount) {
                done += amount;
                listener.progress(stage, done, total);
            }

            @Override
            public void close() {}
        };
    }
}
