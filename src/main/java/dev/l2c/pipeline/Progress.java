package dev.l2c.pipeline;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress reporting for long work: a console bar on stderr, or nothing. */
public interface Progress {
    Progress NONE = (name, total, unit) -> new Task() {
        @Override
        public void advance(long amount) {}

        @Override
        public void close() {}
    };

    /** Starts a task of {@code total} units: bytes when {@code unit} is "MB" (shown in MB), else items. */
    Task start(String name, long total, String unit);

    interface Task extends AutoCloseable {
        void advance(long amount);

        @Override
        void close();
    }

    static Progress console() {
        return (name, total, unit) -> {
            ProgressBarBuilder builder = new ProgressBarBuilder()
                    .setTaskName(name)
                    .setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err))
                    .setUpdateIntervalMillis(200);
            if ("MB".equals(unit)) builder.setUnit(" MB", 1_000_000L).showSpeed();
            ProgressBar bar = builder.build();
            return new Task() {
                @Override
                public void advance(long amount) {
                    bar.stepBy(amount);
                }

                @Override
                public void close() {
                    bar.close();
                }
            };
        };
    }
}
