package dev.l2c.api;

import dev.l2c.L2cException;
import dev.l2c.chart.ResultPoint;
import dev.l2c.chart.ResultsChart;
import dev.l2c.chart.ResultsCsv;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A chart of results as docs/RESULTS.md shows them ({@code l2c chart}): compression ratio (x, log
 * scale) against a figure such as accuracy (y), one line per method, read from a CSV of
 * {@code method,ratio,value} lines and written as PNG.
 *
 * <pre>{@code
 * Chart.fromCsv(Path.of("results.csv")).title("Fashion-MNIST").reference("fp32").writePng(Path.of("plot.png"), false);
 * }</pre>
 *
 * <p><b>Thread safety:</b> a mutable description, not thread-safe.
 */
public final class Chart {
    private final List<ResultPoint> points;
    private String title = "Compression ratio against accuracy";
    private String xLabel = "compression ratio (log scale)";
    private String yLabel = "accuracy";
    private int width = ResultsChart.Labels.DEFAULT_WIDTH;
    private int height = ResultsChart.Labels.DEFAULT_HEIGHT;
    private String reference;

    private Chart(List<ResultPoint> points) {
        this.points = points;
    }

    /**
     * Reads the points.
     *
     * @param csv lines of {@code method,ratio,value} (an optional header line; {@code #} comments)
     * @return a chart to set up further or write
     * @throws L2cException the file cannot be read, or a line is malformed (the message names the line)
     */
    public static Chart fromCsv(Path csv) throws L2cException {
        if (csv == null) throw new IllegalArgumentException("csv is null");
        return new Chart(ResultsCsv.read(csv));
    }

    /**
     * The title.
     *
     * @param title the title (default "Compression ratio against accuracy")
     * @return this
     */
    public Chart title(String title) {
        this.title = title == null ? "" : title;
        return this;
    }

    /**
     * The axis labels.
     *
     * @param x the x axis's (default "compression ratio (log scale)")
     * @param y the y axis's (default "accuracy")
     * @return this
     */
    public Chart axisLabels(String x, String y) {
        this.xLabel = x == null ? "" : x;
        this.yLabel = y == null ? "" : y;
        return this;
    }

    /**
     * The image size.
     *
     * @param width 100 to 8,000 pixels (default 800)
     * @param height 100 to 8,000 pixels (default 500)
     * @return this
     */
    public Chart size(int width, int height) {
        ResultsChart.Labels.checkSize(width, height);
        this.width = width;
        this.height = height;
        return this;
    }

    /**
     * The method with one result (such as fp32) drawn as a dashed level line instead of a point.
     *
     * @param method a method with exactly one point (null: none)
     * @return this
     */
    public Chart reference(String method) {
        if (method != null) {
            long n = points.stream().filter(p -> p.method().equals(method)).count();
            if (n != 1) throw new IllegalArgumentException("the reference method '" + method + "' has " + n + " points, expected 1");
        }
        this.reference = method;
        return this;
    }

    /**
     * The number of points read.
     *
     * @return the points
     */
    public int points() {
        return points.size();
    }

    /**
     * The number of methods, each a line of the chart.
     *
     * @return the distinct methods
     */
    public int methods() {
        return (int) points.stream().map(ResultPoint::method).distinct().count();
    }

    /**
     * Draws the chart and writes it (a temporary file renamed into place).
     *
     * @param png the image to write, named {@code *.png}
     * @param force whether to replace an existing file
     * @throws dev.l2c.OutputExistsException the file exists and {@code force} is not set
     * @throws L2cException the image cannot be written
     */
    public void writePng(Path png, boolean force) throws L2cException {
        if (png == null || png.getFileName() == null
                || !png.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new IllegalArgumentException("the chart is written as PNG; name it *.png, got " + png);
        }
        // The chart is only drawn into an image: no display needed.
        System.setProperty("java.awt.headless", "true");
        ResultsChart.writePng(points, new ResultsChart.Labels(title, xLabel, yLabel, width, height), reference, png, force);
    }
}
