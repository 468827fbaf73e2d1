package dev.l2c.chart;

import dev.l2c.L2cException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads results as CSV: one {@code method,ratio,value} row per line, an optional header line of
 * exactly those names, blank lines and lines starting with {@code #} ignored. Fields are plain (no
 * quoting), so a method name holds no comma. Every error names the file and line.
 */
public final class ResultsCsv {
    public static final String HEADER = "method,ratio,value";

    private ResultsCsv() {}

    public static List<ResultPoint> read(Path csv) throws L2cException {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new L2cException(csv + ": cannot read: " + e.getMessage(), e);
        }
        return parse(csv.toString(), lines);
    }

    /** Parses {@code lines}; {@code source} labels errors. */
    public static List<ResultPoint> parse(String source, List<String> lines) throws L2cException {
        List<ResultPoint> points = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (points.isEmpty() && line.replace(" ", "").equalsIgnoreCase(HEADER)) continue;
            String where = source + ":" + (i + 1) + ": ";
            String[] fields = line.split(",", -1);
            if (fields.length != 3) {
                throw new L2cException(where + "expected 3 fields (" + HEADER + "), found " + fields.length + " in '" + line + "'");
            }
            String method = fields[0].strip();
            if (method.isEmpty()) throw new L2cException(where + "the method is empty");
            double ratio = number(where, "ratio", fields[1]);
            if (!(ratio > 0)) throw new L2cException(where + "ratio " + ratio + " is not positive (the ratio axis is logarithmic)");
            points.add(new ResultPoint(method, ratio, number(where, "value", fields[2])));
        }
        if (points.isEmpty()) throw new L2cException(source + ": no results (expected lines of " + HEADER + ")");
        return points;
    }

    private static double number(String where, String field, String text) throws L2cException {
        double v;
        try {
            v = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new L2cException(where + field + " '" + text.strip() + "' is not a number");
        }
        if (!Double.isFinite(v)) throw new L2cException(where + field + " '" + text.strip() + "' is not finite");
        return v;
    }
}
