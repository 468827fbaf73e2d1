package dev.l2c.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.api.Compression;
import dev.l2c.api.L2cFile;
import dev.l2c.codec.FloatNarrowing;
import dev.l2c.model.DType;
import dev.l2c.model.ModelFiles;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The Spark job on {@code local[2]} (two executor threads, each task failing at most twice) writes
 * the file {@code l2c compress} writes on one machine, byte for byte: a 1 GB sharded bf16 checkpoint
 * lossless, and a list of two models in {@code --bits 4 --per-channel} with one task failed after
 * writing its part and retried.
 */
class CompressJobTest {
    private static final long SIZE = 1_000_000_000L;
    /** Ratio mode: the parted file's data-free distortion at most this times the single-machine file's. */
    private static final double MAX_DISTORTION_EXCESS = 1.25;
    private static JavaSparkContext spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        SparkConf conf = new SparkConf().setMaster("local[2,2]").setAppName("CompressJobTest").set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1");
        spark = new JavaSparkContext(conf);
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.close();
    }

    @Test
    @Tag("slow")
    void aOneGigabyteFolderOnLocal2IsTheSingleMachineFile() throws Exception {
        Assumptions.assumeTrue(Files.getFileStore(dir).getUsableSpace() > 4 * SIZE, "needs 4 GB of free disk in " + dir);
        Path folder = dir.resolve("big");
        run(List.of("python3", scripts().resolve("hf-folder.py").toString(), minilmBf16().toString(), folder.toString(), "--size",
                Long.toString(SIZE), "--shard-bytes", "300000000"));
        Path single = dir.resolve("single.l2c");
        long t0 = System.nanoTime();
        Compression.lossless().compress(folder, single);
        double singleSeconds = (System.nanoTime() - t0) / 1e9;
        Path parted = dir.resolve("spark.l2c");
        CompressJob.Target target = CompressJob.Target.beside(folder, parted);
        CompressJob.Outcome o = CompressJob.run(spark, List.of(target), JobOptions.lossless(), CompressJob.DEFAULT_PART_BYTES, false);
        CompressJob.Result r = o.results().get(0);
        System.out.printf("1 GB folder lossless: one machine %.1f s, local[2] %s; %s%n", singleSeconds, o.timing(), r.line());
        assertTrue(r.parts() > 10, r.parts() + " parts");
        assertEquals(-1, Files.mismatch(single, parted), "the Spark job's file is the single-machine file");
        assertFalse(Files.exists(target.partsDir()), "the parts are removed");
    }

    @Test
    void bitsOnAListOfModelsWithARetriedTaskIsTheSingleMachineFiles() throws Exception {
        Path onnx = minilmOnnx();
        Path bf16 = minilmBf16();
        Path out = dir.resolve("out");
        List<CompressJob.Target> targets = List.of(CompressJob.Target.beside(onnx, out.resolve("a.l2c")),
                CompressJob.Target.beside(bf16, out.resolve("b.l2c")));
        // Part 1 of the second model fails once, after its part file is in place: the retry rewrites it.
        CompressJob.hook = (task, attempt) -> {
            if (task.model() == 1 && task.part() == 1 && attempt == 0) throw new IllegalStateException("injected executor fault");
        };
        List<CompressJob.Result> results;
        try {
            results = CompressJob.run(spark, targets, JobOptions.bits(4, true), 4L << 20, false).results();
        } finally {
            CompressJob.hook = null;
        }
        for (int m = 0; m < targets.size(); m++) {
            Path single = dir.resolve("single-" + m + ".l2c");
            Compression.bits(4).perChannel(true).compress(targets.get(m).input(), single);
            assertTrue(results.get(m).parts() > 2, results.get(m).line());
            assertEquals(-1, Files.mismatch(single, targets.get(m).output()), targets.get(m) + ": the single-machine file");
        }
    }

    @Test
    void withoutTheGraphIsTheSingleMachineFileWithoutIt() throws Exception {
        Path onnx = resnet();
        CompressJob.Target target = CompressJob.Target.beside(onnx, dir.resolve("spark.l2c"));
        JobOptions bits = JobOptions.bits(6, false);
        JobOptions noGraph = new JobOptions(bits.bits(), 0, false, 0, 0, null, bits.minElements(), bits.chunkSymbols(), false, false);
        CompressJob.run(spark, List.of(target), noGraph, 64L << 10, false);
        Path single = dir.resolve("single.l2c");
        Compression.bits(6).storeGraph(false).compress(onnx, single);
        assertEquals(-1, Files.mismatch(single, target.output()), "the single-machine file with --no-graph");
        try (L2cFile file = L2cFile.open(target.output())) {
            assertFalse(file.hasOnnxGraph());
        }
    }

    @Test
    void aRatioOutOfReachFailsUnlessTheClosestFileIsAskedFor() throws Exception {
        Path onnx = resnet();
        CompressJob.Target target = CompressJob.Target.beside(onnx, dir.resolve("far.l2c"));
        JobOptions far = JobOptions.ratio(5000, 0);
        L2cException e = assertThrows(L2cException.class, () -> CompressJob.run(spark, List.of(target), far, 64L << 10, false));
        assertTrue(e.getMessage().contains("--ratio 5000") && e.getMessage().contains("not reached"), e.getMessage());
        assertFalse(Files.exists(target.output()));
        JobOptions closest = new JobOptions(0, far.ratio(), false, 0, 0, null, far.minElements(), far.chunkSymbols(), true, true);
        CompressJob.Result r = CompressJob.run(spark, List.of(target), closest, 64L << 10, true).results().get(0);
        assertTrue(r.line().contains("the closest file"), r.line());
        assertTrue(r.summary().fileBytes() > Files.size(onnx) / 5000, r.line());
        try (L2cFile file = L2cFile.open(target.output())) {
            file.verify(null);
        }
    }

    /**
     * Data-free ratio mode differs from the single-machine file (docs/DESIGN.md, "More than one
     * machine"): the same ratio band, and a data-free distortion (the sum of the tensors' relative
     * errors, measured on the decoded files) near the single-machine one's.
     */
    @Test
    @Tag("slow")
    void ratioOnLocal2HasTheTargetRatioAndTheSingleMachineDistortion() throws Exception {
        Path onnx = minilmOnnx();
        Path single = dir.resolve("single.l2c");
        long t0 = System.nanoTime();
        Compression.ratio(10).seed(0).compress(onnx, single);
        double singleSeconds = (System.nanoTime() - t0) / 1e9;
        CompressJob.Target target = CompressJob.Target.beside(onnx, dir.resolve("spark.l2c"));
        CompressJob.Outcome o = CompressJob.run(spark, List.of(target), JobOptions.ratio(10, 0), 8L << 20, false);
        CompressJob.Result r = o.results().get(0);
        double ratio = r.summary().sourceFileBytes() / (double) r.summary().fileBytes();
        double singleRatio = Files.size(onnx) / (double) Files.size(single);
        double d = distortion(target.output(), onnx);
        double singleD = distortion(single, onnx);
        System.out.printf("MiniLM --ratio 10: one machine %.1f s, ratio %.4f, D %.5f; local[2] %s, ratio %.4f, D %.5f; %s%n",
                singleSeconds, singleRatio, singleD, o.timing(), ratio, d, r.line());
        assertTrue(ratio >= 10 && ratio <= 10 / 0.98, "ratio " + ratio);
        assertTrue(d <= singleD * MAX_DISTORTION_EXCESS, "distortion " + d + " against the single machine's " + singleD);
        assertFalse(Files.exists(target.partsDir()), "the parts are removed");
    }

    private static double distortion(Path l2c, Path original) throws L2cException {
        try (L2cFile file = L2cFile.open(l2c)) {
            return file.compareWith(original).distortion();
        }
    }

    @Test
    void badOptionsAreRefusedBeforeSparkStarts() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new SparkCompress()).setErr(new PrintWriter(err));
        int exit = cli.execute("model", "-o", dir.resolve("x.l2c").toString(), "--lossless", "--per-channel");
        assertNotEquals(0, exit);
        assertTrue(err.toString().contains("--per-channel and --sparsity need --bits"), err.toString());
        err.getBuffer().setLength(0);
        assertNotEquals(0, cli.execute("model", "-o", "x.l2c", "--ratio", "10", "--sparsity", "0.5"));
        assertTrue(err.toString().contains("--ratio goes without --bits and --sparsity"), err.toString());
        err.getBuffer().setLength(0);
        assertNotEquals(0, cli.execute("model", "-o", "x.l2c", "--bits", "4", "--closest"));
        assertTrue(err.toString().contains("--closest needs --ratio"), err.toString());
    }

    private static Path scripts() {
        return Path.of(System.getProperty("l2c.scripts", "../scripts"));
    }

    private static Path resnet() {
        Path p = Path.of(System.getProperty("l2c.testModels", "../src/test/resources/models"), "fmnist-resnet.onnx");
        Assumptions.assumeTrue(Files.isRegularFile(p), "the zoo model is not at " + p);
        return p;
    }

    private static Path minilmOnnx() {
        Path p = Path.of(System.getProperty("l2c.models", "../target/models"), "minilm", "all-minilm-l6-v2.onnx");
        Assumptions.assumeTrue(Files.isRegularFile(p), "MiniLM not fetched (build the main project first): " + p);
        return p;
    }

    /** MiniLM's weights as one bf16 safetensors file (rounded to nearest even, as l2c narrows). */
    private Path minilmBf16() throws Exception {
        Path out = dir.resolve("minilm-bf16.safetensors");
        if (Files.exists(out)) return out;
        List<Tensor> tensors = new ArrayList<>();
        for (Tensor t : ModelFiles.readWeights(minilmOnnx())) {
            if (t.dtype() != DType.F32) continue;
            ByteBuffer b = ByteBuffer.allocate(2 * (int) t.numel()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < t.numel(); i++) b.putShort(FloatNarrowing.toBf16(t.data().getFloat(4 * i)));
            tensors.add(new Tensor(t.name(), DType.BF16, t.shape(), b.flip()));
        }
        SafetensorsFile.write(out, tensors, Map.of("format", "pt"), false);
        return out;
    }

    private void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), String.join(" ", command) + ": did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + Files.readString(dir.resolve("child.log")));
    }
}
