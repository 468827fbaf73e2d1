package dev.l2c.cli;

import dev.l2c.api.ComputeDevice;
import dev.l2c.api.ProgressListener;
import dev.l2c.backend.CpuBackend;
import dev.l2c.backend.Device;
import dev.l2c.nativelib.SimdLevel;
import dev.l2c.pipeline.Progress;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Options shared by the commands that run kernels. */
final class CommonOptions {
    @Option(names = "--device", converter = CliEnums.DeviceConverter.class, paramLabel = "D", defaultValue = "auto",
            description = "auto, cpu or cuda (default: ${DEFAULT-VALUE}); auto uses CUDA where a GPU is usable")
    Device device;

    /** Null: all cores. */
    Integer threads;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    // Checked as it is parsed, so every command refuses it before any work: OpenMP and libtorch
    // crashed the JVM when asked for thousands of threads.
    @Option(names = "--threads", paramLabel = "N", description = "CPU threads, 1.." + CpuBackend.MAX_THREADS + " (default: all cores)")
    void threads(int n) {
        threads = checkThreads(mixee.commandLine(), n);
    }

    @Option(names = "--no-progress", description = "no progress bars")
    boolean noProgress;

    /** Null: L2C_SIMD, else no cap. */
    String simd;

    // Checked as it is parsed, like --threads: a usage error comes before any file is looked at.
    @Option(names = "--simd", paramLabel = "LEVEL",
            description = "scalar, avx2 or avx512: the highest SIMD level of the CPU kernels (default: $L2C_SIMD, else the "
                    + "best this CPU runs); every level gives the same bits")
    void simd(String level) {
        if (SimdLevel.parse(level) == null) {
            throw new CommandLine.ParameterException(mixee.commandLine(),
                    "--simd must be " + SimdLevel.choices() + ", got '" + level + "'");
        }
        simd = level;
    }

    /** Caps the native kernels at --simd (else $L2C_SIMD), a process-wide setting; prints a note when clamped. */
    void applySimd(CommandLine.Model.CommandSpec spec) {
        try {
            String note = SimdSelection.apply(simd, System.getenv(SimdSelection.ENV));
            if (note != null) spec.commandLine().getErr().println("l2c: " + note);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** --device for the commands that run through dev.l2c.api. */
    ComputeDevice device() {
        return ComputeDevice.valueOf(device.name());
    }

    /** --threads for the API: 0 for all cores. */
    int threads() {
        return threads == null ? 0 : threads;
    }

    /** Progress bars on stderr (none with --no-progress) and notes as "l2c: note: ..." lines, for the API. */
    ProgressListener listener(CommandLine.Model.CommandSpec spec) {
        return new ConsoleListener(progress(), spec.commandLine().getErr());
    }

    /** {@code n} if it is a valid --threads value, else a usage error naming --threads. */
    static int checkThreads(CommandLine cl, int n) {
        if (n < 1 || n > CpuBackend.MAX_THREADS) {
            throw new CommandLine.ParameterException(cl, "--threads must be in 1.." + CpuBackend.MAX_THREADS + ", got " + n);
        }
        return n;
    }

    private Progress progress() {
        return noProgress ? Progress.NONE : Progress.console();
    }
}
