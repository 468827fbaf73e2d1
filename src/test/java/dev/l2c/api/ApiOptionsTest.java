package dev.l2c.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.OutputExistsException;
import dev.l2c.RatioOutOfReachException;
import dev.l2c.model.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's options beyond the basic modes (the ones {@code l2c compress} maps its flags onto),
 * decompression, verification and reports, and its typed exceptions.
 */
class ApiOptionsTest {
    @TempDir
    Path dir;

    @Test
    void aBaselineMeetsItsTargetAndReportsItsChoice() throws Exception {
        List<String> events = new ArrayList<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void progress(String stage, long done, long total) {}

            @Override
            public void started(String stage, long total, String unit) {
                events.add("start " + stage + " " + unit);
            }

            @Override
            public void finished(String stage) {
                events.add("end " + stage);
            }
        };
        CompressionResult r = Compression.ratio(5).method(Compression.Method.UNIFORM).perChannel(true).listener(listener)
                .compress(ApiModels.safetensors(dir), dir.resolve("u.l2c"));
        CompressionResult.Target t = r.target().orElseThrow();
        assertTrue(t.reached() && Math.abs(t.achieved() / 5 - 1) < 0.03, t.toString());
        assertTrue(r.report().text().contains("uniform baseline, target 5.00x"), r.report().text());
        assertTrue(r.report().json().contains("\"candidates\""), r.report().json());
        assertTrue(r.warnings().isEmpty());
        assertEquals("start uniform step search codings", events.get(0));
        assertEquals("end uniform step search", events.get(1));
    }

    @Test
    void settingsThatDoNotApplyAreRefusedNotIgnored() throws Exception {
        Path model = ApiModels.safetensors(dir);
        Path out = dir.resolve("x.l2c");
        assertThrows(IllegalArgumentException.class, () -> Compression.bits(8).method(Compression.Method.PRUNE));
        assertThrows(IllegalArgumentException.class, () -> Compression.lossless().sparsity(0.5));
        assertThrows(IllegalArgumentException.class, () -> Compression.bits(4).sparsity(1));
        assertThrows(IllegalArgumentException.class, () -> Compression.bits(4).seed(3));
        assertThrows(IllegalArgumentException.class, () -> Compression.bits(4).chunkSymbols(100));
        assertThrows(IllegalArgumentException.class, () -> Calibration.on(Calibration.DataSet.FMNIST).tokenizer(model));
        assertThrows(IllegalArgumentException.class, () -> Calibration.on(Calibration.DataSet.FMNIST).samples(0));
        IllegalArgumentException seed = assertThrows(IllegalArgumentException.class,
                () -> Compression.ratio(5).method(Compression.Method.PRUNE).seed(1).compress(model, out));
        assertTrue(seed.getMessage().contains("seed applies to the L2 method only"), seed.getMessage());
        IllegalArgumentException gptq = assertThrows(IllegalArgumentException.class,
                () -> Compression.ratio(5).method(Compression.Method.GPTQ).compress(model, out));
        assertTrue(gptq.getMessage().contains("needs calibration data"), gptq.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Compression.ratio(5).method(Compression.Method.GPTQ)
                .calibration(Calibration.on(Calibration.DataSet.FMNIST).objective(Calibration.Objective.KD)).compress(model, out));
        assertThrows(IllegalArgumentException.class, () -> Compression.ratio(5).calibration(Calibration.on(Calibration.DataSet.FMNIST)
                .objective(Calibration.Objective.LAYERWISE).kdSteps(3)).compress(model, out));
        assertThrows(IllegalArgumentException.class, () -> Compression.ratio(5).method(Compression.Method.PRUNE).perChannel(true)
                .compress(model, out));
        assertFalse(Files.exists(out), "nothing is written");
    }

    @Test
    void failuresAreTypedExceptions() throws Exception {
        Path model = ApiModels.safetensors(dir);
        RatioOutOfReachException far = assertThrows(RatioOutOfReachException.class,
                () -> Compression.ratio(100000).method(Compression.Method.PRUNE).compress(model, dir.resolve("far.l2c")));
        assertTrue(far.highest() < far.target() && far.lowest() <= far.highest(), far.getMessage());
        assertFalse(Files.exists(dir.resolve("far.l2c")));
        // Tensors matched by keep stay exact; asked again without force, the output exists.
        Path out = dir.resolve("k.l2c");
        Compression.bits(4).keep(Pattern.compile("^a\\.")).minElements(5000).compress(model, out);
        try (L2cFile f = L2cFile.open(out)) {
            assertEquals(StoredForm.LOSSLESS, f.find("a.weight").orElseThrow().form());
            assertEquals(StoredForm.QUANTIZED, f.find("b.weight").orElseThrow().form());
            assertEquals(StoredForm.LOSSLESS, f.find("c.weight").orElseThrow().form(), "4096 elements < minElements");
        }
        OutputExistsException exists = assertThrows(OutputExistsException.class, () -> Compression.lossless().compress(model, out));
        assertEquals(out.toString(), exists.output());
    }

    @Test
    void decompressionVerificationAndTheReport() throws Exception {
        Path file = dir.resolve("m.l2c");
        Compression.bits(8).compress(ApiModels.safetensors(dir), file);
        Path st = dir.resolve("out.safetensors");
        DecompressionResult d = Decompression.toSafetensors().floatsAs(ElementType.F16).threads(1).decompress(file, st);
        assertEquals(4, d.tensors());
        assertEquals(Files.size(st), d.outputBytes());
        try (L2cFile f = L2cFile.open(file, 1); SafetensorsFile back = SafetensorsFile.open(st)) {
            for (TensorEntry e : f.tensors()) {
                ElementType as = e.type().isFloat() ? ElementType.F16 : null;
                assertArrayEquals(ApiModels.bytes(f.decode(e.name(), as)), ApiModels.bytes(back.tensor(e.name()).data()), e.name());
            }
            Verification v = f.verify(ComputeDevice.CPU, ProgressListener.NONE);
            assertEquals(4, v.entries());
            assertEquals(2 * 64 * 128 + 4096 + 10, v.elements(), "every element");
            Report report = f.report();
            assertTrue(report.text().contains("total: 4 tensors"), report.text());
            assertTrue(report.json().contains("\"a.weight\""), report.json());
        }
        L2cException notAFolder = assertThrows(L2cException.class, () -> Decompression.toFolder().decompress(file, dir.resolve("d")));
        assertTrue(notAFolder.getMessage().contains("not a folder"), notAFolder.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Decompression.toSafetensors().floatsAs(ElementType.I8));
    }

    @Test
    void tensorsInMemoryCompressAsAFileOfThemWould() throws Exception {
        Path file = ApiModels.safetensors(dir);
        List<ModelTensor> tensors = new ArrayList<>();
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            for (var t : st.tensors()) {
                tensors.add(new ModelTensor(t.name(), ElementType.valueOf(t.dtype().name()), t.shape(), t.data()));
            }
            Path fromMemory = dir.resolve("mem.l2c");
            CompressionResult r = Compression.lossless().compress("my-model", tensors, fromMemory);
            assertEquals(2 * 64 * 128 * 4 + 4096 * 2 + 80, r.inputBytes(), "the tensors' bytes");
            try (L2cFile f = L2cFile.open(fromMemory)) {
                assertEquals("my-model", f.attributes().get("source-file"));
                assertEquals("memory", f.attributes().get("source-format"));
                for (var t : st.tensors()) assertArrayEquals(ApiModels.bytes(t.data()), ApiModels.bytes(f.decode(t.name())), t.name());
            }
            // The tensors are views of the mapped file: compressed while it is open.
            CompressionResult ratio = Compression.ratio(5).steps(10).compress("my-model", tensors, dir.resolve("mem-r.l2c"));
            assertTrue(ratio.target().orElseThrow().reached(), ratio.target().toString());
        }
        List<ModelTensor> twice = List.of(tensors.get(0), tensors.get(0));
        L2cException dup = assertThrows(L2cException.class, () -> Compression.lossless().compress("m", twice, dir.resolve("d.l2c")));
        assertTrue(dup.getMessage().contains("two tensors are named a.weight"), dup.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Compression.ratio(5).calibration(Calibration.on(Calibration.DataSet.FMNIST))
                .compress("m", tensors, dir.resolve("c.l2c")));
        assertThrows(IllegalArgumentException.class, () -> Compression.lossless().compress("a/b", tensors, dir.resolve("c.l2c")));
        assertThrows(IllegalArgumentException.class, () -> ModelTensor.ofFloats("x", new long[] {3}, new float[2]));
    }
}
