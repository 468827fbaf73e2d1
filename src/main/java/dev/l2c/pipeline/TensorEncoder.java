package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.codec.EncodedStream;
import dev.l2c.codec.FloatPlaneCodec;
import dev.l2c.codec.FrequencyTable;
import dev.l2c.codec.PackedSymbols;
import dev.l2c.codec.RansCodec;
import dev.l2c.codec.SingleLaneRans;
import dev.l2c.format.ContainerSize;
import dev.l2c.format.StreamInfo;
import dev.l2c.format.TensorInfo;
import dev.l2c.format.TensorKind;
import dev.l2c.format.TransformSpec;
import dev.l2c.format.TransformType;
import dev.l2c.io.DirectBuffers;
import dev.l2c.model.Tensor;
import dev.l2c.transform.Channels;
import dev.l2c.transform.MagnitudePruner;
import dev.l2c.transform.QuantizedTensor;
import dev.l2c.transform.UniformQuantizer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns one model tensor into its container entry and payloads: quantized and rANS-coded, float
 * planes coded losslessly, or stored raw (tensors that are not floating point).
 */
final class TensorEncoder {
    /**
     * Tensor attribute: the exact number of zero symbols of a quantized tensor, written for tensors
     * coded in 32 rANS lanes. Small tensors go without: on a small model at 40x the attribute was
     * 3 to 4 % of the file, and `inspect` counts their zeros from their symbols instead.
     */
    static final String ZEROS = "zeros";

    /** An entry and its payloads; {@code zeros} counts the weights coded as zero (0 for exact entries). */
    record Encoded(TensorInfo info, List<ByteBuffer> payloads, long zeros) {
        Encoded(TensorInfo info, List<ByteBuffer> payloads) {
            this(info, payloads, 0);
        }
    }

    private final RansCodec rans;
    private final CompressOptions options;
    private final FloatPlaneCodec planes;

    TensorEncoder(RansCodec rans, CompressOptions options) {
        this.rans = rans;
        this.options = options;
        this.planes = new FloatPlaneCodec(rans, options.chunkSymbols());
    }

    /** Whether {@code t} is stored exactly (raw or lossless) rather than quantized. */
    boolean exact(Tensor t) {
        return exact(t, options);
    }

    /** Whether {@code options} store {@code t} exactly (raw or lossless) rather than quantized. */
    static boolean exact(Tensor t, CompressOptions options) {
        return !t.dtype().isFloat() || isEmpty(t) || options.keepsExact(t.name(), t.numel());
    }

    /** An empty tensor has no values to quantize or model: it is stored raw (its entry alone). */
    private static boolean isEmpty(Tensor t) {
        return t.numel() == 0;
    }

    Encoded encode(Tensor t) throws L2cException {
        try {
            if (!t.dtype().isFloat() || isEmpty(t)) return raw(t);
            if (options.keepsExact(t.name(), t.numel())) return exactEntry(t);
            return smaller(quantized(t), exactEntry(t));
        } catch (L2cException e) {
            String message = e.getMessage();
            throw message.startsWith("tensor ") ? e : new L2cException("tensor " + t.name() + ": " + message, e);
        }
    }

    private Encoded quantized(Tensor t) throws L2cException {
        // Ratio modes quantize through their own searches and ask this encoder for exact entries only.
        if (!(options.mode() instanceof CompressMode.Uniform u)) {
            throw new IllegalStateException("tensor-by-tensor quantization needs uniform mode, not " + options.mode().attribute());
        }
        Channels channels = u.perChannel() && t.rank() >= 2 ? Channels.along(t.shape(), 0) : Channels.whole(t.numel());
        float[] weights = t.toFloatArray();
        if (u.sparsity() > 0) weights = new MagnitudePruner(t.name(), weights).prune(u.sparsity());
        QuantizedTensor q = new UniformQuantizer(u.bits()).quantize(t.name(), weights, channels);
        return quantized(t, q, new TransformSpec(TransformType.UNIFORM, channels.axis(), q.params()));
    }

    /**
     * The container entry and payload of {@code t} quantized to {@code q} under transform
     * {@code spec}: its symbols rANS-coded, or for a small tensor, whichever makes the smallest entry
     * of that, rANS with one lane (4 bytes of state instead of 128) and the symbols bit-packed (no
     * state, no table: a bias with a flat histogram, or no payload at all for one symbol).
     */
    Encoded quantized(Tensor t, QuantizedTensor q, TransformSpec spec) throws L2cException {
        FrequencyTable table = FrequencyTable.fromCounts(q.counts());
        EncodedStream s = rans.encode(q.symbols(), table, options.chunkSymbols());
        int width = q.alphabet().length <= 256 ? 1 : 2;
        long n = t.numel();
        Encoded coded = quantizedEntry(t, q, spec, StreamInfo.rans(width, n, table.precisionBits(), table.freqs(),
                s.chunkSymbols(), s.chunkOffsets()), s.payload());
        if (n > StreamInfo.MAX_SMALL_SYMBOLS) return coded;
        FrequencyTable small = FrequencyTable.fromCounts(q.counts(), FrequencyTable.MAX_PRECISION);
        ByteBuffer lane = SingleLaneRans.encode(q.symbols(), (int) n, small);
        Encoded oneLane = quantizedEntry(t, q, spec, StreamInfo.singleLaneRans(width, n, small.precisionBits(), small.freqs(),
                lane.remaining()), lane);
        int bits = PackedSymbols.bitsFor(q.alphabet().length);
        Encoded packed = quantizedEntry(t, q, spec, StreamInfo.packed(width, n, bits), PackedSymbols.pack(q.symbols(), (int) n, bits));
        return smaller(smaller(coded, oneLane), packed);
    }

