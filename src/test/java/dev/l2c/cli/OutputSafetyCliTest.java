package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.graph.GraphBuilder;
import dev.l2c.model.DType;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import dev.l2c.testing.MiniLm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the commands that write files refuse: bad --threads, outputs that are inputs or not regular files, bad paths. */
class OutputSafetyCliTest {
    @TempDir
    Path dir;

    Path model;
    Path onnx;

    @BeforeEach
    void writeModels() throws Exception {
        Random rnd = new Random(5);
        float[] w = new float[64 * 64];
        for (int i = 0; i < w.length; i++) w[i] = (float) (rnd.nextGaussian() * 0.05);
        model = dir.resolve("m.safetensors");
        SafetensorsFile.write(model, List.of(Tensor.ofFloats("fc.weight", new long[] {64, 64}, w)), Map.of(), false);
        onnx = new GraphBuilder("fc").input("X", DType.F32, 1, 64).initializer("W", w, 64, 64)
                .node("MatMul", List.of("X", "W"), List.of("Y")).output("Y", DType.F32, 1, 64).write(dir.resolve("m.onnx"));
    }

    private static void assertFails(int exit, String expected, CliRunner r) {
        assertEquals(exit, r.exit(), r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        if (exit == 1) assertEquals(1, CliRunner.errorLines(r.err()), r.err());
    }

    private List<Path> tempFiles() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    @Test
    void threadsOutsideTheirRangeAreAUsageErrorInEveryCommand() {
        Path out = dir.resolve("x.l2c");
        for (String n : new String[] {"0", "-1", "1025", "8000"}) {
            assertFails(2, "--threads", CliRunner.run("compress", model.toString(), "-o", out.toString(), "--lossless", "--threads", n));
            assertFails(2, "--threads", CliRunner.run("decompress", out.toString(), "-o", dir.resolve("y.safetensors").toString(),
                    "--threads", n));
            assertFails(2, "--threads", CliRunner.run("eval", out.toString(), "--model", onnx.toString(), "--data", "wordnet",
                    "--threads", n));
            assertFails(2, "--threads", CliRunner.run("demo", "--model", onnx.toString(), "--work", dir.resolve("demo").toString(),
                    "--threads", n));
            assertFails(2, "--threads", CliRunner.run("zoo", "train", "fmnist-resnet", "-o", dir.resolve("z.onnx").toString(),
                    "--threads", n));
        }
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(dir.resolve("demo")));
    }

    @Test
    void theMostThreadsAllowedRun() throws Exception {
        Path out = dir.resolve("x.l2c");
        CliRunner c = CliRunner.run("compress", model.toString(), "-o", out.toString(), "--bits", "8", "--threads", "1024",
                "--device", "cpu");
        assertEquals(0, c.exit(), c.err());
        CliRunner d = CliRunner.run("decompress", out.toString(), "-o", dir.resolve("y.safetensors").toString(), "--threads", "1024",
                "--device", "cpu");
        assertEquals(0, d.exit(), d.err());
    }

    @Test
    void anOutputThatIsAnInputIsRefusedEvenWithForce() throws Exception {
        byte[] weights = Files.readAllBytes(model);
        byte[] graph = Files.readAllBytes(onnx);
        assertFails(1, "is the input", CliRunner.run("compress", model.toString(), "-o", model.toString(), "--bits", "8", "--force"));
        // The same file under another name: a hard link, and a path spelled differently.
        Path hard = Files.createLink(dir.resolve("hard.safetensors"), model);
        assertFails(1, "is the input", CliRunner.run("compress", model.toString(), "-o", hard.toString(), "--bits", "8", "--force"));
        Path dotted = dir.resolve(".").resolve("m.safetensors");
        assertFails(1, "is the input", CliRunner.run("compress", model.toString(), "-o", dotted.toString(), "--bits", "8", "--force"));
        assertArrayEquals(weights, Files.readAllBytes(model));

        Path l2c = dir.resolve("m.l2c");
        assertEquals(0, CliRunner.run("compress", onnx.toString(), "-o", l2c.toString(), "--bits", "8").exit());
        assertFails(1, "is the input", CliRunner.run("decompress", l2c.toString(), "-o", onnx.toString(), "--model", onnx.toString(),
                "--force"));
        assertArrayEquals(graph, Files.readAllBytes(onnx));

        Path csv = Files.writeString(dir.resolve("results.png"), "method,ratio,value\nl2,4,0.9\nl2,8,0.8\n");
        assertFails(1, "is the input", CliRunner.run("chart", "--csv", csv.toString(), "-o", csv.toString(), "--force"));
        assertTrue(Files.readString(csv).startsWith("method,ratio,value"));

        // The demo's own outputs: a model stored under the name of its compress report.
        Path logNamed = Files.copy(onnx, dir.resolve("compress.log"));
        assertFails(1, "is the input", CliRunner.run("demo", "--model", logNamed.toString(), "--work", dir.toString()));
        assertArrayEquals(graph, Files.readAllBytes(logNamed));

        // zoo train reads its four data files before it writes.
        Path data = Files.createDirectory(dir.resolve("fmnist"));
        Path images = Files.writeString(data.resolve("train-images-idx3-ubyte.gz"), "images");
        assertFails(1, "is the input", CliRunner.run("zoo", "train", "fmnist-resnet", "-o", images.toString(), "--data-dir",
                data.toString(), "--force"));
        assertEquals("images", Files.readString(images));

        Path report = dir.resolve("r.json");
        assertFails(1, "--report", CliRunner.run("compress", model.toString(), "-o", report.toString(), "--ratio", "4", "--report",
                report.toString()));
        assertEquals(List.of(), tempFiles());
    }

