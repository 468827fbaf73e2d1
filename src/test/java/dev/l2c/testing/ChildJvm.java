package dev.l2c.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the l2c CLI in a child JVM with the test's class path and the given JVM options (the
 * memory tests' small heaps), and reports its exit code, its output and its peak resident set.
 */
public final class ChildJvm {
    /** @param peakRssBytes the highest VmHWM seen while it ran (0 where /proc cannot tell) */
    public record Result(int exit, String output, long peakRssBytes) {}

    private ChildJvm() {}

    /** Runs {@code dev.l2c.cli.Main args} with {@code jvmOptions}; its output goes to a log in {@code dir}. */
    public static Result l2c(Path dir, List<String> jvmOptions, List<String> args, int timeoutSeconds) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.l2c.cli.Main"));
        command.addAll(args);
        return run(dir, command, timeoutSeconds);
    }

    /** Runs {@code command}; an AssertionError when it outlives {@code timeoutSeconds}. */
    public static Result run(Path dir, List<String> command, int timeoutSeconds) throws Exception {
        File log = Files.createTempFile(dir, "child", ".log").toFile();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
        builder.environment().put("OMP_WAIT_POLICY", "passive");
        Process p = builder.start();
        Path status = Path.of("/proc", Long.toString(p.pid()), "status");
        long peak = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!p.waitFor(50, TimeUnit.MILLISECONDS)) {
            peak = Math.max(peak, highWaterMark(status));
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + ": did not finish in " + timeoutSeconds + " s");
            }
        }
        return new Result(p.exitValue(), Files.readString(log.toPath(), StandardCharsets.UTF_8), peak);
    }

    private static long highWaterMark(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            // The process ended between the check and the read.
        }
        return 0;
    }
}
