package dev.l2c.cli;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.pipeline.CompressOptions;
import dev.l2c.pipeline.CompressReport;
import dev.l2c.pipeline.Compressor;
import dev.l2c.transform.UniformQuantizer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "compress", description = "Compress the weights of an ONNX or safetensors model into one .l2c file.")
final class CompressCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "model file (.onnx or .safetensors)")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.l2c", description = "output file")
    Path output;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Mode mode;

    static final class Mode {
        @Option(names = "--bits", paramLabel = "B", description = "uniform symmetric quantization per tensor, B = 2..8, then rANS")
        Integer bits;

        @Option(names = "--lossless", description = "float byte planes, entropy-coded: exact reconstruction")
        boolean lossless;
    }

    @Option(names = "--per-channel", description = "with --bits: one step per channel (axis 0) instead of per tensor")
    boolean perChannel;

    @Option(names = "--keep", paramLabel = "REGEX", description = "tensors whose name matches are stored exactly (lossless)")
    String keep;

    @Option(names = "--min-elements", paramLabel = "N", defaultValue = "1024",
            description = "tensors with fewer elements are stored exactly (default: ${DEFAULT-VALUE})")
    long minElements;

    @Option(names = "--chunk", paramLabel = "SYMBOLS", defaultValue = "65536",
            description = "rANS chunk size in symbols, a multiple of 32 (default: ${DEFAULT-VALUE})")
    int chunkSymbols;

    @Option(names = "--force", description = "overwrite an existing output")
    boolean force;

    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws L2cException {
        CompressOptions options = options();
        Backend backend = common.backend(spec);
        CompressReport report = new Compressor(backend, common.progress(spec)).compress(input, output, options);
        ReportPrinter.printCompress(spec.commandLine().getOut(), report);
        return 0;
    }

    private CompressOptions options() {
        CommandLine cl = spec.commandLine();
        if (mode.bits != null && (mode.bits < UniformQuantizer.MIN_BITS || mode.bits > UniformQuantizer.MAX_BITS)) {
            throw new CommandLine.ParameterException(cl, "--bits must be in 2..8, got " + mode.bits);
        }
        if (chunkSymbols < 32 || chunkSymbols % 32 != 0 || chunkSymbols > (1 << 24)) {
            throw new CommandLine.ParameterException(cl, "--chunk must be a multiple of 32 in [32, 16777216], got " + chunkSymbols);
        }
        if (minElements < 0) {
            throw new CommandLine.ParameterException(cl, "--min-elements must be >= 0, got " + minElements);
        }
        Pattern keepPattern = null;
        if (keep != null) {
            try {
                keepPattern = Pattern.compile(keep);
            } catch (PatternSyntaxException e) {
                throw new CommandLine.ParameterException(cl, "--keep: invalid regular expression: " + e.getDescription());
            }
        }
        int bits = mode.lossless ? 0 : mode.bits;
        if (perChannel && mode.lossless) {
            throw new CommandLine.ParameterException(cl, "--per-channel needs --bits");
        }
        return new CompressOptions(bits, keepPattern, minElements, chunkSymbols, force, perChannel);
    }
}
