package dev.l2c.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.format.L2cReader;
import dev.l2c.format.L2cWriter;
import dev.l2c.format.StoredDType;
import dev.l2c.format.StreamInfo;
import dev.l2c.format.TensorInfo;
import dev.l2c.format.TensorKind;
import dev.l2c.format.TransformSpec;
import dev.l2c.format.TransformType;
import dev.l2c.pipeline.DecodeEveryTensor;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the decoders (the native rANS decoder included) behind intact checksums: one tensor with
 * fuzzed frequency tables, chunk tables, alphabet, step and payload bytes is written by the real
 * L2cWriter, which computes every CRC, then read and decoded. ContainerFuzzTest mutates whole
 * files and rarely gets a payload past its CRC; here every payload gets through. A refusal must
 * be an L2cException (writer or reader); anything else, a hang or a crash is a finding.
 */
class DecoderFuzzTest {
    private static final ScratchFiles SCRATCH = new ScratchFiles("decoder");
    private static final Backend CPU = FuzzBackend.CPU;
    private static final StoredDType[] FLOATS = {StoredDType.F32, StoredDType.F16, StoredDType.BF16, StoredDType.F64};
    /** Byte planes per lossless float type (pipeline/Formats.planeLayout). */
    private static final Map<StoredDType, Integer> PLANES =
            Map.of(StoredDType.F32, 4, StoredDType.F16, 2, StoredDType.BF16, 2, StoredDType.F64, 8);

    @FuzzTest
    void decodeWrittenStreams(FuzzedDataProvider data) {
        StoredDType dtype = data.pickValue(FLOATS);
        boolean quantized = data.consumeBoolean();
        int n = data.consumeInt(0, 600);
        long[] shape = data.consumeBoolean() ? new long[] {n} : new long[] {Math.max(1, n / 8), 8};
        if (shape.length == 2) n = (int) (shape[0] * 8);
        List<StreamInfo> streams = new ArrayList<>();
        List<ByteBuffer> payloads = new ArrayList<>();
        int planes = quantized ? 1 : PLANES.get(dtype);
        for (int p = 0; p < planes; p++) {
            if (!quantized && data.consumeBoolean()) {
                streams.add(StreamInfo.raw(1, n));
                payloads.add(ByteBuffer.wrap(Arrays.copyOf(data.consumeBytes(n), n)));
            } else {
                addRansStream(data, quantized ? 2 : 1, n, streams, payloads);
            }
        }
        int[] alphabet = null;
        TransformSpec transform = TransformSpec.NONE;
        if (quantized) {
            alphabet = new int[streams.get(0).freqs().length];
            for (int i = 0; i < alphabet.length; i++) alphabet[i] = data.consumeInt(-40000, 40000);
            transform = new TransformSpec(TransformType.UNIFORM, -1, new float[] {data.consumeFloat()});
        }
        TensorInfo info = new TensorInfo("t", dtype, shape, quantized ? TensorKind.QUANTIZED : TensorKind.LOSSLESS_FLOAT,
                transform, alphabet, Map.of(), streams);
        Path file = SCRATCH.root().resolve("input.l2c");
        try (L2cWriter w = L2cWriter.create(file, true, Map.of())) {
            w.addTensor(info, payloads);
            w.finish();
        } catch (L2cException notWritable) {
            return; // the writer refuses what the format cannot hold; nothing to decode
        }
        try (L2cReader reader = L2cReader.open(file)) {
            DecodeEveryTensor.decode(file, reader, CPU);
        } catch (L2cException refused) {
            // A clear refusal is the right answer to streams that do not decode.
        }
    }

    /** A RANS stream of {@code n} symbols: fuzzed precision, frequencies, chunking and bytes. */
    private static void addRansStream(FuzzedDataProvider data, int elementBytes, int n, List<StreamInfo> streams,
            List<ByteBuffer> payloads) {
        int precision = data.consumeInt(1, 16);
        int[] freqs = new int[data.consumeInt(n == 0 ? 0 : 1, elementBytes == 1 ? 256 : 300)];
        for (int i = 0; i < freqs.length; i++) freqs[i] = data.consumeInt(0, 1 << precision);
        int chunkSymbols = data.consumeInt(1, 1024);
        int chunks = (n + chunkSymbols - 1) / chunkSymbols;
        long[] offsets = new long[chunks + 1];
        for (int c = 0; c < chunks; c++) offsets[c + 1] = offsets[c] + data.consumeInt(0, 80);
        int bytes = (int) offsets[chunks];
        streams.add(StreamInfo.rans(elementBytes, n, precision, freqs, chunkSymbols, offsets));
        payloads.add(ByteBuffer.wrap(Arrays.copyOf(data.consumeBytes(bytes), bytes)));
    }
}
