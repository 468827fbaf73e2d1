package dev.l2c.cli;

import dev.l2c.L2cException;
import dev.l2c.api.Evaluation;
import dev.l2c.api.RetrievalEvaluation;
import dev.l2c.backend.Device;
import dev.l2c.data.SynsetSelection;
import dev.l2c.io.AtomicFile;
import dev.l2c.report.ReportText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The main job on a real model: all-MiniLM-L6-v2 (fetched through Maven by the build) compressed
 * to a ratio with network-aware calibration on WordNet glosses, then judged against the fp32
 * model on the WordNet retrieval task in ONNX Runtime. The compression is the {@code compress}
 * command itself, run with the arguments the demo prints, so a run of the printed commands gives
 * the same file and the same figures.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Compress the real all-MiniLM-L6-v2 10x with KD calibration on WordNet glosses, then compare it with fp32 "
                + "on WordNet gloss -> lemma retrieval in ONNX Runtime.")
final class DemoCommand implements Callable<Integer> {
    static final Path DEFAULT_MODEL = Path.of("target", "models", "minilm", "all-minilm-l6-v2.onnx");

    @Option(names = "--model", paramLabel = "MODEL.onnx", description = "model to use (default: the fetched MiniLM)")
    Path model;

    @Option(names = "--work", paramLabel = "DIR", defaultValue = "out/demo", description = "where outputs go (default: ${DEFAULT-VALUE})")
    Path work;

    @Option(names = "--ratio", paramLabel = "R", defaultValue = "10", description = "target ratio (default: ${DEFAULT-VALUE})")
    double ratio;

    @Option(names = "--objective", converter = CliEnums.ObjectiveConverter.class, paramLabel = "OBJ", defaultValue = "kd",
            description = "kd, layerwise or data-free (default: ${DEFAULT-VALUE}, the best that fits in 5 minutes on 2 cores)")
    CliEnums.Objective objective;

    @Option(names = "--n", paramLabel = "N", defaultValue = "" + SynsetSelection.DEFAULT_COUNT,
            description = "synsets of the retrieval task (default: ${DEFAULT-VALUE})")
    int n;

    @Option(names = "--calib-size", paramLabel = "N", description = "calibration sentences (default: compress's)")
    Integer calibSize;

    @Option(names = "--kd-steps", paramLabel = "N", description = "KD transform-phase steps per round (default: compress's)")
    Integer kdSteps;

    @Option(names = "--recon-steps", paramLabel = "N", description = "reconstruction steps (default: compress's)")
    Integer reconSteps;

