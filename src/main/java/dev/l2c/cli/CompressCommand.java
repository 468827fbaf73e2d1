package dev.l2c.cli;

import dev.l2c.L2cException;
import dev.l2c.api.Calibration;
import dev.l2c.api.Compression;
import dev.l2c.api.CompressionResult;
import dev.l2c.calib.CalibrationSource;
import dev.l2c.calib.NetworkCalibrationSettings;
import dev.l2c.counter.CounterKernel;
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

@Command(name = "compress", mixinStandardHelpOptions = true,
        description = "Compress the weights of an ONNX or safetensors model, or a Hugging Face model folder, into one .l2c file.")
final class CompressCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "model file (.onnx or .safetensors), or a model folder (safetensors shards and the "
            + "folder's other files, all restored by decompress)")
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

    @Option(names = "--method", converter = CliEnums.MethodConverter.class, paramLabel = "M",
            description = "with --ratio: l2 (the learned transform, default), or a baseline coded by the same rANS at the same "
                    + "file size: uniform (symmetric round-to-nearest, one step per tensor, or per output channel with "
                    + "--per-channel, the step searched), prune (magnitude pruning + uniform quantization, bits and sparsity "
                    + "searched) or gptq (GPTQ rounding per output channel from the layers' input statistics; needs --calib)")
    RatioMethod method;

    @Option(names = "--sparsity", paramLabel = "S",
            description = "with --bits: set the fraction S (0 <= S < 1) of each lossy tensor's smallest-magnitude weights to 0 "
                    + "before quantizing (magnitude pruning)")
    Double sparsity;

    @Option(names = "--transform", converter = CliEnums.TransformConverter.class, paramLabel = "T",
            description = "with --ratio: the learned transform, edge-scale, uniform or piecewise (default: edge-scale)")
    TransformKind transform;

    @Option(names = "--kernel", converter = CliEnums.KernelConverter.class, paramLabel = "K", defaultValue = "cos",
            description = "with --ratio: the counter's kernel, cos, tri or lin (default: ${DEFAULT-VALUE})")
    CounterKernel kernel;

    @Option(names = "--resolution", paramLabel = "N", defaultValue = "64",
            description = "with --ratio: counter resolution, delta = code range / N (default: ${DEFAULT-VALUE})")
    int resolution;

    @Option(names = "--steps", paramLabel = "N", description = "with --ratio: optimizer steps of the first run (default: 60)")
    Integer steps;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "with --ratio: random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--closest",
            description = "with --ratio: when the target is out of reach, write the closest file found instead of failing")
    boolean closest;

    @Option(names = "--report", paramLabel = "REPORT.json",
            description = "with --ratio: write the per-tensor report (and a baseline's choice) as JSON")
    Path report;

    @Option(names = "--calib", paramLabel = "DATA",
            description = "with --ratio: calibrate through the network on this data set: fmnist (Fashion-MNIST training images) or wordnet (WordNet glosses and lemma names, calibration half)")
    String calib;

    @Option(names = "--calib-dir", paramLabel = "DIR", description = "with --calib: folder of the data set's files (default: its installed folder)")
    Path calibDir;

    @Option(names = "--tokenizer", paramLabel = "PATH",
            description = "with --calib wordnet: the model's tokenizer.json (default: <stem>-tokenizer.json or tokenizer.json next to the model)")
    Path tokenizer;

    @Option(names = "--objective", converter = CliEnums.ObjectiveConverter.class, paramLabel = "OBJ",
            description = "with --ratio: kd, layerwise or data-free (default: kd with --calib, else data-free)")
    CliEnums.Objective objective;

    @Option(names = "--calib-size", paramLabel = "N", description = "with --calib: calibration samples (default: " + NetworkCalibrationSettings.DEFAULT_CALIB_SIZE + "; wordnet: " + NetworkCalibrationSettings.TEXT_CALIB_SIZE + ")")
    Integer calibSize;

    @Option(names = "--batch", paramLabel = "N", description = "with --calib: minibatch size of the KD steps (default: " + NetworkCalibrationSettings.DEFAULT_BATCH + ")")
    Integer batch;

    @Option(names = "--kd-steps", paramLabel = "N", description = "with --objective kd: transform-phase steps per round (default: " + NetworkCalibrationSettings.DEFAULT_KD_STEPS + "; wordnet: " + NetworkCalibrationSettings.TEXT_KD_STEPS + ")")
    Integer kdSteps;

    @Option(names = "--recon-steps", paramLabel = "N", description = "with --objective kd: reconstruction steps per round (default: " + NetworkCalibrationSettings.DEFAULT_RECON_STEPS + "; wordnet: " + NetworkCalibrationSettings.TEXT_RECON_STEPS + ")")
    Integer reconSteps;

    @Option(names = "--rounds", paramLabel = "N", description = "with --objective kd: transform + reconstruction rounds (default: " + NetworkCalibrationSettings.DEFAULT_ROUNDS + "; wordnet: " + NetworkCalibrationSettings.TEXT_ROUNDS + ")")
    Integer rounds;

    @Option(names = "--kd-lr", paramLabel = "LR", description = "with --objective kd: transform-phase Adam rate on log-parameters (default: " + NetworkCalibrationSettings.DEFAULT_KD_LR + "; wordnet: " + NetworkCalibrationSettings.TEXT_KD_LR + ")")
    Double kdLr;

    @Option(names = "--recon-lr", paramLabel = "LR",
            description = "with --objective kd: reconstruction Adam rate, in quantization steps (default: " + NetworkCalibrationSettings.DEFAULT_RECON_LR + "; wordnet: " + NetworkCalibrationSettings.TEXT_RECON_LR + ")")
    Double reconLr;

    @Option(names = "--per-channel", description = "with --bits, --ratio (l2) or --method uniform: one step per channel (axis 0) "
            + "instead of per tensor")
    boolean perChannel;

    @Option(names = "--keep", paramLabel = "REGEX", description = "tensors whose name matches are stored exactly (lossless)")
    String keep;

    @Option(names = "--no-graph", description = "from an ONNX model: do not store its graph (a few kB); ONNX output then "
            + "needs the original model (--model)")
    boolean noGraph;

    @Option(names = "--min-elements", paramLabel = "N", defaultValue = "0",
            description = "float tensors with fewer elements are stored exactly (default: ${DEFAULT-VALUE}: every float "
                    + "tensor is coded, and stored exact only where its coding would cost more bytes)")
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
        CommandLine cl = spec.commandLine();
        PathChecks.notEmpty(cl, "-o", output);
        PathChecks.notEmpty(cl, "--report", report);
        PathChecks.notEmpty(cl, "--tokenizer", tokenizer);
        Compression compression = compression();
        Calibration calibration = calibration();
        if (calibration != null) compression.calibration(calibration);
        common.applySimd(spec);
        PathChecks.inputFileOrFolder(input);
        if (tokenizer != null) PathChecks.input(tokenizer);
        PathChecks.notAnInput(output, "-o", input, tokenizer);
        PathChecks.notAnInput(report, "--report", input, tokenizer);
        PathChecks.notInside(output, "-o", input);
        PathChecks.notInside(report, "--report", input);
        PathChecks.distinctOutputs(output, "-o", report, "--report");
        // The CLI is the API's first client: every option above maps onto dev.l2c.api.Compression.
        CompressionResult result = compression.device(common.device()).threads(common.threads())
                .listener(common.listener(spec)).force(force).storeGraph(!noGraph).compress(input, output);
        cl.getOut().print(result.report().text());
        for (String warning : result.warnings()) cl.getErr().println("l2c: " + warning);
        if (result.target().isPresent() && report != null) JsonReport.write(report, result.report().json(), force);
        result.target().filter(t -> !t.reached()).ifPresent(t -> notReached(t.ratio(), t.achieved()));
        return 0;
    }

    /** Calibration on data from --calib and --objective (for --method l2 and gptq), or null for data-free. */
    private Calibration calibration() {
        CommandLine cl = spec.commandLine();
        if (method == RatioMethod.GPTQ) return gptqCalibration(cl);
        CliEnums.Objective obj = objective != null ? objective : calib != null ? CliEnums.Objective.KD : CliEnums.Objective.DATA_FREE;
        Calibration.Objective kind = switch (obj) {
            case KD -> Calibration.Objective.KD;
            case LAYERWISE -> Calibration.Objective.LAYERWISE;
            case DATA_FREE -> null;
        };
        if (kind != null && calib == null) {
            throw new CommandLine.ParameterException(cl, "--objective " + CliEnums.label(obj) + " needs calibration data: give --calib "
                    + String.join("|", CalibrationSource.NAMES));
        }
        Object[][] dataOptions = {{"--calib-dir", calibDir}, {"--calib-size", calibSize}, {"--batch", batch}};
        Object[][] kdOptions = {{"--kd-steps", kdSteps}, {"--recon-steps", reconSteps}, {"--rounds", rounds}, {"--kd-lr", kdLr},
                {"--recon-lr", reconLr}};
        if (tokenizer != null && !"wordnet".equals(calib)) throw new CommandLine.ParameterException(cl, "--tokenizer needs --calib wordnet");
        if (kind == null) {
            if (calib != null) throw new CommandLine.ParameterException(cl, "--calib has no use with --objective data-free");
            for (Object[] o : dataOptions) if (o[1] != null) throw new CommandLine.ParameterException(cl, o[0] + " needs --calib");
        }
        if (kind != Calibration.Objective.KD) {
            for (Object[] o : kdOptions) {
                if (o[1] != null) throw new CommandLine.ParameterException(cl, o[0] + " needs --objective kd (with --calib)");
            }
        }
        if (kind == null) return null;
        if (mode.ratio == null) throw new CommandLine.ParameterException(cl, "--calib needs --ratio");
        if (method != null && method != RatioMethod.L2) {
            throw new CommandLine.ParameterException(cl, "--calib applies to --method l2 and gptq only");
        }
        positive(cl, "--calib-size", calibSize, 10_000_000);
        positive(cl, "--batch", batch, 1 << 16);
        Calibration c = dataSet(cl).objective(kind);
        positive(cl, "--rounds", rounds, 1000);
        if (kdSteps != null && (kdSteps < 0 || kdSteps > 1_000_000)) throw new CommandLine.ParameterException(cl, "--kd-steps must be in [0, 1000000], got " + kdSteps);
        if (reconSteps != null && (reconSteps < 0 || reconSteps > 1_000_000)) {
            throw new CommandLine.ParameterException(cl, "--recon-steps must be in [0, 1000000], got " + reconSteps);
        }
        for (Object[] o : new Object[][] {{"--kd-lr", kdLr}, {"--recon-lr", reconLr}}) {
            Double v = (Double) o[1];
            if (v != null && !(v > 0 && v <= 10)) throw new CommandLine.ParameterException(cl, o[0] + " must be in (0, 10], got " + v);
        }
        if (batch != null) c.batch(batch);
        if (kdSteps != null) c.kdSteps(kdSteps);
        if (reconSteps != null) c.reconSteps(reconSteps);
        if (rounds != null) c.rounds(rounds);
        if (kdLr != null) c.kdLearningRate(kdLr);
        if (reconLr != null) c.reconLearningRate(reconLr);
        return c;
    }

    /** The data set named by --calib, with --calib-dir, --tokenizer and --calib-size. */
    private Calibration dataSet(CommandLine cl) {
        Calibration.DataSet data = switch (calib) {
            case "fmnist" -> Calibration.DataSet.FMNIST;
            case "wordnet" -> Calibration.DataSet.WORDNET;
            default -> throw new CommandLine.ParameterException(cl, "--calib must be one of " + String.join(", ", CalibrationSource.NAMES)
                    + ", got '" + calib + "'");
        };
        Calibration c = Calibration.on(data).dataDir(calibDir).tokenizer(tokenizer);
        return calibSize != null ? c.samples(calibSize) : c;
    }

    /**
     * --method gptq: the calibration data whose layer statistics GPTQ rounds with (one pass, as the
     * layer-wise objective's); the training options of L2 have no use here.
     */
    private Calibration gptqCalibration(CommandLine cl) {
        if (calib == null) {
            throw new CommandLine.ParameterException(cl, "--method gptq needs calibration data: give --calib "
                    + String.join("|", CalibrationSource.NAMES) + " (and an ONNX model)");
        }
        if (tokenizer != null && !"wordnet".equals(calib)) throw new CommandLine.ParameterException(cl, "--tokenizer needs --calib wordnet");
        Object[][] l2Only = {{"--objective", objective}, {"--batch", batch}, {"--kd-steps", kdSteps}, {"--recon-steps", reconSteps},
                {"--rounds", rounds}, {"--kd-lr", kdLr}, {"--recon-lr", reconLr}};
        for (Object[] o : l2Only) if (o[1] != null) throw new CommandLine.ParameterException(cl, o[0] + " applies to --method l2 only");
        positive(cl, "--calib-size", calibSize, 10_000_000);
        return dataSet(cl);
    }

    private static void positive(CommandLine cl, String name, Integer value, int max) {
        if (value != null && (value < 1 || value > max)) {
            throw new CommandLine.ParameterException(cl, name + " must be in [1, " + max + "], got " + value);
        }
    }

    private void notReached(double target, double achieved) {
        spec.commandLine().getErr().printf(java.util.Locale.ROOT,
                "l2c: note: the target ratio %.2f was not reached; the file written is the closest found (%.3f)%n", target, achieved);
    }

    /**
     * The API's compression for the mode options, each checked here first so that a usage error
     * names the option as it was typed.
     */
    private Compression compression() {
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
                    {"--transform", transform}, {"--closest", closest ? true : null}}) {
                if (o[1] != null) throw new CommandLine.ParameterException(cl, o[0] + " needs --ratio");
            }
            Compression c = mode.lossless ? Compression.lossless() : Compression.bits(mode.bits).perChannel(perChannel);
            if (sparsity != null) c.sparsity(sparsity);
            return c.keep(keepPattern).minElements(minElements).chunkSymbols(chunkSymbols);
        }
        if (!(mode.ratio > 1) || mode.ratio > 1e6) {
            throw new CommandLine.ParameterException(cl, "--ratio must be in (1, 1000000], got " + mode.ratio);
        }
        if (report != null && java.nio.file.Files.exists(report) && !force) {
            throw new CommandLine.ParameterException(cl, "--report: " + report + " exists (use --force to overwrite)");
        }
        RatioMethod ratioMethod = method == null ? RatioMethod.L2 : method;
        Compression c = Compression.ratio(mode.ratio).method(Compression.Method.valueOf(ratioMethod.name())).closest(closest)
                .perChannel(perChannel).keep(keepPattern).minElements(minElements).chunkSymbols(chunkSymbols);
        if (ratioMethod != RatioMethod.L2) {
            // The baselines learn nothing: the L2 options would be silently ignored.
            for (String o : new String[] {"--transform", "--kernel", "--resolution", "--steps", "--seed"}) {
                if (cl.getParseResult().hasMatchedOption(o)) {
                    throw new CommandLine.ParameterException(cl, o + " applies to --method l2 only");
                }
            }
            if (perChannel && ratioMethod != RatioMethod.UNIFORM) {
                throw new CommandLine.ParameterException(cl, "--per-channel applies to --method uniform and l2"
                        + (ratioMethod == RatioMethod.GPTQ ? " (gptq always has one step per output channel)" : ""));
            }
            return c;
        }
        if (resolution < 1 || resolution > 1 << 20) {
            throw new CommandLine.ParameterException(cl, "--resolution must be in [1, 1048576], got " + resolution);
        }
        if (steps != null && (steps < 0 || steps > 1_000_000)) {
            throw new CommandLine.ParameterException(cl, "--steps must be in [0, 1000000], got " + steps);
        }
        c.rateKernel(Compression.RateKernel.valueOf(kernel.name())).resolution(resolution).seed(seed);
        if (transform != null) c.transform(Compression.Transform.valueOf(transform.name()));
        return steps != null ? c.steps(steps) : c;
    }
}
