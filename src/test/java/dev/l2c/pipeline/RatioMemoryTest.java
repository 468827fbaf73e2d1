package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.l2c.testing.ChildJvm;
import dev.l2c.testing.MiniLm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        // The size of the file data-free --ratio 10 writes for MiniLM (deterministic; the graph stored with it).
        long expectedBytes = 9_004_182;
        Path model = MiniLm.onnx();
        Path out = dir.resolve("minilm.l2c");
        ChildJvm.Result r = ChildJvm.l2c(dir, List.of("-Xmx64m", "-XX:MaxDirectMemorySize=256m"),
                List.of("compress", model.toString(), "-o", out.toString(), "--ratio", "10", "--no-progress", "--device", "cpu"), 300);
        String output = r.output();
        assertEquals(0, r.exit(), output);
        assertEquals(expectedBytes, Files.size(out), output);
    }
}
