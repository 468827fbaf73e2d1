package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.l2c.testing.MiniLm;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-free {@code --ratio 10} on MiniLM (90.4 MB of weights) in a child JVM whose heap and direct
 * memory together are 3.5 times the model: the ONNX file must be streamed (not held on the heap),
 * ratio mode must work through the tensors one at a time in two scratch slots of the largest
 * tensor, and exact entries must be sized without being held (it needs about 230 MB of direct
 * memory: the weights, the scratch, the rANS encoder's scratch, the coded probes, and one byte
 * plane; before issue 12's memory work it ran out of direct memory even at -Xmx512m, and before
 * the streamed read the 90 MB file alone did not fit this heap). The file must be the one the
 * unbounded run writes.
 */
@Tag("slow")
class RatioMemoryTest {
    @Test
    void dataFreeRatioOnMiniLmFitsSmallHeapAndDirectMemory(@TempDir Path dir) throws Exception {
        // The size of the file data-free --ratio 10 writes for MiniLM (deterministic).
        long expectedBytes = 8_974_044;
        Path model = MiniLm.onnx();
        Path out = dir.resolve("minilm.l2c");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:MaxDirectMemorySize=256m", "-cp", System.getProperty("java.class.path"), "dev.l2c.cli.Main",
                "compress", model.toString(), "-o", out.toString(), "--ratio", "10", "--no-progress", "--device", "cpu");
        File log = dir.resolve("log.txt").toFile();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log);
        builder.environment().put("OMP_WAIT_POLICY", "passive");
        Process p = builder.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("compress did not finish in 300 s");
        }
        String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);
        assertEquals(expectedBytes, Files.size(out), output);
    }
}
