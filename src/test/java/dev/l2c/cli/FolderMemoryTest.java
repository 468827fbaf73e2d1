package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.testing.ChildJvm;
import dev.l2c.testing.MiniLm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GB sharded bf16 checkpoint (scripts/hf-folder.py --size: MiniLM's real tensors repeated,
 * each copy's lowest mantissa bits randomized) compressed --lossless and written back in a child
 * JVM with a 256 MB heap and 256 MB of direct memory: both stream tensor by tensor, so their peak
 * resident memory stays far below the model. Measured on a 2-core machine: 183–216 MB and 141–142 MB.
 * Before, compress read the shards through one memory mapping whose pages stayed resident
 * (1.16 GB), and decompress left each lossless tensor's byte planes to the collector (409 MB,
 * bounded only by the direct-memory limit).
 */
@Tag("slow")
class FolderMemoryTest {
    private static final long SIZE = 1_000_000_000L;
    /** Half the model: a resident copy of it, or of its decoded floats, would not fit. */
    private static final long MAX_RSS = SIZE / 2;

    @TempDir
    Path dir;

    @Test
    void aOneGigabyteFolderStreamsThroughASmallHeap() throws Exception {
        // Input, .l2c and output, with the input deleted before the output is written.
        Assumptions.assumeTrue(Files.getFileStore(dir).getUsableSpace() > 3 * SIZE,
                "needs 3 GB of free disk in " + dir);
        Path l2c = dir.resolve("minilm.l2c");
        Path bf16 = dir.resolve("minilm-bf16.safetensors");
        assertEquals(0, CliRunner.run("compress", MiniLm.onnx().toString(), "-o", l2c.toString(), "--lossless").exit());
        assertEquals(0, CliRunner.run("decompress", l2c.toString(), "-o", bf16.toString(), "--dtype", "bf16").exit());
        Path folder = dir.resolve("big");
        run(List.of("python3", "scripts/hf-folder.py", bf16.toString(), folder.toString(), "--size", Long.toString(SIZE),
                "--shard-bytes", "300000000"), 300);
        Map<String, String> before = hashes(folder);
        long folderBytes = 0;
        for (Path p : files(folder)) folderBytes += Files.size(p);

        Path out = dir.resolve("big.l2c");
        long compressRss = l2c("compress", folder.toString(), "-o", out.toString(), "--lossless");
        deleteTree(folder);
        Path back = dir.resolve("back");
        long decompressRss = l2c("decompress", out.toString(), "-o", back.toString());
        assertEquals(before, hashes(back), "the folder comes back byte for byte");
        System.out.printf("1 GB folder: %d bytes -> %d (%.2f %%); peak RSS compress %d MB, decompress %d MB%n", folderBytes,
                Files.size(out), 100.0 * Files.size(out) / folderBytes, compressRss >> 20, decompressRss >> 20);
        assertTrue(compressRss < MAX_RSS, "compress peak RSS " + compressRss);
        assertTrue(decompressRss < MAX_RSS, "decompress peak RSS " + decompressRss);
    }

    /** Runs l2c in a child JVM with small heap and direct memory; returns its peak resident set (VmHWM). */
    private long l2c(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--no-progress", "--device", "cpu"));
        ChildJvm.Result r = ChildJvm.l2c(dir, List.of("-Xms64m", "-Xmx256m", "-XX:MaxDirectMemorySize=256m", "-XX:+UseSerialGC"),
                all, 600);
        assertEquals(0, r.exit(), String.join(" ", args) + ":\n" + r.output());
        return r.peakRssBytes();
    }

    /** Runs {@code command}, failing on a non-zero exit. */
    private void run(List<String> command, int seconds) throws Exception {
        ChildJvm.Result r = ChildJvm.run(dir, command, seconds);
        assertEquals(0, r.exit(), String.join(" ", command) + ":\n" + r.output());
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static Map<String, String> hashes(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        byte[] buf = new byte[1 << 20];
        for (Path p : files(root)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(p)) {
                for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
            }
            out.put(root.relativize(p).toString(), HexFormat.of().formatHex(sha.digest()));
        }
        return out;
    }

    private static void deleteTree(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.sorted(java.util.Comparator.reverseOrder()).toList();
        }
        for (Path p : all) Files.delete(p);
    }
}
