package dev.l2c.api;

import dev.l2c.pipeline.BaselineReport;
import dev.l2c.pipeline.CompressReport;
import dev.l2c.pipeline.RatioReport;
import dev.l2c.report.ReportText;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@link Compression#compress} wrote: the file, its sizes, how a ratio target was met, and
 * the detailed report {@code l2c compress} prints.
 *
 * <p><b>Thread safety:</b> immutable.
 */
public final class CompressionResult {
    /**
     * How ratio mode met its target. Ratios here are the original tensors' bytes over the file's
     * bytes (the measure the target is set in), not {@link CompressionResult#ratio()}.
     *
     * @param ratio the ratio asked for
     * @param achieved the ratio of the file written
     * @param reached whether the file is within the target's tolerance (otherwise it is the closest
     *     file found, written because {@link Compression#closest} was set)
     */
    public record Target(double ratio, double achieved, boolean reached) {
    }

    private final Path output;
    private final CompressReport report;

    CompressionResult(Path output, CompressReport report) {
        this.output = output;
        this.report = report;
    }

    /**
     * The file written.
     *
     * @return the {@code .l2c} file
     */
    public Path output() {
        return output;
    }

    /**
     * The input's size.
     *
     * @return its bytes (a folder's: every file's)
     */
    public long inputBytes() {
        return report.summary().sourceFileBytes();
    }

    /**
     * The output's size.
     *
     * @return the {@code .l2c} file's bytes
     */
    public long outputBytes() {
        return report.summary().fileBytes();
    }

    /**
     * The file-to-file ratio.
     *
     * @return {@link #inputBytes()} / {@link #outputBytes()}
     */
    public double ratio() {
        return outputBytes() == 0 ? 0 : (double) inputBytes() / outputBytes();
    }

    /**
     * How long it took.
     *
     * @return wall time of the compression in seconds
     */
    public double seconds() {
        return report.seconds();
    }

    /**
     * Where the kernels ran.
     *
     * @return the backend, as the report names it (such as "cpu")
     */
    public String backend() {
        return report.backend();
    }

    /**
     * How the target was met, in ratio mode.
     *
     * @return the target and the outcome; empty in lossless and bits mode
     */
    public Optional<Target> target() {
        RatioReport r = report.ratio();
        if (r != null) return Optional.of(new Target(r.size().targetRatio(), r.size().achievedRatio(), r.size().reached()));
        BaselineReport b = report.baseline();
        if (b != null) return Optional.of(new Target(b.targetRatio(), b.achievedRatio(), b.reached()));
        return Optional.empty();
    }

    /**
     * What went wrong without failing: each tensor of ratio mode that the file holds as all
     * zeros (destroyed by too small a budget).
     *
     * @return one line each, starting with "warning:"; empty when none
     */
    public List<String> warnings() {
        return ReportText.zeroedWarnings(report);
    }

    /**
     * The detailed report: as text, what {@code l2c compress} prints (per-tensor table, totals,
     * time); as JSON, in ratio mode the per-tensor outcome that {@code --report} writes (the
     * learned parameters, or a baseline's choice and the candidates it tried), otherwise the
     * file's summary as {@code l2c inspect --json} gives it.
     *
     * @return the report
     */
    public Report report() {
        Object json = report.ratio() != null ? report.ratio() : report.baseline() != null ? report.baseline() : report.summary();
        return new Report(out -> ReportText.printCompress(out, report), json);
    }
}
