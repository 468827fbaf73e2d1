package dev.l2c.cli;

import dev.l2c.L2cException;
import dev.l2c.api.L2cFile;
import dev.l2c.api.Verification;
import dev.l2c.io.Printable;
import dev.l2c.report.ReportText;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "verify", mixinStandardHelpOptions = true, description = "Check every checksum and decode every tensor.")
final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN.l2c")
    Path input;

    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws L2cException {
        PathChecks.input(input);
        common.applySimd(spec);
        Verification report;
        try (L2cFile file = L2cFile.open(input, common.threads())) {
            report = file.verify(common.device(), common.listener(spec));
        }
        spec.commandLine().getOut().printf("%s: OK (%d tensors, %d elements decoded, all checksums match, %s)%n",
                Printable.escape(input.toString()), report.entries(), report.elements(), ReportText.seconds(report.seconds()));
        return 0;
    }
}
