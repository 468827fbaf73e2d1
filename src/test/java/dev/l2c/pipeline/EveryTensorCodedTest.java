package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.backend.Backend;
import dev.l2c.backend.Backends;
import dev.l2c.backend.Device;
import dev.l2c.calib.CalibrationSettings;
import dev.l2c.codec.ValueType;
import dev.l2c.format.L2cReader;
import dev.l2c.format.TensorInfo;
import dev.l2c.format.TensorKind;
import dev.l2c.format.TransformType;
import dev.l2c.model.DType;
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
 * With the default options every float tensor is coded, biases included: ratio mode learns a
 * scale-only transform for them and packs their symbols where rANS's state and table would cost
 * more; the estimate of the rANS payload is within 3 % of the coded one; and a tensor whose
 * quantized entry would cost more than its exact one is stored exact.
 */
class EveryTensorCodedTest {
    @TempDir
    static Path dir;

    static Backend cpu;
    static Path model;

    @BeforeAll
    static void setUp() throws Exception {
        cpu = Backends.select(Device.CPU, m -> {});
        Random rnd = new Random(5);
        long[][] shapes = {{128, 256}, {10}, {64, 512}, {64}};
        Tensor[] tensors = new Tensor[shapes.length];
        for (int t = 0; t < shapes.length; t++) {
            int n = 1;
            for (long d : shapes[t]) n *= (int) d;
            float[] w = new float[n];
            for (int i = 0; i < n; i++) w[i] = (float) (rnd.nextGaussian() * 0.05);
            tensors[t] = Tensor.ofFloats("t" + t, shapes[t], w);
        }
        model = dir.resolve("model.safetensors");
        SafetensorsFile.write(model, List.of(tensors), Map.of(), false);
    }

    @Test
    void ratioModeCodesBiasesAndItsEstimateIsTheFile() throws Exception {
        CalibrationSettings d = CalibrationSettings.defaults();
        CalibrationSettings s = new CalibrationSettings(d.kind(), false, d.kernel(), d.resolution(), 30, d.learningRate(),
                d.lambda(), 0);
        Path out = dir.resolve("r8.l2c");
        CompressReport report = new Compressor(cpu, Progress.NONE).compress(model, out,
                CompressOptions.ratio(8, s, null, CompressOptions.DEFAULT_MIN_ELEMENTS, CompressOptions.DEFAULT_CHUNK, true));
        RatioReport r = report.ratio();
        assertTrue(r.size().reached(), r.toString());
        assertEquals(4, r.estimate().codedTensors());
        assertEquals(0, r.estimate().exactTensors());
        double error = r.estimate().estimatedPayloadBytes() / r.estimate().codedPayloadBytes() - 1;
        assertTrue(Math.abs(error) <= 0.03, "estimate off by " + error);
        try (L2cReader reader = L2cReader.open(out)) {
            for (TensorInfo t : reader.tensors()) assertEquals(TensorKind.QUANTIZED, t.kind(), t.name());
            TensorInfo bias = reader.tensor("t1");
            assertEquals(TransformType.UNIFORM, bias.transform().type());
            assertTrue(bias.streams().get(0).coding().isSmall(), bias.streams().get(0).toString());
            assertTrue(reader.tensor("t0").streams().get(0).coding().isRans());
        }
        // The decoded bias is within half a step of the original.
        Path back = dir.resolve("back.safetensors");
        new Decompressor(cpu, Progress.NONE).decompress(out, back, new DecompressOptions(ValueType.F32, null, true));
        float step;
        try (L2cReader reader = L2cReader.open(out)) {
            step = reader.tensor("t1").transform().params()[0];
        }
        try (SafetensorsFile original = SafetensorsFile.open(model); SafetensorsFile decoded = SafetensorsFile.open(back)) {
            float[] w = original.tensor("t1").toFloatArray();
            float[] v = decoded.tensor("t1").toFloatArray();
            for (int i = 0; i < w.length; i++) assertEquals(w[i], v[i], step / 2 * 1.0001, "element " + i);
        }
    }

    @Test
    void aQuantizedEntryCostlierThanTheExactOneIsNotWritten() throws Exception {
        Path in = dir.resolve("tiny.safetensors");
        // Eight bf16 channels of one weight each: eight 4-byte steps cost more than 16 raw bytes.
        float[] few = {0.3f, -1.2f, 2.5f, 0.01f, -0.7f, 1.9f, -2.2f, 0.05f};
        float[] many = new float[256];
        for (int i = 0; i < many.length; i++) many[i] = (float) Math.sin(i);
        SafetensorsFile.write(in, List.of(Conversions.convert(Tensor.ofFloats("few", new long[] {8, 1}, few), DType.BF16),
                Tensor.ofFloats("many", new long[] {16, 16}, many)), Map.of(), false);
        Path out = dir.resolve("tiny.l2c");
        new Compressor(cpu, Progress.NONE).compress(in, out,
                CompressOptions.uniform(8, true, null, CompressOptions.DEFAULT_MIN_ELEMENTS, CompressOptions.DEFAULT_CHUNK, true));
        try (L2cReader reader = L2cReader.open(out)) {
            assertTrue(reader.tensor("few").kind() != TensorKind.QUANTIZED, reader.tensor("few").toString());
            assertEquals(TensorKind.QUANTIZED, reader.tensor("many").kind());
        }
    }
}
