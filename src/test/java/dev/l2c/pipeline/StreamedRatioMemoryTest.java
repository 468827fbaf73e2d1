package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.cli.Main;
import dev.l2c.codec.FloatNarrowing;
import dev.l2c.model.DType;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import dev.l2c.testing.ChildJvm;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-free {@code --ratio 10} on a bf16 checkpoint whose float32 copy (32 MB) does not fit the
 * child JVM's 20 MB of direct memory: ratio mode must load and convert the
 * weights tensor by tensor as each pass needs them ({@code WeightCache}), keep no payloads in its
 * probes, and code the chosen state again as it writes. The file must reach the target and be the
 * one an unconstrained in-process run writes (where every tensor stays cached after its first load).
 */
@Tag("slow")
class StreamedRatioMemoryTest {
    /** 40 layers of 448 x 448 weights and 448 biases: 8.05 M weights, 16 MB as bf16, 32 MB as float32. */
    private static final int LAYERS = 40;
    private static final int WIDTH = 448;

    @Test
    void dataFreeRatioOnBf16CheckpointLargerThanDirectMemory(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model.safetensors");
        long modelBytes = writeBf16Model(model);

        Path unconstrained = dir.resolve("unconstrained.l2c");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"compress", model.toString(), "-o", unconstrained.toString(), "--ratio", "10",
                "--no-progress", "--device", "cpu"}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, out + "\n" + err);

        Path constrained = dir.resolve("constrained.l2c");
        ChildJvm.Result r = ChildJvm.l2c(dir, List.of("-Xmx48m", "-XX:MaxDirectMemorySize=20m"), List.of("compress",
                model.toString(), "-o", constrained.toString(), "--ratio", "10", "--no-progress", "--device", "cpu"), 300);
        String output = r.output();
        assertEquals(0, r.exit(), output);

        double ratio = modelBytes / (double) Files.size(constrained);
        assertTrue(ratio >= 10 * 0.98 && ratio <= 10 * 1.02, "ratio " + ratio + "\n" + output);
        assertArrayEquals(Files.readAllBytes(unconstrained), Files.readAllBytes(constrained), output);
    }

    /** Laplacian weights whose scale varies by layer and row, as bf16; returns the tensors' bytes. */
    static long writeBf16Model(Path path) throws Exception {
        Random rnd = new Random(7);
        List<Tensor> tensors = new ArrayList<>();
        long bytes = 0;
        for (int layer = 0; layer < LAYERS; layer++) {
            double layerScale = 0.02 * (1 + layer % 5);
            tensors.add(bf16("layers." + layer + ".weight", new long[] {WIDTH, WIDTH}, rnd, layerScale, WIDTH));
            tensors.add(bf16("layers." + layer + ".bias", new long[] {WIDTH}, rnd, layerScale / 4, 1));
        }
        for (Tensor t : tensors) bytes += t.byteSize();
        SafetensorsFile.write(path, tensors, Map.of(), false);
        return bytes;
    }

    private static Tensor bf16(String name, long[] shape, Random rnd, double scale, int rowLength) {
        int n = 1;
        for (long d : shape) n *= (int) d;
        ByteBuffer data = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        double rowScale = scale;
        for (int i = 0; i < n; i++) {
            if (i % rowLength == 0) rowScale = scale * (0.5 + rnd.nextDouble());
            double u = rnd.nextDouble() - 0.5;
            float v = (float) (-Math.signum(u) * Math.log(1 - 2 * Math.abs(u)) * rowScale);
            data.putShort(FloatNarrowing.toBf16(v));
        }
        return new Tensor(name, DType.BF16, shape, data.flip());
    }
}
