package dev.l2c.cli;

import dev.l2c.L2cException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine;

/** Checks of the files a command reads and writes, made before any work starts. */
final class PathChecks {
    private PathChecks() {}

    /** An empty path, or a root, names no file: a usage error naming its option. */
    static void notEmpty(CommandLine cl, String option, Path path) {
        if (path == null) return;
        if (path.toString().isEmpty()) throw new CommandLine.ParameterException(cl, option + ": the path is empty");
        if (path.getFileName() == null) throw new CommandLine.ParameterException(cl, option + ": " + path + " names no file");
    }

    /** An input must be a regular file (or a link to one); otherwise says what it is. */
    static void input(Path path) throws L2cException {
        if (Files.isRegularFile(path)) return;
        if (Files.isDirectory(path)) throw new L2cException(path + ": is a directory, not a file");
        if (Files.exists(path)) throw new L2cException(path + ": is not a regular file (a device, FIFO or socket)");
        throw new L2cException(path + ": no such file");
    }

    /** An input model: a regular file (or a link to one) or a folder. */
    static void inputFileOrFolder(Path path) throws L2cException {
        if (!Files.isDirectory(path)) input(path);
    }

    /**
     * Refuses {@code inner} when it lies inside the folder {@code outer} (or is it), following links
     * (null or a non-folder {@code outer} passes): an output inside the input folder would become
     * part of the next run's input, and an output folder that holds the input would replace it.
     */
    static void notInside(Path inner, String option, Path outer) throws L2cException {
        if (inner == null || outer == null || !Files.isDirectory(outer)) return;
        try {
            Path folder = outer.toRealPath();
            Path absolute = inner.toAbsolutePath().normalize();
            Path parent = absolute.getParent();
            Path real = Files.exists(absolute) ? absolute.toRealPath()
                    : parent != null && Files.exists(parent) ? parent.toRealPath().resolve(absolute.getFileName()) : absolute;
            if (real.startsWith(folder)) {
                throw new L2cException(inner + ": " + option + " lies inside the folder " + outer + "; refusing");
            }
        } catch (IOException e) {
            throw new L2cException(inner + ": cannot compare with " + outer + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses an output that is one of the inputs (null inputs are skipped): by file identity, so
     * a hard link or a symbolic link to an input counts; writing it would destroy the input.
     */
    static void notAnInput(Path output, String option, Path... inputs) throws L2cException {
        if (output == null) return;
        for (Path input : inputs) {
            if (input != null && sameFile(output, input)) {
                throw new L2cException(output + ": the output (" + option + ") is the input " + input + "; refusing to overwrite it");
            }
        }
    }

    /** Refuses two outputs of one command that would land in the same file. */
    static void distinctOutputs(Path a, String optionA, Path b, String optionB) throws L2cException {
        if (a == null || b == null) return;
        boolean same = a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize()) || sameFile(a, b);
        if (same) throw new L2cException(b + ": " + optionB + " names the same file as " + optionA);
    }

    private static boolean sameFile(Path a, Path b) throws L2cException {
        try {
            return Files.isSameFile(a, b);
        } catch (NoSuchFileException e) {
            return false; // one of them does not exist yet, so they cannot be one file
        } catch (IOException e) {
            throw new L2cException(a + ": cannot compare with " + b + ": " + e.getMessage(), e);
        }
    }
}
