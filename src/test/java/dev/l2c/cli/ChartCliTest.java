package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code l2c chart}: CSV in, PNG out; hidden from the main help. */
class ChartCliTest {
    @TempDir
    Path dir;

    @Test
    void writesThePngAndStaysOutOfTheMainHelp() throws Exception {
        Path csv = dir.resolve("r.csv");
        Files.write(csv, List.of("method,ratio,value", "fp32,1,0.931", "l2,10,0.93", "l2,20,0.92", "uniform,10.2,0.9"));
        Path png = dir.resolve("r.png");
        CliRunner r = CliRunner.run("chart", "--csv", csv.toString(), "-o", png.toString(), "--title", "FMNIST",
                "--y-label", "top-1", "--reference", "fp32", "--width", "900", "--height", "600");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("4 points, 3 methods"), r.out());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(900, image.getWidth());
        assertEquals(600, image.getHeight());
        assertFalse(CliRunner.run("--help").out().contains("chart"));
        assertTrue(CliRunner.run("chart", "--help").out().contains("--y-label"));
    }

    @Test
    void badInputIsReportedNamingTheLineOrOption() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.write(csv, List.of("method,ratio,value", "l2,10,0.9", "l2;20;0.8"));
        Path png = dir.resolve("bad.png");
        CliRunner r = CliRunner.run("chart", "--csv", csv.toString(), "-o", png.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("bad.csv:3:"), r.err());
        assertFalse(Files.exists(png));
        Files.write(csv, List.of("l2,10,0.9"));
        r = CliRunner.run("chart", "--csv", csv.toString(), "-o", png.toString(), "--reference", "fp32");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--reference") && r.err().contains("fp32"), r.err());
        r = CliRunner.run("chart", "--csv", csv.toString(), "-o", dir.resolve("plot.jpg").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("PNG"), r.err());
        r = CliRunner.run("chart", "--csv", csv.toString(), "-o", png.toString(), "--width", "10");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--width"), r.err());
        r = CliRunner.run("chart", "--csv", dir.resolve("missing.csv").toString(), "-o", png.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("missing.csv"), r.err());
    }
}
