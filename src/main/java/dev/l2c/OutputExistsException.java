package dev.l2c;

/** An output that exists already, and no permission to replace it (the CLI's {@code --force}). */
public class OutputExistsException extends L2cException {
    private final String output;

    /** @param output the output, as it was named */
    public OutputExistsException(Object output) {
        super(output + ": output exists (use --force to overwrite)");
        this.output = String.valueOf(output);
    }

    /** @return the output, as it was named */
    public String output() {
        return output;
    }
}
