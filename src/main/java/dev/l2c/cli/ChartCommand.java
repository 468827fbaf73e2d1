package dev.l2c.cli;

import dev.l2c.L2cException;
import dev.l2c.api.Chart;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Draws results (as the scripts behind docs/RESULTS.md collect them) as a PNG chart; hidden from the main help. */
@Command(name = "chart", hidden = true, mixinStandardHelpOptions = true,
        description = "Chart results: compression ratio (x, log scale) against a figure such as accuracy (y), one line per method, as PNG.")
final class ChartCommand implements Callable<Integer> {
    @Option(names = "--csv", required = true, paramLabel = "RESULTS.csv",
            description = "lines of method,ratio,value (optional header line; # comments)")
    Path csv;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "PLOT.png", description = "output image (PNG)")
    Path output;

    @Option(names = "--title", defaultValue = "Compression ratio against accuracy", description = "chart title (default: ${DEFAULT-VALUE})")
    String title;

    @Option(names = "--x-label", defaultValue = "compression ratio (log scale)", description = "x axis label (default: ${DEFAULT-VALUE})")
    String xLabel;

    @Option(names = "--y-label", defaultValue = "accuracy", description = "y axis label (default: ${DEFAULT-VALUE})")
    String yLabel;

    @Option(names = "--reference", paramLabel = "METHOD",
            description = "the method with one result (such as fp32) drawn as a dashed level line instead of a point")
    String reference;

    @Option(names = "--width", defaultValue = "800", paramLabel = "PX", description = "image width (default: ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--height", defaultValue = "500", paramLabel = "PX", description = "image height (default: ${DEFAULT-VALUE})")
    int height;

    @Option(names = "--force", description = "overwrite an existing output")
    boolean force;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws L2cException {
        PathChecks.notEmpty(spec.commandLine(), "-o", output);
        PathChecks.notEmpty(spec.commandLine(), "--csv", csv);
        for (var o : new Object[][] {{"--width", width}, {"--height", height}}) {
            int v = (Integer) o[1];
            if (v < 100 || v > 8000) throw new CommandLine.ParameterException(spec.commandLine(), o[0] + " must be in [100, 8000], got " + v);
        }
        if (!output.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-o: the chart is written as PNG; name it *.png, got " + output);
        }
        PathChecks.input(csv);
        PathChecks.notAnInput(output, "-o", csv);
        Chart chart = Chart.fromCsv(csv).title(title).axisLabels(xLabel, yLabel).size(width, height);
        try {
            chart.reference(reference);
        } catch (IllegalArgumentException e) {
            // The option is well formed; the data lacks the method: a data error, named by file and option.
            throw new L2cException(csv + ": --reference: " + e.getMessage());
        }
        chart.writePng(output, force);
        spec.commandLine().getOut().printf("wrote %s: %d points, %d methods%n", output, chart.points(), chart.methods());
        return 0;
    }
}
