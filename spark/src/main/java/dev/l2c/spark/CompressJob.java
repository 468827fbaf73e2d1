package dev.l2c.spark;

import dev.l2c.L2cException;
import dev.l2c.backend.CpuBackend;
import dev.l2c.folder.ModelFolder;
import dev.l2c.io.AtomicFile;
import dev.l2c.pipeline.CompressMode;
import dev.l2c.pipeline.CompressOptions;
import dev.l2c.pipeline.ContainerSummary;
import dev.l2c.pipeline.PartedCompressor;
import dev.l2c.pipeline.PartedRatio;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * Compresses one or more models on a Spark cluster (docs/DESIGN.md, "More than one machine"):
 * the driver plans each model's parts ({@link PartedCompressor#plan}: headers only), one Spark
 * task codes each part into a part file on storage every executor and the driver share, and the
 * driver assembles each output from its parts, in order. Each output is byte for byte the file
 * {@code l2c compress} writes on one machine with the same options.
 *
 * <p>Retries are safe: a part is written under a temporary name and renamed over whatever is
 * there, and coding is deterministic, so a retried or speculative attempt writes the same bytes;
 * a part left by another run or other options is refused at assembly by its fingerprint.
 */
public final class CompressJob {
    /** Default weights per part: a few seconds of one core lossless, small enough to spread a 1 GB model over 2 cores. */
    public static final long DEFAULT_PART_BYTES = 64L << 20;

    /** One model to compress: its input and output, and where its parts go (shared storage). */
    public record Target(Path input, Path output, Path partsDir) {
        /** Parts in a hidden folder beside the output, on the storage the output goes to. */
        public static Target beside(Path input, Path output) {
            // Absolute: executors may run in another working directory.
            Path out = output.toAbsolutePath();
            return new Target(input.toAbsolutePath(), out, out.resolveSibling("." + out.getFileName() + ".parts"));
        }
    }

    /** What one output came to: its summary, its parts, and in ratio mode its lambda search (else null). */
    public record Result(Target target, ContainerSummary summary, int parts, PartedRatio.Outcome search) {
        /** One line for the job's log. */
        public String line() {
            String rounds = search == null ? "" : String.format(Locale.ROOT, ", lambda %.4g after %d rounds%s", search.chosen().lambda(),
                    search.rounds().size(), search.reached() ? "" : " (target out of reach: the closest file)");
            return String.format(Locale.ROOT, "%s -> %s: %d bytes -> %d (%.3fx), %d parts%s", target.input(), target.output(),
                    summary.sourceFileBytes(), summary.fileBytes(), summary.sourceFileBytes() / (double) summary.fileBytes(), parts,
                    rounds);
        }
    }

    /**
     * The job's outputs and the wall time of its steps: digesting folder files (stage 1), planning
     * (driver), coding the parts (stage 2) and assembling the outputs (driver).
     */
    public record Outcome(List<Result> results, double digestSeconds, double planSeconds, double encodeSeconds,
            double assembleSeconds) {
        public double seconds() {
            return digestSeconds + planSeconds + encodeSeconds + assembleSeconds;
        }

        /** One line for the job's log. */
        public String timing() {
            return String.format(Locale.ROOT, "%.1f s: digest %.1f s, plan %.1f s, code parts %.1f s, assemble %.1f s", seconds(),
                    digestSeconds, planSeconds, encodeSeconds, assembleSeconds);
        }
    }

    /** A part to code: which model, which part, where it goes, its weights' bytes (for the order). */
    record Task(int model, int part, String file, long bytes) implements Serializable {}

    /** Test hook, run on the executor after a part is written: a fault there makes Spark retry the task. */
    interface PartHook extends Serializable {
        void written(Task task, int attempt) throws Exception;
    }

    /** Local-mode tests only (executors share the driver's JVM); null in production. */
    static volatile PartHook hook;

    private CompressJob() {}

    /**
     * Compresses every target with {@code options} on {@code spark}; {@code force} replaces existing
     * outputs. Outputs are checked before any work; part folders are removed once their output is written.
     */
    public static Outcome run(JavaSparkContext spark, List<Target> targets, JobOptions options, long partBytes,
            boolean force) throws L2cException {
        long start = System.nanoTime();
        CompressOptions compress = options.compressOptions(force);
        for (Target t : targets) AtomicFile.checkTarget(t.output(), force);
        ModelFolder.Digest digest = digests(spark, targets);
        long digested = System.nanoTime();
        List<PartedCompressor.Plan> plans = new ArrayList<>();
        for (Target t : targets) plans.add(PartedCompressor.plan(t.input(), compress, partBytes, digest));
        long planned = System.nanoTime();
        Broadcast<List<PartedCompressor.Plan>> shared = spark.broadcast(plans);
        // Each model's parts: one stage for all models (lossless, bits), or a lambda search per model (ratio).
        List<PartedRatio.Outcome> searches = new ArrayList<>();
        if (compress.mode() instanceof CompressMode.Ratio) {
            for (int m = 0; m < targets.size(); m++) searches.add(PartedRatio.search(plans.get(m), compress, passes(spark, shared, m, targets.get(m), options)));
        } else {
            List<Task> tasks = new ArrayList<>();
            for (int m = 0; m < targets.size(); m++) tasks.addAll(tasks(plans.get(m), m, targets.get(m), 0));
            PartHook faults = hook;
            parallelize(spark, tasks).foreach(task -> {
                TaskContext context = TaskContext.get();
                PartedCompressor.encodePart(shared.value().get(task.model()), task.part(), compress(options), backend(context),
                        Path.of(task.file()));
                if (faults != null) faults.written(task, context == null ? 0 : context.attemptNumber());
            });
        }
        shared.destroy();
        long coded = System.nanoTime();
        List<Result> results = new ArrayList<>();
        for (int m = 0; m < targets.size(); m++) {
            Target t = targets.get(m);
            PartedRatio.Outcome search = searches.isEmpty() ? null : searches.get(m);
            if (search != null && !search.reached() && !options.closest()) {
                throw new L2cException(String.format(Locale.ROOT, "%s: --ratio %s not reached in %d rounds: the closest file had ratio"
                        + " %.4f (%d bytes for a target of %.0f)", t.input(), options.ratio(), search.rounds().size(),
                        plans.get(m).ratioBytes() / (double) search.chosen().fileBytes(), search.chosen().fileBytes(),
                        search.targetBytes()));
            }
            List<Path> parts = partFiles(plans.get(m), t, search == null ? 0 : search.chosen().round());
            ContainerSummary summary = PartedCompressor.assemble(plans.get(m), parts, t.output(), force);
            deleteParts(t.partsDir());
            results.add(new Result(t, summary, parts.size(), search));
        }
        long end = System.nanoTime();
        return new Outcome(results, (digested - start) / 1e9, (planned - digested) / 1e9, (coded - planned) / 1e9, (end - coded) / 1e9);
    }

