package dev.l2c.cli;

import dev.l2c.report.ReportJson;
import dev.l2c.report.ReportText;
import dev.l2c.L2cException;
import dev.l2c.pipeline.ContainerSummary;
import dev.l2c.pipeline.Inspector;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Per tensor: shape, kind, bits per weight, ratio; and the totals.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN.l2c")
    Path input;

    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws L2cException {
        PathChecks.input(input);
        ContainerSummary summary = Inspector.inspect(input);
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(ReportJson.render(summary));
        } else {
            ReportText.printSummary(out, summary);
        }
        return 0;
    }
}
