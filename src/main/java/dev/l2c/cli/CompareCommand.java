package dev.l2c.cli;

import dev.l2c.L2cException;
import dev.l2c.api.L2cFile;
import dev.l2c.api.Report;
import java.io.PrintWriter;
import java.nio.file.Path;
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
        common.applySimd(spec);
        Report report;
        try (L2cFile file = L2cFile.open(input, common.device(), common.threads(), common.listener(spec))) {
            report = file.compareWith(model).report();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? report.json() + System.lineSeparator() : report.text());
        return 0;
    }
}