    private static Encoded quantizedEntry(Tensor t, QuantizedTensor q, TransformSpec spec, StreamInfo stream, ByteBuffer payload) {
        long zeros = 0;
        for (int k = 0; k < q.alphabet().length; k++) if (q.alphabet()[k] == 0) zeros = q.counts()[k];
        Map<String, String> attributes = stream.coding().isSmall() ? Map.of() : Map.of(ZEROS, Long.toString(zeros));
        TensorInfo info = new TensorInfo(t.name(), Formats.stored(t.dtype()), t.shape(), TensorKind.QUANTIZED, spec,
                q.alphabet(), attributes, List.of(stream));
        return new Encoded(info, List.of(payload), zeros);
    }

    /** The smaller exact entry of {@code t}: byte planes coded losslessly, or raw. */
    Encoded exactEntry(Tensor t) throws L2cException {
        return smaller(lossless(t), raw(t));
    }

    /**
     * {@code bytes(exactEntry(t))}, measured without holding the entry: each byte plane is coded,
     * checksummed and freed in turn, so the memory is one plane and its coding, not the tensor's.
     */
    long exactBytes(Tensor t) throws L2cException {
        int count = Math.toIntExact(t.numel());
        FloatPlaneCodec.Layout layout = Formats.planeLayout(t.dtype());
        List<StreamInfo> streams = new ArrayList<>();
        List<int[]> checksums = new ArrayList<>();
        for (int p = 0; p < layout.planes; p++) {
            FloatPlaneCodec.Plane plane = planes.encode(layout, t.data(), count, p);
            StreamInfo stream = planeStream(plane, count);
            ByteBuffer payload = planePayload(plane);
            streams.add(stream);
            checksums.add(ContainerSize.checksums(stream, payload));
            DirectBuffers.free(payload);
        }
        long lossless = ContainerSize.ofChecksums(Map.of(), List.of(losslessInfo(t, streams)), List.of(checksums));
        // smaller(lossless, raw) keeps the smaller entry: its bytes are the smaller of the two.
        return Math.min(lossless, bytes(raw(t)));
    }

    private Encoded lossless(Tensor t) throws L2cException {
        int count = Math.toIntExact(t.numel());
        List<FloatPlaneCodec.Plane> coded = planes.encode(Formats.planeLayout(t.dtype()), t.data(), count);
        List<StreamInfo> streams = new ArrayList<>();
        List<ByteBuffer> payloads = new ArrayList<>();
        for (FloatPlaneCodec.Plane p : coded) {
            streams.add(planeStream(p, count));
            payloads.add(planePayload(p));
        }
        return new Encoded(losslessInfo(t, streams), payloads);
    }

    private static StreamInfo planeStream(FloatPlaneCodec.Plane p, int count) {
        if (!p.isRans()) return StreamInfo.raw(1, count);
        EncodedStream s = p.stream();
        return StreamInfo.rans(1, count, s.table().precisionBits(), s.table().freqs(), s.chunkSymbols(), s.chunkOffsets());
    }

    private static ByteBuffer planePayload(FloatPlaneCodec.Plane p) {
        return p.isRans() ? p.stream().payload() : p.raw();
    }

    private static TensorInfo losslessInfo(Tensor t, List<StreamInfo> streams) {
        return new TensorInfo(t.name(), Formats.stored(t.dtype()), t.shape(), TensorKind.LOSSLESS_FLOAT, TransformSpec.NONE, null,
                null, streams);
    }

    /**
     * The entry that makes the smaller file, {@code a} on a tie. Byte planes pay a stream header and
     * frequency table per plane, which a small tensor (a bias, a norm's scale) does not earn back, so
     * it is kept raw; and a quantized entry that costs more than its exact one is dominated (more
     * bytes and an error), so the exact one is stored: the rate-distortion choice, not a size rule.
     */
    static Encoded smaller(Encoded a, Encoded b) {
        return bytes(b) < bytes(a) ? b : a;
    }

    /** The bytes {@code e} adds to a file: its payloads, their alignment and its index entry. */
    static long bytes(Encoded e) {
        return fileBytes(Map.of(), List.of(e));
    }

    /** The exact bytes of the file holding {@code encoded} in this order, with {@code attributes}. */
    static long fileBytes(Map<String, String> attributes, List<Encoded> encoded) {
        List<TensorInfo> infos = new ArrayList<>(encoded.size());
        List<List<ByteBuffer>> payloads = new ArrayList<>(encoded.size());
        for (Encoded e : encoded) {
            infos.add(e.info());
            payloads.add(e.payloads());
        }
        return ContainerSize.of(attributes, infos, payloads);
    }

    private static Encoded raw(Tensor t) {
        TensorInfo info = new TensorInfo(t.name(), Formats.stored(t.dtype()), t.shape(), TensorKind.RAW,
                TransformSpec.NONE, null, null, List.of(StreamInfo.raw(t.dtype().byteSize(), t.numel())));
        return new Encoded(info, List.of(t.data().duplicate()));
    }
}
