package dev.l2c.cli;

import dev.l2c.L2cException;
import dev.l2c.pipeline.WeightComparison;
import dev.l2c.report.ReportJson;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "compare", mixinStandardHelpOptions = true, description = "Relative weight error of each tensor of a .l2c file against the original model.")
final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN.l2c")
    Path input;

    @Option(names = "--model", required = true, paramLabel = "ORIGINAL", description = "the model the .l2c file was made from")
    Path model;

    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws L2cException {
        PathChecks.input(input);
        PathChecks.input(model);
        WeightComparison.Result r = WeightComparison.compare(common.backend(spec), input, model);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(ReportJson.render(r));
            return 0;
        }
        out.printf("%-48s %12s %12s%n", "tensor", "elements", "rel.err");
        for (WeightComparison.Row row : r.tensors()) {
            out.printf(Locale.ROOT, "%-48s %12d %12.4e%n", dev.l2c.io.Printable.escape(row.name()), row.elements(), row.relativeError());
        }
        out.printf(Locale.ROOT, "sum of relative errors (data-free distortion): %.5f over %d tensors%n", r.distortion(), r.tensors().size());
        return 0;
    }
}
