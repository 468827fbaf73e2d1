package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.backend.Backends;
import dev.l2c.backend.Device;
import dev.l2c.format.L2cReader;
import dev.l2c.format.TensorInfo;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decoder against files that change under it. */
class ReaderRobustnessTest {
    @TempDir
    Path dir;

    static Backend cpu;

    @BeforeAll
    static void backend() throws Exception {
        cpu = Backends.select(Device.CPU, m -> {});
    }

    /** A .l2c file of one 6-bit quantized tensor "w" of 512 x 512 weights, in chunks of 4096 symbols. */
    private Path compressed() throws Exception {
        return compressed(CompressOptions.uniform(6, false, null, 1024, 4096, false));
    }

    private Path compressed(CompressOptions options) throws Exception {
        Random rnd = new Random(5);
        float[] w = new float[512 * 512];
        for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextGaussian();
        Path in = dir.resolve("in.safetensors");
        SafetensorsFile.write(in, List.of(Tensor.ofFloats("w", new long[] {512, 512}, w)), Map.of(), true);
        Path l2c = dir.resolve("w.l2c");
        Files.deleteIfExists(l2c);
        new Compressor(cpu, Progress.NONE).compress(in, l2c, options);
        return l2c;
    }

    @Test
    void fileTruncatedBetweenOpenAndDecodeIsAnError() throws Exception {
        Path l2c = compressed();
        try (L2cReader reader = L2cReader.open(l2c)) {
            TensorInfo w = reader.tensor("w");
            // Another process cuts the file after the reader checked it: the payload is gone.
            try (RandomAccessFile f = new RandomAccessFile(l2c.toFile(), "rw")) {
                f.setLength(200);
            }
            TensorDecoder decoder = new TensorDecoder(l2c.toString(), reader, cpu.rans());
            L2cException e = assertThrows(L2cException.class, () -> decoder.decode(w, null));
            assertTrue(e.getMessage().startsWith(l2c + ": truncated while reading"), e.getMessage());
            assertTrue(e.getMessage().contains("expected"), e.getMessage());
            L2cException v = assertThrows(L2cException.class, () -> decoder.verify(w));
            assertTrue(v.getMessage().startsWith(l2c + ": truncated while reading"), v.getMessage());
        }
    }

    @Test
    void verifyAfterTruncationIsAnError() throws Exception {
        Path l2c = compressed();
        long size = Files.size(l2c);
        try (L2cReader reader = L2cReader.open(l2c)) {
            try (RandomAccessFile f = new RandomAccessFile(l2c.toFile(), "rw")) {
                f.setLength(size / 2);
            }
            L2cException e = assertThrows(L2cException.class, () -> reader.verifyChecksums((done, total) -> {}));
            assertTrue(e.getMessage().startsWith(l2c + ": truncated while reading"), e.getMessage());
        }
    }

    @Test
    void batchesReassembleTheWholeTensor() throws Exception {
        // 64 chunks of 4096 symbols in batches of 5 chunks: the very bytes of one whole decode.
        Path l2c = compressed();
        try (L2cReader reader = L2cReader.open(l2c)) {
            TensorInfo w = reader.tensor("w");
            assertEquals(64, w.streams().get(0).chunkCount());
            TensorDecoder batched = new TensorDecoder(l2c.toString(), reader, cpu.rans(), 5 * 4096);
            Tensor decoded = batched.decode(w, null);
            batched.verify(w);
            var whole = dev.l2c.codec.EncodedStream.of(
                    dev.l2c.codec.FrequencyTable.of(w.streams().get(0).precisionBits(), w.streams().get(0).freqs()),
                    w.elementCount(), w.streams().get(0).chunkSymbols(), w.streams().get(0).chunkOffsets(),
                    reader.streamChunks(w, 0, 0, 64));
            float[] values = Transforms.values(w.transform(), w.alphabet());
            var expected = java.nio.ByteBuffer.allocateDirect((int) w.elementCount() * 4);
            cpu.rans().decodeValues(whole, 0, 64, values, dev.l2c.codec.ValueType.F32, expected);
            assertEquals(expected, decoded.data());
        }
    }

    @Test
    void batchesOfEveryKindMatchOneBatch() throws Exception {
        CompressOptions[] kinds = {CompressOptions.uniform(6, true, null, 1024, 4096, false),
            CompressOptions.lossless(null, 1024, 4096, false)};
        for (CompressOptions options : kinds) {
            Path l2c = compressed(options);
            try (L2cReader reader = L2cReader.open(l2c)) {
                TensorInfo w = reader.tensor("w");
                Tensor one = new TensorDecoder(l2c.toString(), reader, cpu.rans()).decode(w, null);
                Tensor batched = new TensorDecoder(l2c.toString(), reader, cpu.rans(), 3 * 4096).decode(w, null);
                assertEquals(one.data(), batched.data(), w.kind() + " " + w.transform());
            }
        }
    }
}
