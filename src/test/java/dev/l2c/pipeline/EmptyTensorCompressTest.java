package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.l2c.backend.Backend;
import dev.l2c.backend.Backends;
import dev.l2c.backend.Device;
import dev.l2c.codec.ValueType;
import dev.l2c.model.DType;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An empty float tensor in a lossy mode with --min-elements 0 (found by RoundTripFuzzTest): it has
 * no values to quantize, so it must be stored exactly instead of failing with an internal error.
 */
class EmptyTensorCompressTest {
    @TempDir
    Path dir;

    @Test
    void emptyFloatTensorSurvivesEveryLossyMode() throws Exception {
        Backend cpu = Backends.select(Device.CPU, m -> {});
        Tensor empty = new Tensor("empty", DType.F16, new long[] {0, 3}, ByteBuffer.allocate(0));
        Tensor w = Tensor.ofFloats("w", new long[] {4, 8}, new float[32]);
        Path in = dir.resolve("in.safetensors");
        SafetensorsFile.write(in, List.of(empty, w), Map.of(), false);
        CompressOptions[] modes = {CompressOptions.uniform(4, false, null, 0, 64, true),
            CompressOptions.uniform(4, true, null, 0, 64, true).withSparsity(0.5),
            // A 32-weight model cannot reach 4x (the container's own bytes): the closest file is enough here.
            CompressOptions.baseline(4, RatioMethod.UNIFORM, null, 0, 64, true).withClosest()};
        for (int m = 0; m < modes.length; m++) {
            Path l2c = dir.resolve(m + ".l2c");
            Path out = dir.resolve(m + ".safetensors");
            new Compressor(cpu, Progress.NONE).compress(in, l2c, modes[m]);
            new Decompressor(cpu, Progress.NONE).decompress(l2c, out, new DecompressOptions(ValueType.F32, null, true));
            try (SafetensorsFile back = SafetensorsFile.open(out)) {
                assertArrayEquals(new long[] {0, 3}, back.tensor("empty").shape(), "mode " + m);
                assertEquals(0, back.tensor("empty").numel(), "mode " + m);
            }
        }
    }
}
