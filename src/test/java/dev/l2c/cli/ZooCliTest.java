package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code l2c zoo train}: the argument checks that come before any training. */
class ZooCliTest {
    @TempDir
    Path dir;

    @Test
    void usageErrors() {
        String out = dir.resolve("m.onnx").toString();
        CliRunner r = CliRunner.run("zoo", "train", "imagenet-resnet", "-o", out);
        assertEquals(2, r.exit());
        for (String name : new String[] {"fmnist-resnet", "fmnist-mobilenet", "fmnist-vgg", "fmnist-vit"}) {
            assertTrue(r.err().contains(name), r.err());
        }
        // --blocks shapes the ResNet only; elsewhere it is an error, not silently ignored.
        r = CliRunner.run("zoo", "train", "fmnist-vgg", "-o", out, "--blocks", "2");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--blocks") && r.err().contains("fmnist-vgg"), r.err());
        assertEquals(2, CliRunner.run("zoo", "train", "fmnist-resnet", "-o", out, "--blocks", "0").exit());
        assertEquals(2, CliRunner.run("zoo", "train", "fmnist-resnet").exit());
        r = CliRunner.run("zoo", "train", "fmnist-resnet", "-o", out, "--epochs", "0");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--epochs"), r.err());
        assertEquals(2, CliRunner.run("zoo", "train", "fmnist-resnet", "-o", out, "--batch", "1").exit());
        assertEquals(2, CliRunner.run("zoo", "train", "fmnist-resnet", "-o", out, "--threads", "0").exit());
        assertEquals(2, CliRunner.run("zoo").exit());
        assertFalse(Files.exists(Path.of(out)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fmnist-resnet", "fmnist-mobilenet", "fmnist-vgg", "fmnist-vit"})
    void missingDataIsNamedBeforeTraining(String model) {
        Path out = dir.resolve("m.onnx");
        CliRunner r = CliRunner.run("zoo", "train", model, "-o", out.toString(), "--data-dir", dir.toString());
        assertEquals(1, r.exit());
        assertEquals(1, CliRunner.errorLines(r.err()), r.err());
        assertTrue(r.err().contains("train-labels-idx1-ubyte.gz") && r.err().contains("dataset-fashion-mnist"), r.err());
        assertFalse(Files.exists(out));
    }
}
