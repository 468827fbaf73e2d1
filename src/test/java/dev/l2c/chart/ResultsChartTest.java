package dev.l2c.chart;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

class ResultsChartTest {
    @TempDir
    Path dir;

    static final List<String> CSV = List.of(
            "method,ratio,value",
            "# Fashion-MNIST top-1",
            "fp32,1,0.93",
            "l2-kd,10,0.929",
            "l2-kd,20,0.925",
            "l2-kd,40,0.91",
            "",
            "uniform,10.4,0.92",
            "uniform,20.9,0.85",
            "prune,10.0,0.90",
            "prune, 20.0 , 0.7",
            "l2-kd,5,0.93");

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void writesARealPngOfTheRequestedSize() throws Exception {
        Path csv = dir.resolve("results.csv");
        Files.write(csv, CSV);
        Path png = dir.resolve("plot.png");
        List<ResultPoint> points = ResultsCsv.read(csv);
        ResultsChart.writePng(points, new ResultsChart.Labels("FMNIST", "ratio", "top-1", 640, 400), "fp32", png, false);
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, Arrays.copyOf(bytes, 8));
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(640, image.getWidth());
        assertEquals(400, image.getHeight());
        // Lines, markers, text and a legend: far more than a blank canvas's few colours.
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) for (int x = 0; x < image.getWidth(); x += 2) colours.add(image.getRGB(x, y));
        assertTrue(colours.size() > 20, colours.size() + " colours");
        // No leftover temporary file, and an existing output is refused without force.
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count());
        }
        L2cException e = assertThrows(L2cException.class, () -> ResultsChart.writePng(points,
                new ResultsChart.Labels("t", "x", "y", 640, 400), null, png, false));
        assertTrue(e.getMessage().contains("exists"), e.getMessage());
    }

    @Test
    void oneSeriesPerMethodSortedByRatioOnALogAxis() throws Exception {
        XYChart chart = ResultsChart.chart(ResultsCsv.parse("r.csv", CSV),
                new ResultsChart.Labels("t", "x", "y", ResultsChart.Labels.DEFAULT_WIDTH, ResultsChart.Labels.DEFAULT_HEIGHT), null);
        assertEquals(List.of("fp32", "l2-kd", "uniform", "prune"), List.copyOf(chart.getSeriesMap().keySet()));
        var kd = chart.getSeriesMap().get("l2-kd");
        assertArrayEquals(new double[] {5, 10, 20, 40}, kd.getXData());
        assertArrayEquals(new double[] {0.93, 0.929, 0.925, 0.91}, kd.getYData());
        assertArrayEquals(new double[] {10, 20}, chart.getSeriesMap().get("prune").getXData());
        assertTrue(chart.getStyler().isXAxisLogarithmic());
    }

    @Test
    void theReferenceIsALevelLineAcrossTheOtherRatios() throws Exception {
        var labels = new ResultsChart.Labels("t", "x", "y", 640, 400);
        XYChart chart = ResultsChart.chart(ResultsCsv.parse("r.csv", CSV), labels, "fp32");
        assertEquals(List.of("l2-kd", "uniform", "prune", "fp32"), List.copyOf(chart.getSeriesMap().keySet()));
        assertArrayEquals(new double[] {5, 40}, chart.getSeriesMap().get("fp32").getXData());
        assertArrayEquals(new double[] {0.93, 0.93}, chart.getSeriesMap().get("fp32").getYData());
        assertThrows(IllegalArgumentException.class, () -> ResultsChart.chart(ResultsCsv.parse("r.csv", CSV), labels, "l2-kd"));
        assertThrows(IllegalArgumentException.class, () -> ResultsChart.chart(ResultsCsv.parse("r.csv", CSV), labels, "int8"));
    }

    @Test
    void badLinesAreReportedWithTheirNumber() {
        assertBad(List.of("method,ratio,value", "l2,10,0.9", "l2,20"), "r.csv:3:", "3 fields");
        assertBad(List.of("l2,ten,0.9"), "r.csv:1:", "ratio 'ten'");
        assertBad(List.of("l2,10,0.9", "", "l2,0,0.9"), "r.csv:3:", "not positive");
        assertBad(List.of("l2,10,NaN"), "r.csv:1:", "not finite");
        assertBad(List.of(",10,0.9"), "r.csv:1:", "method is empty");
        assertBad(List.of("l2,10,0.9,extra"), "r.csv:1:", "found 4");
        assertBad(List.of("method,ratio,value", "# nothing"), "r.csv", "no results");
        assertBad(List.of("l2,10,0.9", "method,ratio,value"), "r.csv:2:", "ratio 'ratio'");
    }

    private static void assertBad(List<String> lines, String where, String what) {
        L2cException e = assertThrows(L2cException.class, () -> ResultsCsv.parse("r.csv", lines));
        assertTrue(e.getMessage().startsWith(where) && e.getMessage().contains(what), e.getMessage());
    }
}
