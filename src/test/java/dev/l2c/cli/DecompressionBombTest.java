package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.format.L2cWriter;
import dev.l2c.format.StoredDType;
import dev.l2c.format.StreamInfo;
import dev.l2c.format.TensorInfo;
import dev.l2c.format.TensorKind;
import dev.l2c.format.TensorSink;
import dev.l2c.format.TransformSpec;
import dev.l2c.format.TransformType;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A valid file of a few kilobytes that declares 2^28 weights of one repeated symbol (a symbol of
 * frequency 2^P costs no bits): l2c runs it in a child JVM with a small heap.
 */
class DecompressionBombTest {
    private static final int CHUNK_SYMBOLS = 1 << 24; // the largest docs/FORMAT.md allows

    @TempDir
    Path dir;

    /** The bomb: one f32 tensor of {@code chunks} x 2^24 weights, with one step or one per half. */
    private Path bomb(int chunks, boolean perChannel) throws Exception {
        Path file = dir.resolve("bomb.l2c");
        long elements = (long) chunks * CHUNK_SYMBOLS;
        long[] offsets = new long[chunks + 1];
        for (int c = 0; c < chunks; c++) offsets[c + 1] = offsets[c] + 128;
        TransformSpec transform = perChannel ? new TransformSpec(TransformType.UNIFORM, 0, new float[] {0.5f, 0.25f})
                : new TransformSpec(TransformType.UNIFORM, -1, new float[] {0.5f});
        long[] shape = perChannel ? new long[] {2, elements / 2} : new long[] {elements};
        TensorInfo t = new TensorInfo("bomb", StoredDType.F32, shape, TensorKind.QUANTIZED, transform, new int[] {3}, null,
                List.of(StreamInfo.rans(1, elements, 1, new int[] {2}, CHUNK_SYMBOLS, offsets)));
        // Every lane starts and ends at L = 2^16 and emits no word: a chunk is just the 32 states.
        ByteBuffer chunk = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        for (int lane = 0; lane < 32; lane++) chunk.putInt(1 << 16);
        try (L2cWriter w = L2cWriter.create(file, false, Map.of())) {
            TensorSink sink = w.beginTensor(t);
            for (int c = 0; c < chunks; c++) sink.write(chunk.clear());
            sink.end();
            w.finish();
        }
        assertTrue(Files.size(file) < 4096, Files.size(file) + " bytes");
        return file;
    }

    /** Runs the CLI in a child JVM with {@code -Xmx128m}; returns exit code, stdout, stderr. */
    private static String[] runSmallHeap(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), "dev.l2c.cli.Main"));
        command.addAll(List.of(args));
        command.addAll(List.of("--no-progress", "--device", "cpu"));
        File out = File.createTempFile("l2c-out", ".txt");
        File err = File.createTempFile("l2c-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("l2c " + String.join(" ", args) + " did not finish in 300 s");
            }
            return new String[] {String.valueOf(p.exitValue()), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                Files.readString(err.toPath(), StandardCharsets.UTF_8)};
        } finally {
            out.delete();
            err.delete();
        }
    }

    @Test
    void verifyStreamsTheBombInBoundedMemory() throws Exception {
        Path file = bomb(16, true); // 2^28 weights: 1 GiB as f32, 8 times the heap
        String[] r = runSmallHeap("verify", file.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("OK (1 tensors, " + (16L << 24) + " elements decoded"), r[1]);
    }

    @Test
    void decompressStreamsAQuantizedTensorInBoundedMemory() throws Exception {
        Path file = bomb(15, false); // 960 MiB as f32: under the per-tensor limit, over the heap
        Path out = dir.resolve("bomb.safetensors");
        String[] r = runSmallHeap("decompress", file.toString(), "-o", out.toString());
        try {
            assertEquals("0", r[0], r[2]);
            long data = 15L * CHUNK_SYMBOLS * 4;
            assertTrue(Files.size(out) > data && Files.size(out) < data + 256, Files.size(out) + " bytes");
            try (var ch = java.nio.channels.FileChannel.open(out)) {
                ByteBuffer last = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(last, Files.size(out) - 4);
                assertEquals(1.5f, last.getFloat(0)); // symbol value 3 times step 0.5
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void decompressRunningOutOfMemoryIsOneLine() throws Exception {
        Path file = bomb(15, true); // per-channel tensors are decoded whole: 960 MiB, over the heap
        String err = decompressFails(file);
        assertTrue(err.startsWith("l2c: out of memory") && err.endsWith("raise -Xmx via L2C_JAVA_OPTS)"), err);
    }

    @Test
    void decompressRefusesATensorOverTheLimitBeforeDecoding() throws Exception {
        Path file = bomb(16, false);
        String err = decompressFails(file);
        assertEquals("l2c: " + file + ": tensor bomb: shape [268435456] is too large to decode into memory"
                + " (limit 2147483647 bytes per tensor)", err);
    }

    /** Runs decompress, expects exit 1 and no output; returns the one line on stderr. */
    private String decompressFails(Path file) throws Exception {
        Path out = dir.resolve("bomb.safetensors");
        String[] r = runSmallHeap("decompress", file.toString(), "-o", out.toString());
        assertEquals("1", r[0], r[2]);
        String err = r[2].strip();
        assertEquals(1, err.lines().count(), err);
        assertFalse(Files.exists(out));
        try (var left = Files.list(dir)) {
            assertEquals(List.of(file), left.toList(), "no temporary file is left");
        }
        return err;
    }
}
