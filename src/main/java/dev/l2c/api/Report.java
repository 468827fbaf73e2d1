package dev.l2c.api;

import dev.l2c.L2cException;
import dev.l2c.report.ReportJson;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Consumer;

/**
 * A detailed report, as text or JSON: what {@code l2c compress} and {@code l2c inspect} print, and
 * what {@code --report} and {@code --json} write. Its layout is for people and tools that read
 * l2c's reports; it may gain fields between versions, as the CLI's reports do.
 *
 * <p><b>Thread safety:</b> immutable; each call renders anew.
 */
public final class Report {
    private final Consumer<PrintWriter> text;
    private final Object record;

    Report(Consumer<PrintWriter> text, Object record) {
        this.text = text;
        this.record = record;
    }

    /**
     * The report as the CLI prints it.
     *
     * @return lines of text, each ending with the platform's line separator
     */
    public String text() {
        StringWriter s = new StringWriter();
        try (PrintWriter out = new PrintWriter(s)) {
            text.accept(out);
        }
        return s.toString();
    }

    /**
     * The report as indented JSON, its strings escaped so that it is safe to print on a terminal.
     *
     * @return a JSON object
     * @throws L2cException the report cannot be rendered
     */
    public String json() throws L2cException {
        return ReportJson.render(record);
    }
}
