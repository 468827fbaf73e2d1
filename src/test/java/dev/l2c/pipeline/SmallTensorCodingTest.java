package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.backend.Backend;
import dev.l2c.backend.Backends;
import dev.l2c.backend.Device;
import dev.l2c.format.L2cReader;
import dev.l2c.format.ProgressListener;
import dev.l2c.format.StreamCoding;
import dev.l2c.format.TensorInfo;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small tensors take the cheapest coding of format version 4 (docs/FORMAT.md): one rANS lane for
 * a skewed kernel, packed symbols for a flat bias, 32 lanes for a large tensor; and every one
 * decodes to its quantized values.
 */
class SmallTensorCodingTest {
    @TempDir
    Path dir;

    static Backend cpu;

    @BeforeAll
    static void backend() throws Exception {
        cpu = Backends.select(Device.CPU, m -> {});
    }

    @Test
    void eachTensorTakesItsCheapestCodingAndDecodes() throws Exception {
        Random rnd = new Random(17);
        float[] skewed = new float[4608]; // a 3x3 depthwise-sized kernel bank: mostly near zero
        for (int i = 0; i < skewed.length; i++) skewed[i] = (float) (rnd.nextGaussian() * (i % 50 == 0 ? 1 : 0.02));
        float[] flat = new float[48];
        for (int i = 0; i < flat.length; i++) flat[i] = rnd.nextFloat() * 2 - 1;
        float[] large = new float[300 * 300];
        for (int i = 0; i < large.length; i++) large[i] = (float) rnd.nextGaussian();
        List<Tensor> tensors = List.of(Tensor.ofFloats("skewed", new long[] {skewed.length}, skewed),
                Tensor.ofFloats("flat", new long[] {flat.length}, flat),
                Tensor.ofFloats("large", new long[] {300, 300}, large));
        Path in = dir.resolve("in.safetensors");
        SafetensorsFile.write(in, tensors, Map.of(), true);
        Path l2c = dir.resolve("out.l2c");
        new Compressor(cpu, Progress.NONE).compress(in, l2c, CompressOptions.uniform(4, false, null, 0, 65536, false));
        try (L2cReader reader = L2cReader.open(l2c)) {
            assertEquals(StreamCoding.SINGLE_LANE_RANS, reader.tensor("skewed").streams().get(0).coding());
            assertEquals(StreamCoding.PACKED, reader.tensor("flat").streams().get(0).coding());
            assertEquals(4, reader.tensor("flat").streams().get(0).packedBits());
            assertEquals(StreamCoding.RANS, reader.tensor("large").streams().get(0).coding());
            reader.verifyChecksums(ProgressListener.NONE);
            TensorDecoder decoder = new TensorDecoder(l2c.toString(), reader, cpu.rans());
            for (Tensor original : tensors) {
                TensorInfo t = reader.tensor(original.name());
                decoder.verify(t);
                float[] back = decoder.decode(t, null).toFloatArray();
                float[] w = original.toFloatArray();
                float halfStep = t.transform().params()[0] / 2 * 1.0001f;
                float max = 0;
                for (float v : w) max = Math.max(max, Math.abs(v));
                for (int i = 0; i < w.length; i++) {
                    // Values inside the grid are within half a step; the grid's ends clip.
                    float bound = Math.abs(w[i]) < max - halfStep ? halfStep : Math.abs(w[i]) + halfStep;
                    assertTrue(Math.abs(back[i] - w[i]) <= bound, t.name() + "[" + i + "]: " + back[i] + " for " + w[i]);
                }
            }
        }
    }
}
