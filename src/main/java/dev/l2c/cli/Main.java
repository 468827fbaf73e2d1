package dev.l2c.cli;

import dev.l2c.L2cException;
import dev.l2c.io.Printable;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The l2c command line. Exit codes: 0 success, 2 usage error, 1 any other failure, reported as
 * one line that names the file, tensor or option at fault.
 */
@Command(
        name = "l2c",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Lossy and lossless post-training model size compression.",
        subcommands = {
            CompressCommand.class,
            DecompressCommand.class,
            InspectCommand.class,
            VerifyCommand.class,
            CompareCommand.class,
            EvalCommand.class,
            DemoCommand.class,
            ChartCommand.class,
            ZooCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(args, out, err);
        // Auto-flush acts on println only: a report printed whole with print() would be lost at exit.
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the CLI with the given streams and returns the exit code (tests call this directly). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        // A usage error is one line too, not the whole help: it names the option, then where the help is.
        cli.setParameterExceptionHandler((ex, arguments) -> {
            String command = ex.getCommandLine().getCommandSpec().qualifiedName();
            err.println("l2c: " + Printable.escape(ex.getMessage()) + " (see '" + command + " --help')");
            err.flush();
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            // Messages quote names from input files: escaped, so they cannot drive the terminal.
            if (ex instanceof L2cException) {
                err.println("l2c: " + Printable.escape(ex.getMessage()));
            } else {
                err.println("l2c: internal error: " + Printable.escape(String.valueOf(ex)));
                if (System.getenv("L2C_DEBUG") != null) ex.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli passes Errors through its handlers: caught here, so the user gets one line, not a trace.
            err.println("l2c: out of memory (" + Printable.escape(e.getMessage()) + "; raise -Xmx via L2C_JAVA_OPTS)");
            err.flush();
            return 1;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"l2c " + dev.l2c.Version.VERSION, simd()};
        }

        /** The SIMD levels, or why the native kernels cannot tell them. */
        private static String simd() {
            try {
                return SimdSelection.describe(System.getenv(SimdSelection.ENV));
            } catch (LinkageError e) {
                return "SIMD: unknown, the native kernels did not load: " + e.getMessage();
            }
        }
    }
}
