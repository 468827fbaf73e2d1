package dev.l2c.cli;

import dev.l2c.api.ProgressListener;
import dev.l2c.pipeline.Progress;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;

/**
 * The API's progress on the terminal: each stage a console bar (bytes shown in MB, as the
 * pipeline's own bars), and each note a line "l2c: note: ..." on stderr.
 */
final class ConsoleListener implements ProgressListener {
    private final Progress bars;
    private final PrintWriter err;
    private final Map<String, Progress.Task> tasks = new HashMap<>();
    private final Map<String, Long> done = new HashMap<>();

    ConsoleListener(Progress bars, PrintWriter err) {
        this.bars = bars;
        this.err = err;
    }

    @Override
    public void started(String stage, long total, String unit) {
        tasks.put(stage, bars.start(stage, total, "bytes".equals(unit) ? "MB" : unit));
        done.put(stage, 0L);
    }

    @Override
    public void progress(String stage, long now, long total) {
        Progress.Task task = tasks.get(stage);
        if (task == null) return;
        task.advance(now - done.put(stage, now));
    }

    @Override
    public void finished(String stage) {
        Progress.Task task = tasks.remove(stage);
        done.remove(stage);
        if (task != null) task.close();
    }

    @Override
    public void note(String message) {
        err.println("l2c: " + message);
    }
}