    @Test
    void aSymbolicLinkOrFifoOutputIsNotReplacedEvenWithForce() throws Exception {
        Path other = Files.writeString(dir.resolve("other.txt"), "keep me");
        Path link = Files.createSymbolicLink(dir.resolve("link.l2c"), other);
        assertFails(1, "symbolic link", CliRunner.run("compress", model.toString(), "-o", link.toString(), "--bits", "8", "--force"));
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("keep me", Files.readString(other));

        Path fifo = dir.resolve("fifo.l2c");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertFails(1, "not a regular file", CliRunner.run("compress", model.toString(), "-o", fifo.toString(), "--bits", "8", "--force"));
        assertTrue(Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther(), "the FIFO is still there");
        assertEquals(List.of(), tempFiles());
    }

    @Test
    void outputsHonourTheUmaskAndAReplacedFileKeepsItsMode() throws Exception {
        Path plain = Files.createFile(dir.resolve("plain"));
        Path out = dir.resolve("x.l2c");
        assertEquals(0, CliRunner.run("compress", model.toString(), "-o", out.toString(), "--bits", "8").exit());
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out));
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(0, CliRunner.run("compress", model.toString(), "-o", out.toString(), "--bits", "4", "--force").exit());
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    }

    @Test
    void ofTwoRunsRacingToOneNewOutputWithoutForceExactlyOneWins() throws Exception {
        for (int round = 0; round < 4; round++) {
            Path out = dir.resolve("race" + round + ".l2c");
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                List<java.util.concurrent.Future<CliRunner>> runs = new java.util.ArrayList<>();
                for (String bits : new String[] {"8", "4"}) {
                    runs.add(pool.submit(() -> {
                        start.await();
                        return CliRunner.run("compress", model.toString(), "-o", out.toString(), "--bits", bits, "--device", "cpu");
                    }));
                }
                start.countDown();
                CliRunner a = runs.get(0).get();
                CliRunner b = runs.get(1).get();
                assertEquals(1, (a.exit() == 0 ? 1 : 0) + (b.exit() == 0 ? 1 : 0), a.err() + b.err());
                CliRunner loser = a.exit() == 0 ? b : a;
                assertFails(1, "output exists", loser);
                // The file is the winner's, whole: it decodes.
                assertEquals(0, CliRunner.run("verify", out.toString()).exit());
            } finally {
                pool.shutdownNow();
            }
        }
        assertEquals(List.of(), tempFiles());
    }

    @Test
    void anEmptyOutputPathIsAUsageErrorNamingTheOption() {
        assertFails(2, "-o", CliRunner.run("compress", model.toString(), "-o", "", "--bits", "8"));
        assertFails(2, "-o", CliRunner.run("decompress", "m.l2c", "-o", ""));
        assertFails(2, "-o", CliRunner.run("chart", "--csv", "r.csv", "-o", ""));
        assertFails(2, "-o", CliRunner.run("zoo", "train", "fmnist-resnet", "-o", ""));
        assertFails(2, "--report", CliRunner.run("compress", model.toString(), "-o", "x.l2c", "--ratio", "4", "--report", ""));
    }

    @Test
    void anInputThatIsNotARegularFileSaysWhatItIs() throws Exception {
        Path out = dir.resolve("x.l2c");
        // A folder is a model folder to compress (FolderCliTest); one without weights says so.
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertFails(1, "holds no .safetensors file", CliRunner.run("compress", empty.toString(), "-o", out.toString(), "--bits", "8"));
        assertFails(1, "not a regular file", CliRunner.run("compress", "/dev/zero", "-o", out.toString(), "--bits", "8"));
        Path fifo = dir.resolve("in.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertFails(1, "not a regular file", CliRunner.run("compress", fifo.toString(), "-o", out.toString(), "--bits", "8"));
        assertFails(1, "is a directory", CliRunner.run("inspect", dir.toString()));
        assertFails(1, "not a regular file", CliRunner.run("verify", "/dev/zero"));
        assertFails(1, "not a regular file", CliRunner.run("decompress", fifo.toString(), "-o", dir.resolve("y.safetensors").toString()));
        assertFails(1, "no such file", CliRunner.run("compress", dir.resolve("missing.onnx").toString(), "-o", out.toString(), "--bits", "8"));
        assertFalse(Files.exists(out));
    }

    @Test
    void compressTakesTheTokenizerOfTextCalibration() throws Exception {
        assertFails(2, "--tokenizer", CliRunner.run("compress", model.toString(), "-o", "x.l2c", "--bits", "8", "--tokenizer", "t.json"));
        // MiniLM without its tokenizer beside it: the message names the option, which compress has.
        Path alone = Files.copy(MiniLm.onnx(), dir.resolve("minilm.onnx"));
        Path out = dir.resolve("x.l2c");
        CliRunner none = CliRunner.run("compress", alone.toString(), "-o", out.toString(), "--ratio", "10", "--calib", "wordnet",
                "--calib-size", "4");
        assertFails(1, "pass --tokenizer", none);
        // The option reaches the loader: a tokenizer that is not JSON is what it reports.
        Path bad = Files.writeString(dir.resolve("bad-tokenizer.json"), "not json");
        assertFails(1, "bad-tokenizer.json", CliRunner.run("compress", alone.toString(), "-o", out.toString(), "--ratio", "10",
                "--calib", "wordnet", "--calib-size", "4", "--tokenizer", bad.toString()));
        assertFails(1, "missing.json: no such file", CliRunner.run("compress", alone.toString(), "-o", out.toString(), "--ratio", "10",
                "--calib", "wordnet", "--tokenizer", dir.resolve("missing.json").toString()));
        assertFalse(Files.exists(out));
    }
}
