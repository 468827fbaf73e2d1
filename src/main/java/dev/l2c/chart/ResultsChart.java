package dev.l2c.chart;

import dev.l2c.L2cException;
import dev.l2c.io.AtomicFile;
import java.awt.Color;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The results chart: compression ratio (x, logarithmic) against accuracy or another figure (y),
 * one line with markers per method and optionally a level line for the uncompressed model, drawn
 * with XChart and written as PNG.
 */
public final class ResultsChart {
    /**
     * What the chart shows besides the points.
     *
     * @param width, height the image size in pixels
     */
    public record Labels(String title, String xLabel, String yLabel, int width, int height) {
        public static final int DEFAULT_WIDTH = 800;
        public static final int DEFAULT_HEIGHT = 500;

        public Labels {
            checkSize(width, height);
        }

        /** An IllegalArgumentException unless both sides are 100 to 8,000 pixels. */
        public static void checkSize(int width, int height) {
            if (width < 100 || width > 8000 || height < 100 || height > 8000) {
                throw new IllegalArgumentException("chart size must be in [100, 8000] pixels, got " + width + "x" + height);
            }
        }
    }

    private ResultsChart() {}

    /**
     * The chart of {@code points} with one series per method, in the order methods first appear.
     * The method named {@code reference} (say the uncompressed fp32 model; null for none) must
     * have one point and is drawn as a dashed level line across the other methods' ratios.
     */
    public static XYChart chart(List<ResultPoint> points, Labels labels, String reference) {
        if (points.isEmpty()) throw new IllegalArgumentException("no points to chart");
        XYChart chart = new XYChartBuilder().width(labels.width()).height(labels.height()).title(labels.title())
                .xAxisTitle(labels.xLabel()).yAxisTitle(labels.yLabel()).build();
        chart.getStyler().setXAxisLogarithmic(true);
        // Results span one or two decades (say 8x to 40x): label the ticks inside a decade too.
        chart.getStyler().setXAxisLogarithmicDecadeOnly(false);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(8);
        Map<String, List<ResultPoint>> byMethod = new LinkedHashMap<>();
        for (ResultPoint p : points) byMethod.computeIfAbsent(p.method(), m -> new ArrayList<>()).add(p);
        List<ResultPoint> level = reference == null ? null : byMethod.remove(reference);
        if (reference != null && (level == null || level.size() != 1)) {
            throw new IllegalArgumentException("the reference method '" + reference + "' must have exactly one result, has "
                    + (level == null ? 0 : level.size()));
        }
        for (Map.Entry<String, List<ResultPoint>> e : byMethod.entrySet()) {
            List<ResultPoint> series = e.getValue().stream().sorted(Comparator.comparingDouble(ResultPoint::ratio)).toList();
            double[] x = series.stream().mapToDouble(ResultPoint::ratio).toArray();
            double[] y = series.stream().mapToDouble(ResultPoint::value).toArray();
            chart.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        if (level != null) {
            double lo = byMethod.values().stream().flatMap(List::stream).mapToDouble(ResultPoint::ratio).min().orElse(level.get(0).ratio());
            double hi = byMethod.values().stream().flatMap(List::stream).mapToDouble(ResultPoint::ratio).max().orElse(level.get(0).ratio());
            double v = level.get(0).value();
            XYSeries line = chart.addSeries(reference, new double[] {lo, hi}, new double[] {v, v});
            line.setMarker(SeriesMarkers.NONE);
            line.setLineStyle(SeriesLines.DASH_DASH);
            line.setLineColor(Color.DARK_GRAY);
        }
        return chart;
    }

    /** Writes {@link #chart} as PNG to {@code png} (temporary file renamed into place). */
    public static void writePng(List<ResultPoint> points, Labels labels, String reference, Path png, boolean force)
            throws L2cException {
        byte[] bytes;
        try {
            bytes = BitmapEncoder.getBitmapBytes(chart(points, labels, reference), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new L2cException(png + ": cannot encode the chart as PNG: " + e.getMessage(), e);
        }
        try (AtomicFile out = AtomicFile.create(png, force)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) out.channel().write(b);
            out.commit();
        } catch (IOException e) {
            throw new L2cException(png + ": cannot write the chart: " + e.getMessage(), e);
        }
    }
}
