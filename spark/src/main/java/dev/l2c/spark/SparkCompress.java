package dev.l2c.spark;

import dev.l2c.L2cException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spark-submit l2c-spark-job.jar MODEL... -o OUT (--lossless | --bits B | --ratio R)}: the main
 * class of the job's jar (README, "More than one machine: Spark"). Options are named as
 * {@code l2c compress}'s.
 */
@Command(name = "l2c-spark", mixinStandardHelpOptions = true,
        description = "Compresses models on a Spark cluster into .l2c files: with --lossless or --bits each identical to "
                + "`l2c compress`'s, with --ratio data-free at the ratio within 2 %%.")
public final class SparkCompress implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "MODEL",
            description = "model folders, safetensors or ONNX files, on storage every executor reads (the same path)")
    List<Path> inputs;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "the .l2c file (one model), or a folder that gets MODEL-NAME.l2c for each (several)")
    Path output;

    static final class Mode {
        @Option(names = "--lossless", required = true, description = "float byte planes, entropy-coded: exact reconstruction")
        boolean lossless;

        @Option(names = "--bits", required = true, paramLabel = "B", description = "uniform symmetric quantization, B = 2..8, then rANS")
        int bits;

        @Option(names = "--ratio", required = true, paramLabel = "R",
                description = "L2, data-free: the file R times smaller (within 2 %%), lambda searched across the executors")
        double ratio;
    }

    @ArgGroup(multiplicity = "0..1")
    Mode mode;

    @Option(names = "--per-channel", description = "with --bits or --ratio: one step (transform) per channel (axis 0)")
    boolean perChannel;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "with --ratio: random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--sparsity", paramLabel = "S", defaultValue = "0", description = "with --bits: prune this fraction first")
    double sparsity;

    @Option(names = "--keep", paramLabel = "REGEX", description = "tensors whose name matches are stored exactly")
    String keep;

    @Option(names = "--min-elements", paramLabel = "N", defaultValue = "0", description = "float tensors with fewer elements are stored exactly")
    long minElements;

    @Option(names = "--chunk", paramLabel = "SYMBOLS", defaultValue = "65536", description = "rANS chunk size in symbols")
    int chunk;

    @Option(names = "--part-bytes", paramLabel = "N", defaultValue = "" + CompressJob.DEFAULT_PART_BYTES,
            description = "weights per Spark task (default: ${DEFAULT-VALUE}; a larger tensor is a task of its own)")
    long partBytes;

    @Option(names = "--closest", description = "with --ratio: when the target is out of reach, write the closest file found "
            + "(its ratio is printed) instead of failing")
    boolean closest;

    @Option(names = "--no-graph", description = "ONNX input: leave the model's graph out of the file (as `l2c compress --no-graph`)")
    boolean noGraph;

    @Option(names = "--force", description = "overwrite existing outputs")
    boolean force;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SparkCompress()).execute(args));
    }

    @Override
    public Integer call() throws L2cException {
        if (mode == null) throw new CommandLine.ParameterException(spec.commandLine(), "give --lossless, --bits B or --ratio R");
        if (mode.ratio != 0 && !(mode.ratio > 1)) throw new CommandLine.ParameterException(spec.commandLine(), "--ratio must be above 1");
        JobOptions options = new JobOptions(mode.bits, mode.ratio, perChannel, sparsity, seed, keep, minElements, chunk, closest,
                !noGraph);
        try {
            options.compressOptions(force); // checks the combination before Spark starts
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        List<CompressJob.Target> targets = targets();
        SparkConf conf = new SparkConf().setAppName("l2c compress " + inputs.get(0).getFileName());
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            CompressJob.Outcome outcome = CompressJob.run(spark, targets, options, partBytes, force);
            for (CompressJob.Result r : outcome.results()) System.out.println(r.line());
            System.out.println(outcome.timing());
        }
        return 0;
    }

    private List<CompressJob.Target> targets() throws L2cException {
        if (inputs.size() == 1) return List.of(CompressJob.Target.beside(inputs.get(0), output));
        if (Files.exists(output) && !Files.isDirectory(output)) {
            throw new L2cException(output + ": with several models, -o names a folder (it is a file)");
        }
        List<CompressJob.Target> targets = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path in : inputs) {
            String name = in.toAbsolutePath().normalize().getFileName() + ".l2c";
            if (names.contains(name)) throw new L2cException(in + ": a second model named " + name + " in " + output);
            names.add(name);
            targets.add(CompressJob.Target.beside(in, output.resolve(name)));
        }
        return targets;
    }
}
