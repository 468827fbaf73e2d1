package dev.l2c.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * CPU time of the benchmark thread, summed per iteration with the number of calls: JMH reports
 * both as secondary metrics ("cpuNanos", "calls"), and ResultTable turns them into elements per
 * CPU second. With one native thread the calling thread does all the work, so this figure holds
 * on a machine shared with other jobs, where the wall-clock score only shows the share it got.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class CpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public long cpuNanos;
    public long calls;

    @Setup(Level.Iteration)
    public void reset() {
        cpuNanos = 0;
        calls = 0;
    }

    static long now() {
        return THREADS.getCurrentThreadCpuTime();
    }

    void add(long startNanos) {
        cpuNanos += now() - startNanos;
        calls++;
    }
}
