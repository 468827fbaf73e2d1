package dev.l2c.format;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Tensors and payloads for the container tests: every kind, coding and edge size. */
final class Samples {
    final List<TensorInfo> tensors = new ArrayList<>();
    final List<List<byte[]>> payloads = new ArrayList<>();

    private final Random random;

    Samples(long seed, boolean withLargeRaw) {
        random = new Random(seed);
        add(new TensorInfo("empty", StoredDType.F32, new long[] {0, 5}, TensorKind.RAW, null, null, null,
                List.of(StreamInfo.raw(4, 0))), new byte[0]);
        add(new TensorInfo("scalar", StoredDType.F32, new long[0], TensorKind.RAW, null, null,
                Map.of("note", "a scalar"), List.of(StreamInfo.raw(4, 1))), bytes(4));
        addQuantized();
        addLossless();
        addEmptyQuantized();
        if (withLargeRaw) {
            int n = 3 * (1 << 20) + 5;
            add(new TensorInfo("embeddings.weight", StoredDType.U8, new long[] {n}, TensorKind.RAW, null, null, null,
                    List.of(StreamInfo.raw(1, n))), bytes(n));
        }
    }

    static Map<String, String> fileAttributes() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("producer", "l2c test");
        a.put("source-file", "mödel/ñame ✓.onnx");
        a.put("", "");
        return a;
    }

    /** A QUANTIZED tensor whose RANS stream has many chunks of random sizes, one of them empty. */
    private void addQuantized() {
        int rows = 128;
        int cols = 33;
        int chunkSymbols = 32;
        int n = rows * cols;
        int chunks = (n + chunkSymbols - 1) / chunkSymbols;
        long[] offsets = new long[chunks + 1];
        for (int c = 0; c < chunks; c++) offsets[c + 1] = offsets[c] + (c == 5 ? 0 : 1 + random.nextInt(40));
        float[] params = new float[rows];
        for (int i = 0; i < rows; i++) params[i] = 1e-3f + random.nextFloat();
        params[0] = Float.MIN_VALUE; // the extremes of a valid step: the smallest subnormal and the largest float
        params[1] = Float.MAX_VALUE;
        int[] alphabet = {Integer.MIN_VALUE, -7, -3, -1, 0, 1, 3, 7, Integer.MAX_VALUE};
        int[] freqs = {1, 100, 300, 1000, 1244, 900, 300, 200, 50};
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("bits", "4");
        attrs.put("calib", "L2");
        add(new TensorInfo("encoder.layer.0.attention.self.query.weight", StoredDType.F16, new long[] {rows, cols},
                TensorKind.QUANTIZED, new TransformSpec(TransformType.UNIFORM, 0, params), alphabet, attrs,
                List.of(StreamInfo.rans(1, n, 12, freqs, chunkSymbols, offsets))), bytes((int) offsets[chunks]));
    }

    /** A LOSSLESS_FLOAT tensor: a rANS-coded plane with 16-bit symbols and a RAW plane. */
    private void addLossless() {
        int n = 3000;
        int chunkSymbols = 1024;
        long[] offsets = {0, 700, 1400, 1650};
        int[] freqs = new int[300];
        for (int i = 0; i < freqs.length; i++) freqs[i] = 1 + i % 200;
        freqs[7] = 1 << 16;
        add(new TensorInfo("lm_head.bias", StoredDType.BF16, new long[] {3, 1000}, TensorKind.LOSSLESS_FLOAT, null,
                null, null, List.of(StreamInfo.rans(2, n, 16, freqs, chunkSymbols, offsets), StreamInfo.raw(1, n))),
                bytes(1650), bytes(n));
    }

    private void addEmptyQuantized() {
        add(new TensorInfo("zero.rows", StoredDType.F32, new long[] {0, 7}, TensorKind.QUANTIZED,
                new TransformSpec(TransformType.EDGE_SCALE, -1, new float[] {0.5f, 0.25f}), new int[] {0}, null,
                List.of(StreamInfo.rans(1, 0, 1, new int[0], 4096, new long[] {0}))), new byte[0]);
    }

    private void add(TensorInfo info, byte[]... streamPayloads) {
        tensors.add(info);
        payloads.add(List.of(streamPayloads));
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    static List<ByteBuffer> buffers(List<byte[]> payloads) {
        List<ByteBuffer> list = new ArrayList<>();
        for (byte[] p : payloads) list.add(ByteBuffer.wrap(p));
        return list;
    }
}