    @Option(names = "--steps", paramLabel = "N", description = "steps of the first (data-free) run (default: compress's)")
    Integer steps;

    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws L2cException {
        if (n < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--n must be at least 1, got " + n);
        long start = System.nanoTime();
        Path source = shortest(model != null ? model : locateDefaultModel());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path l2c = work.resolve("minilm-" + number(ratio) + "x.l2c");
        Path log = work.resolve("compress.log");
        PathChecks.input(source);
        PathChecks.notAnInput(l2c, "--work", source);
        PathChecks.notAnInput(log, "--work", source);
        createDirectories(work);

        List<String> compress = compressArgs(source, l2c);
        List<String> eval = List.of("eval", l2c.toString(), "--model", source.toString(), "--data", "wordnet", "--n", Integer.toString(n));
        out.printf("model: %s (%s)%n", source, ReportText.bytes(size(source)));
        out.printf("step 1/2: ./l2c %s%n", String.join(" ", compress));
        out.flush();
        long t0 = System.nanoTime();
        int rc;
        // The log is an output like any other (temporary file, renamed into place), kept whether
        // the step succeeds or not, since a failure's report is in it.
        try (AtomicFile logFile = AtomicFile.create(log, true)) {
            PrintWriter logWriter = new PrintWriter(Channels.newWriter(logFile.channel(), StandardCharsets.UTF_8));
            List<String> args = new ArrayList<>(compress);
            if (common.noProgress) args.add("--no-progress");
            rc = Main.run(args.toArray(String[]::new), logWriter, err);
            logWriter.flush();
            if (logWriter.checkError()) throw new L2cException(log + ": cannot write the compress report");
            logFile.commit();
        }
        if (rc != 0) throw new L2cException("demo: the compress step failed (exit " + rc + "); its report is in " + log);
        double compressSeconds = (System.nanoTime() - t0) / 1e9;
        out.printf("step 2/2: ./l2c %s%n", String.join(" ", eval));
        out.flush();
        common.applySimd(spec);
        RetrievalEvaluation r = (RetrievalEvaluation) Evaluation.wordNet().synsets(n).threads(common.threads())
                .device(common.device()).listener(common.listener(spec)).evaluate(l2c, source);

        out.println();
        out.printf("%-22s %12s %8s %8s %8s %9s  %s%n", "model", "bytes", "ratio", "acc@1", "acc@5", "cosine", "time");
        row(out, "fp32 ONNX", r.originalBytes(), 1, r.originalScores(),
                String.format(Locale.ROOT, "%.1f s embedding", r.originalScores().seconds()));
        row(out, "l2c " + CliEnums.label(objective) + " " + number(ratio) + "x", r.modelBytes(), r.ratio(), r.scores(),
                String.format(Locale.ROOT, "%.1f s compression", compressSeconds));
        out.printf("task: WordNet gloss -> lemma retrieval, %d synsets of the evaluation split (disjoint from calibration), "
                + "embeddings in ONNX Runtime; cosine = mean cosine of gloss embeddings to fp32's%n", r.synsets());
        out.printf("compress report: %s; demo total %.1f s%n", log, (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /** The compress command the demo runs (and prints, so it can be run by hand). */
    List<String> compressArgs(Path source, Path l2c) {
        List<String> a = new ArrayList<>(List.of("compress", source.toString(), "-o", l2c.toString(), "--ratio", number(ratio)));
        if (objective != CliEnums.Objective.DATA_FREE) a.addAll(List.of("--calib", "wordnet"));
        a.addAll(List.of("--objective", CliEnums.label(objective), "--force"));
        if (calibSize != null) a.addAll(List.of("--calib-size", calibSize.toString()));
        if (kdSteps != null) a.addAll(List.of("--kd-steps", kdSteps.toString()));
        if (reconSteps != null) a.addAll(List.of("--recon-steps", reconSteps.toString()));
        if (steps != null) a.addAll(List.of("--steps", steps.toString()));
        if (common.threads != null) a.addAll(List.of("--threads", common.threads.toString()));
        if (common.device != Device.AUTO) a.addAll(List.of("--device", CliEnums.label(common.device)));
        if (common.simd != null) a.addAll(List.of("--simd", common.simd));
        return a;
    }

    private static void row(PrintWriter out, String name, long bytes, double ratio, RetrievalEvaluation.Scores res, String time) {
        out.printf(Locale.ROOT, "%-22s %,12d %7.2fx %7.2f%% %7.2f%% %9.4f  %s%n", name, bytes, ratio, 100 * res.accuracyAt1(),
                100 * res.accuracyAt5(), res.meanCosine(), time);
    }

    /** 10 for 10.0, 12.5 for 12.5: how the ratio reads in file names and commands. */
    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** {@code p} relative to the working folder when it lies under it, so printed commands stay short. */
    private static Path shortest(Path p) {
        Path here = Path.of("").toAbsolutePath();
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(here) ? here.relativize(abs) : p;
    }

    private static Path locateDefaultModel() throws L2cException {
        Path here = Path.of(System.getProperty("l2c.home", ".")).resolve(DEFAULT_MODEL);
        if (!Files.isRegularFile(here)) {
            throw new L2cException(here + ": MiniLM not found; run ./l2c from the repository root (its build fetches the model), or pass --model");
        }
        return here;
    }

    private static void createDirectories(Path dir) throws L2cException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new L2cException(dir + ": cannot create the work folder (" + e.getMessage() + ")", e);
        }
    }

    private static long size(Path p) throws L2cException {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new L2cException(p + ": " + e.getMessage(), e);
        }
    }
}
