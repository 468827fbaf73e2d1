package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.codec.EncodedStream;
import dev.l2c.codec.FloatPlaneCodec;
import dev.l2c.codec.FrequencyTable;
import dev.l2c.codec.RansCodec;
import dev.l2c.codec.ValueType;
import dev.l2c.format.L2cReader;
import dev.l2c.format.StreamCoding;
import dev.l2c.format.StreamInfo;
import dev.l2c.format.TensorInfo;
import dev.l2c.model.DType;
import dev.l2c.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import dev.l2c.transform.Channels;

/** Decodes one tensor of a .l2c file back into a model tensor. */
final class TensorDecoder {
    private final String file;
    private final L2cReader reader;
    private final RansCodec rans;

    TensorDecoder(String file, L2cReader reader, RansCodec rans) {
        this.file = file;
        this.reader = reader;
        this.rans = rans;
    }

    /**
     * Decodes {@code t}; {@code type} is the wanted float type of a float tensor, or null for its
     * original type. Errors name the file and the tensor.
     */
    Tensor decode(TensorInfo t, ValueType type) throws L2cException {
        DType original = Formats.model(t.dtype());
        checkSize(t, original);
        return switch (t.kind()) {
            case QUANTIZED -> quantized(t, original, type);
            case LOSSLESS_FLOAT -> convert(lossless(t, original), type);
            case RAW -> raw(t, original);
        };
    }

    /** An error about tensor {@code t} found here (reader errors name the file and tensor already). */
    private L2cException fail(TensorInfo t, String message, Throwable cause) {
        return new L2cException(file + ": tensor " + t.name() + ": " + message, cause);
    }

    private Tensor quantized(TensorInfo t, DType original, ValueType type) throws L2cException {
        requireStreams(t, 1);
        EncodedStream s = ransStream(t, 0);
        int count = Math.toIntExact(t.elementCount());
        if (s.symbolCount() != count) throw fail(t, "stream holds " + s.symbolCount() + " symbols for " + count + " elements", null);
        if (t.alphabet().length != s.table().alphabetSize()) {
            throw fail(t, "alphabet has " + t.alphabet().length + " symbols, frequency table " + s.table().alphabetSize(), null);
        }
        ValueType out = type != null ? type : Formats.valueType(original);
        Tensor decoded;
        try {
            decoded = t.transform().channelAxis() < 0 ? fused(t, s, out, count) : perChannel(t, s, out, count);
        } catch (L2cException e) {
            throw fail(t, e.getMessage(), e);
        }
        // f64 originals decode through f32 and widen back when no type was asked for.
        return type == null && original == DType.F64 ? Conversions.convert(decoded, DType.F64) : decoded;
    }

    /** One value table for the whole tensor: decoding writes the weights directly. */
    private Tensor fused(TensorInfo t, EncodedStream s, ValueType out, int count) throws L2cException {
        float[] values = Transforms.values(t.transform(), t.alphabet());
        ByteBuffer dst = ByteBuffer.allocateDirect(Math.multiplyExact(count, out.bytes())).order(ByteOrder.LITTLE_ENDIAN);
        rans.decodeValues(s, 0, s.chunkCount(), values, out, dst);
        return new Tensor(t.name(), Formats.model(out), t.shape(), dst);
    }

    private Tensor perChannel(TensorInfo t, EncodedStream s, ValueType out, int count) throws L2cException {
        Channels channels = Transforms.channels(t.transform(), t.shape());
        ShortBuffer symbols = ByteBuffer.allocateDirect(Math.multiplyExact(count, 2)).order(ByteOrder.nativeOrder()).asShortBuffer();
        rans.decodeSymbols(s, 0, s.chunkCount(), symbols);
        float[] weights = Transforms.dequantize(t.transform(), symbols, t.alphabet(), channels, count);
        return Conversions.convert(Tensor.ofFloats(t.name(), t.shape(), weights), Formats.model(out));
    }

    private Tensor lossless(TensorInfo t, DType original) throws L2cException {
        FloatPlaneCodec.Layout layout = Formats.planeLayout(original);
        requireStreams(t, layout.planes);
        int count = Math.toIntExact(t.elementCount());
        ByteBuffer[] planes = new ByteBuffer[layout.planes];
        for (int p = 0; p < planes.length; p++) {
            StreamInfo info = t.streams().get(p);
            if (info.elementBytes() != 1 || info.elementCount() != count) {
                throw fail(t, "plane " + p + " holds " + info.elementCount() + " x " + info.elementBytes()
                        + " bytes for " + count + " elements", null);
            }
            if (info.coding() == StreamCoding.RAW) {
                planes[p] = reader.rawStream(t, p, 0, count);
            } else {
                EncodedStream s = ransStream(t, p);
                planes[p] = ByteBuffer.allocateDirect(count);
                try {
                    rans.decodeBytes(s, 0, s.chunkCount(), planes[p]);
                } catch (L2cException e) {
                    throw fail(t, "plane " + p + ": " + e.getMessage(), e);
                }
            }
        }
        return new Tensor(t.name(), original, t.shape(), FloatPlaneCodec.join(layout, planes, count));
    }

    private Tensor raw(TensorInfo t, DType original) throws L2cException {
        requireStreams(t, 1);
        StreamInfo info = t.streams().get(0);
        long bytes = t.elementCount() * original.byteSize();
        if (info.coding() != StreamCoding.RAW || info.payloadLength() != bytes) {
            throw fail(t, "raw stream does not hold " + bytes + " bytes", null);
        }
        ByteBuffer view = reader.rawStream(t, 0, 0, (int) bytes);
        ByteBuffer copy = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(view.duplicate()).flip();
        return new Tensor(t.name(), original, t.shape(), copy);
    }

    private EncodedStream ransStream(TensorInfo t, int index) throws L2cException {
        StreamInfo info = t.streams().get(index);
        if (info.coding() != StreamCoding.RANS) throw fail(t, "stream " + index + " is not rANS-coded", null);
        FrequencyTable table;
        try {
            table = new FrequencyTable(info.precisionBits(), info.freqs());
        } catch (IllegalArgumentException e) {
            throw fail(t, "stream " + index + ": bad frequency table: " + e.getMessage(), e);
        }
        int chunks = info.chunkCount();
        ByteBuffer payload = reader.streamChunks(t, index, 0, chunks);
        return new EncodedStream(table, info.elementCount(), info.chunkSymbols(), info.chunkOffsets(), payload);
    }

    private static Tensor convert(Tensor t, ValueType type) {
        return type == null ? t : Conversions.convert(t, Formats.model(type));
    }

    private void requireStreams(TensorInfo t, int n) throws L2cException {
        if (t.streams().size() != n) {
            throw fail(t, t.kind() + " tensor has " + t.streams().size() + " streams, expected " + n, null);
        }
    }

    private void checkSize(TensorInfo t, DType original) throws L2cException {
        long n = t.elementCount();
        if (n < 0 || n > Tensor.MAX_BYTES / 8) {
            throw fail(t, "shape " + java.util.Arrays.toString(t.shape())
                    + " is too large to decode into memory (limit " + Tensor.MAX_BYTES + " bytes per tensor)", null);
        }
        if (t.kind() != dev.l2c.format.TensorKind.RAW && !original.isFloat()) {
            throw fail(t, t.kind() + " tensor has non-float type " + original, null);
        }
    }
}
