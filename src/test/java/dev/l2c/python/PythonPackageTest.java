package dev.l2c.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.api.Compression;
import dev.l2c.backend.Backends;
import dev.l2c.backend.Device;
import dev.l2c.codec.ValueType;
import dev.l2c.pipeline.DecompressOptions;
import dev.l2c.pipeline.Decompressor;
import dev.l2c.pipeline.Progress;
import dev.l2c.testing.SampleFolders;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python package (python/l2c, ctypes over libl2c.so) decodes every tensor of every case bit
 * for bit like the Java decoder: files of every mode and type written here, decoded by Java to
 * safetensors, then python/tests run against them with python3 and numpy.
 */
class PythonPackageTest {
    @TempDir
    Path dir;

    private void decodeWithJava(Path l2c, String name) throws Exception {
        var cpu = Backends.select(Device.CPU, m -> {});
        new Decompressor(cpu, Progress.NONE).decompress(l2c, dir.resolve(name + ".safetensors"), new DecompressOptions(null, null, false));
        new Decompressor(cpu, Progress.NONE).decompress(l2c, dir.resolve(name + ".f32.safetensors"),
                new DecompressOptions(ValueType.F32, null, false));
    }

    private void add(String name, Compression how, Path model) throws Exception {
        Path l2c = dir.resolve(name + ".l2c");
        how.compress(model, l2c);
        decodeWithJava(l2c, name);
    }

    @Test
    void pythonDecodesLikeJava() throws Exception {
        Path models = Path.of("src/test/resources/models");
        add("mobilenet-ratio10", Compression.ratio(10), models.resolve("fmnist-mobilenet.onnx"));
        add("resnet-bits4-per-channel", Compression.bits(4).perChannel(true), models.resolve("fmnist-resnet.onnx"));
        add("vit-lossless", Compression.lossless(), models.resolve("fmnist-vit.onnx"));
        Path folder = SampleFolders.sampleFolder(dir.resolve("folder"));
        add("folder-bits8", Compression.bits(8), folder);
        add("folder-lossless", Compression.lossless(), folder);

        File log = dir.resolve("python.log").toFile();
        ProcessBuilder pb = new ProcessBuilder("python3", "-m", "unittest", "discover", "-s", "python/tests", "-v")
                .redirectErrorStream(true).redirectOutput(log);
        pb.environment().put("L2C_TEST_CASES", dir.toString());
        pb.environment().put("L2C_LIB", Path.of("target/native/libl2c.so").toAbsolutePath().toString());
        pb.environment().put("PYTHONPATH", Path.of("python").toAbsolutePath().toString());
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "python tests did not finish in 300 s");
        String out = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("OK"), out);
        assertTrue(List.of(out.split("\n")).stream().filter(l -> l.endsWith("... ok")).count() >= 7, out);
    }
}
