package dev.l2c.cli;

import dev.l2c.L2cException;
import dev.l2c.api.L2cFile;
import dev.l2c.api.Report;
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
        Report report;
        try (L2cFile file = L2cFile.open(input)) {
            report = file.report();
        }
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(report.json());
        } else {
            out.print(report.text());
        }
        return 0;
    }
}
