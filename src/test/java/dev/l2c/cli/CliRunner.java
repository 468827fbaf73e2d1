package dev.l2c.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process and captures its exit code and output. */
record CliRunner(int exit, String out, String err) {
    static CliRunner run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 1];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--no-progress";
        int code = Main.run(needsNoProgress(args[0]) ? all : args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRunner(code, out.toString(), err.toString());
    }

    /** Lines of stderr that are not notes (such as the --device auto fallback). */
    static long errorLines(String err) {
        return err.strip().lines().filter(l -> !l.startsWith("l2c: note:")).count();
    }

    private static boolean needsNoProgress(String command) {
        return switch (command) {
            case "compress", "decompress", "verify", "demo", "eval", "zoo" -> true;
            default -> false;
        };
    }
}
