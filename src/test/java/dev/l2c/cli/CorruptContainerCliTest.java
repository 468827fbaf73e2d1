package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.model.DType;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged .l2c files through the CLI: every failure is exit 1 with one line naming the file, and a
 * file that still verifies decodes to exactly the weights of the undamaged one.
 */
class CorruptContainerCliTest {
    @TempDir
    Path dir;

    private Path compressed() throws Exception {
        Random rnd = new Random(11);
        float[] a = new float[40_000];
        for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextGaussian() * 0.02);
        float[] b = new float[3000];
        for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextGaussian();
        ByteBuffer ids = ByteBuffer.allocate(80).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 10; i++) ids.putLong(i * 7L);
        Path in = dir.resolve("in.safetensors");
        SafetensorsFile.write(in, List.of(Tensor.ofFloats("a", new long[] {200, 200}, a),
                Tensor.ofFloats("b", new long[] {3000}, b), new Tensor("ids", DType.I64, new long[] {10}, ids.flip())),
                Map.of(), false);
        Path l2c = dir.resolve("good.l2c");
        CliRunner r = CliRunner.run("compress", in.toString(), "-o", l2c.toString(), "--bits", "5", "--keep", "^b$", "--chunk", "4096");
        assertEquals(0, r.exit(), r.err());
        return l2c;
    }

    @Test
    void everyFlippedByteIsCaughtOrHarmless() throws Exception {
        Path good = compressed();
        Path goodOut = dir.resolve("good.safetensors");
        assertEquals(0, CliRunner.run("decompress", good.toString(), "-o", goodOut.toString()).exit());
        byte[] goodWeights = Files.readAllBytes(goodOut);
        byte[] bytes = Files.readAllBytes(good);
        Path bad = dir.resolve("bad.l2c");
        int caught = 0;
        int positions = 0;
        for (int pos = 0; pos < bytes.length; pos += Math.max(1, bytes.length / 300)) {
            byte[] copy = bytes.clone();
            copy[pos] ^= (byte) (1 << (pos % 8));
            Files.write(bad, copy);
            positions++;
            CliRunner v = CliRunner.run("verify", bad.toString());
            Path out = dir.resolve("bad-" + pos + ".safetensors");
            CliRunner d = CliRunner.run("decompress", bad.toString(), "-o", out.toString());
            if (v.exit() != 0) {
                caught++;
                assertEquals(1, v.exit(), "byte " + pos + ": " + v.err());
                assertEquals(1, d.exit(), "byte " + pos + ": verify failed but decompress succeeded");
                assertTrue(v.err().contains("bad.l2c"), v.err());
                assertEquals(1, CliRunner.errorLines(v.err()), v.err());
                assertTrue(!Files.exists(out), "a failed decompress left " + out);
            } else {
                assertEquals(0, d.exit(), d.err());
                assertTrue(Arrays.equals(goodWeights, Files.readAllBytes(out)), "byte " + pos + " changed the weights undetected");
            }
        }
        assertTrue(caught > positions * 0.8, caught + " of " + positions + " damaged files caught");
    }

    @Test
    void truncationsFail() throws Exception {
        Path good = compressed();
        byte[] bytes = Files.readAllBytes(good);
        Path bad = dir.resolve("cut.l2c");
        for (int len : new int[] {0, 1, 7, 8, 16, 64, bytes.length / 3, bytes.length / 2, bytes.length - 1}) {
            Files.write(bad, Arrays.copyOf(bytes, len));
            CliRunner v = CliRunner.run("verify", bad.toString());
            assertEquals(1, v.exit(), "length " + len + ": " + v.err());
            assertTrue(v.err().contains("cut.l2c"), v.err());
        }
    }

    @Test
    void existingOutputIsNotOverwrittenWithoutForce() throws Exception {
        Path good = compressed();
        Path out = dir.resolve("o.safetensors");
        Files.writeString(out, "keep me");
        CliRunner d = CliRunner.run("decompress", good.toString(), "-o", out.toString());
        assertEquals(1, d.exit());
        assertTrue(d.err().contains("--force"), d.err());
        assertEquals("keep me", Files.readString(out));
        assertEquals(0, CliRunner.run("decompress", good.toString(), "-o", out.toString(), "--force").exit());
    }
}
