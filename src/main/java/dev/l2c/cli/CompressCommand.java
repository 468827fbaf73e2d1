package dev.l2c.cli;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.calib.CalibrationSettings;
import dev.l2c.counter.CounterKernel;
import dev.l2c.pipeline.CompressOptions;
import dev.l2c.pipeline.CompressReport;
import dev.l2c.pipeline.Compressor;
import dev.l2c.pipeline.RatioMethod;
import dev.l2c.transform.TransformKind;
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

@Command(name = "compress", mixinStandardHelpOptions = true, description = "Compress the weights of an ONNX or safetensors model into one .l2c file.")
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

        @Option(names = "--ratio", paramLabel = "R",
                description = "the written file R times smaller than the original tensors: learned transform (L2) calibrated "
                        + "to it, or a baseline (--method)")
        Double ratio;
    }

    @Option(names = "--method", paramLabel = "M",
            description = "with --ratio: l2 (the learned transform, default), uniform (the --bits whose file is closest) "
                    + "or prune (magnitude pruning + uniform quantization, bits and sparsity searched)")
    String method;

    @Option(names = "--sparsity", paramLabel = "S",
            description = "with --bits: set the fraction S (0 <= S < 1) of each lossy tensor's smallest-magnitude weights to 0 "
                    + "before quantizing (magnitude pruning)")
    Double sparsity;

    @Option(names = "--transform", paramLabel = "T",
            description = "with --ratio: the learned transform, edge-scale, uniform or piecewise (default: edge-scale)")
    String transform;

    @Option(names = "--kernel", paramLabel = "K", defaultValue = "cos",
            description = "with --ratio: the counter's kernel, cos, tri or lin (default: ${DEFAULT-VALUE})")
    String kernel;

    @Option(names = "--resolution", paramLabel = "N", defaultValue = "64",
            description = "with --ratio: counter resolution, delta = code range / N (default: ${DEFAULT-VALUE})")
    int resolution;

    @Option(names = "--steps", paramLabel = "N", description = "with --ratio: optimizer steps of the first run (default: 60)")
    Integer steps;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "with --ratio: random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--report", paramLabel = "REPORT.json",
            description = "with --ratio: write the per-tensor report (and a baseline's choice) as JSON")
    Path report;

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
        CompressReport result = new Compressor(backend, common.progress(spec)).compress(input, output, options);
        ReportPrinter.printCompress(spec.commandLine().getOut(), result);
        if (result.ratio() != null && report != null) JsonReport.write(report, result.ratio(), force);
        if (result.baseline() != null && report != null) JsonReport.write(report, result.baseline(), force);
        if (result.ratio() != null && !result.ratio().reached()) {
            notReached(result.ratio().targetRatio(), result.ratio().achievedRatio());
        }
        if (result.baseline() != null && !result.baseline().reached()) {
            notReached(result.baseline().targetRatio(), result.baseline().achievedRatio());
        }
        return 0;
    }

    private void notReached(double target, double achieved) {
        spec.commandLine().getErr().printf(java.util.Locale.ROOT,
                "l2c: note: the target ratio %.2f was not reached; the file written is the closest found (%.3f)%n", target, achieved);
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
        if (perChannel && mode.lossless) {
            throw new CommandLine.ParameterException(cl, "--per-channel needs --bits or --ratio");
        }
        if (sparsity != null && mode.bits == null) throw new CommandLine.ParameterException(cl, "--sparsity needs --bits");
        if (sparsity != null && !(sparsity >= 0 && sparsity < 1)) {
            throw new CommandLine.ParameterException(cl, "--sparsity must be in [0, 1), got " + sparsity);
        }
        if (mode.ratio == null) {
            for (var o : new Object[][] {{"--report", report}, {"--steps", steps}, {"--method", method},
                    {"--transform", transform}}) {
                if (o[1] != null) throw new CommandLine.ParameterException(cl, o[0] + " needs --ratio");
            }
            CompressOptions o = new CompressOptions(mode.lossless ? 0 : mode.bits, keepPattern, minElements, chunkSymbols, force,
                    perChannel);
            return sparsity != null ? o.withSparsity(sparsity) : o;
        }
        if (!(mode.ratio > 1) || mode.ratio > 1e6) {
            throw new CommandLine.ParameterException(cl, "--ratio must be in (1, 1000000], got " + mode.ratio);
        }
        if (report != null && java.nio.file.Files.exists(report) && !force) {
            throw new CommandLine.ParameterException(cl, "--report: " + report + " exists (use --force to overwrite)");
        }
        RatioMethod ratioMethod = method == null ? RatioMethod.L2 : RatioMethod.byLabel(method);
        if (ratioMethod == null) {
            throw new CommandLine.ParameterException(cl, "--method must be l2, uniform or prune, got '" + method + "'");
        }
        if (ratioMethod != RatioMethod.L2) {
            // The baselines quantize per tensor and learn nothing: the L2 options would be silently ignored.
            for (String o : new String[] {"--per-channel", "--transform", "--kernel", "--resolution", "--steps", "--seed"}) {
                if (cl.getParseResult().hasMatchedOption(o)) {
                    throw new CommandLine.ParameterException(cl, o + " applies to --method l2 only");
                }
            }
            return CompressOptions.baseline(mode.ratio, ratioMethod, keepPattern, minElements, chunkSymbols, force);
        }
        CounterKernel k;
        try {
            k = CounterKernel.valueOf(kernel.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--kernel must be cos, tri or lin, got '" + kernel + "'");
        }
        if (resolution < 1 || resolution > 1 << 20) {
            throw new CommandLine.ParameterException(cl, "--resolution must be in [1, 1048576], got " + resolution);
        }
        if (steps != null && (steps < 0 || steps > 1_000_000)) {
            throw new CommandLine.ParameterException(cl, "--steps must be in [0, 1000000], got " + steps);
        }
        CalibrationSettings d = CalibrationSettings.defaults();
        TransformKind kind = d.kind();
        if (transform != null) {
            kind = null;
            for (TransformKind t : TransformKind.values()) if (t.cliName().equals(transform)) kind = t;
            if (kind == null) {
                throw new CommandLine.ParameterException(cl,
                        "--transform must be edge-scale, uniform or piecewise, got '" + transform + "'");
            }
        }
        CalibrationSettings settings = new CalibrationSettings(kind, perChannel, k, resolution,
                steps != null ? steps : d.steps(), d.learningRate(), d.lambda(), seed);
        return CompressOptions.ratio(mode.ratio, settings, keepPattern, minElements, chunkSymbols, force);
    }
}