    /** Ratio mode: each round of model {@code m}'s lambda search is one Spark stage over its parts. */
    private static PartedRatio.Passes passes(JavaSparkContext spark, Broadcast<List<PartedCompressor.Plan>> shared, int m, Target target,
            JobOptions options) {
        PartedCompressor.Plan plan = shared.value().get(m);
        PartHook faults = hook;
        return new PartedRatio.Passes() {
            @Override
            public List<PartedRatio.PartPoint> run(double lambda, double rateTarget, int round) {
                return parallelize(spark, tasks(plan, m, target, round)).map(task -> {
                    TaskContext context = TaskContext.get();
                    PartedRatio.PartPoint point = PartedRatio.calibratePart(shared.value().get(task.model()), task.part(),
                            compress(options), lambda, rateTarget, backend(context), Path.of(task.file()));
                    if (faults != null && !Double.isNaN(lambda)) faults.written(task, context == null ? 0 : context.attemptNumber());
                    return point;
                }).collect();
            }

            @Override
            public List<Path> partFiles(int round) {
                return CompressJob.partFiles(plan, target, round);
            }
        };
    }

    /** One task per part of {@code plan}, writing round {@code round}'s part files, largest parts first (the last tasks to start are short). */
    private static List<Task> tasks(PartedCompressor.Plan plan, int m, Target target, int round) {
        List<Task> tasks = new ArrayList<>();
        for (PartedCompressor.Part p : plan.parts()) tasks.add(new Task(m, p.index(), partFile(target, round, p.index()).toString(), p.bytes()));
        tasks.sort(Comparator.comparingLong(Task::bytes).reversed());
        return tasks;
    }

    private static org.apache.spark.api.java.JavaRDD<Task> parallelize(JavaSparkContext spark, List<Task> tasks) {
        return spark.parallelize(tasks, Math.max(1, tasks.size()));
    }

    /** On the executor: the kernels with the task's cores ({@code spark.task.cpus}); the bytes do not depend on them. */
    private static CpuBackend backend(TaskContext context) {
        return new CpuBackend(Math.max(1, context == null ? 1 : context.cpus()));
    }

    /**
     * Stage 1: the SHA-256 of every file of the folders among the inputs, one task per file, which a
     * folder's layout records (one machine reading a whole checkpoint for them would take longer
     * than coding it on the cluster).
     */
    private static ModelFolder.Digest digests(JavaSparkContext spark, List<Target> targets) throws L2cException {
        List<String> files = new ArrayList<>();
        for (Target t : targets) for (Path f : PartedCompressor.digestedFiles(t.input())) files.add(f.toString());
        if (files.isEmpty()) return ModelFolder::sha256;
        Map<String, String> digests = new HashMap<>(spark.parallelize(files, files.size())
                .mapToPair(f -> new Tuple2<>(f, ModelFolder.sha256(Path.of(f)))).collectAsMap());
        return file -> {
            String d = digests.get(file.toString());
            if (d == null) throw new L2cException(file + ": not in the folder when the job started (added since?)");
            return d;
        };
    }

    /** On the executor: the same options the driver planned with (force is the driver's concern). */
    private static CompressOptions compress(JobOptions options) {
        return options.compressOptions(true);
    }

    /** Part {@code index}'s file in round {@code round} (ratio mode's lambda rounds; 0 otherwise). */
    private static Path partFile(Target t, int round, int index) {
        Path dir = round == 0 ? t.partsDir() : t.partsDir().resolve("round-" + round);
        return dir.resolve(String.format(Locale.ROOT, "part-%05d.l2c", index));
    }

    private static List<Path> partFiles(PartedCompressor.Plan plan, Target t, int round) {
        List<Path> files = new ArrayList<>();
        for (PartedCompressor.Part p : plan.parts()) files.add(partFile(t, round, p.index()));
        return files;
    }

    /** Removes a parts folder the job made: its part files (of every round) and what a killed task left. */
    private static void deleteParts(Path dir) throws L2cException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new L2cException(dir + ": cannot remove the parts: " + e.getMessage(), e);
        }
    }
}
