package dev.l2c.format;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Serializes the index (docs/FORMAT.md, Index) from already validated tensors and their locations. */
final class IndexEncoder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(4096);

    static byte[] encode(Map<String, String> fileAttributes, List<StoredTensor> tensors) {
        IndexEncoder e = new IndexEncoder();
        e.attributes(fileAttributes);
        e.varint(tensors.size());
        for (StoredTensor t : tensors) e.tensor(t);
        return e.out.toByteArray();
    }

    private void tensor(StoredTensor stored) {
        TensorInfo t = stored.info();
        string(t.name());
        u8(t.dtype().code());
        varint(t.shape().length);
        for (long d : t.shape()) varint(d);
        u8(t.kind().code());
        TransformSpec tr = t.transform();
        u8(tr.type().code());
        varint(tr.channelAxis() + 1L);
        varint(tr.params().length);
        for (float p : tr.params()) u32(Float.floatToRawIntBits(p));
        varint(t.alphabet().length);
        long previous = 0;
        for (int q : t.alphabet()) {
            long delta = q - previous;
            varint((delta << 1) ^ (delta >> 63));
            previous = q;
        }
        attributes(t.attributes());
        varint(t.streams().size());
        for (int i = 0; i < t.streams().size(); i++) stream(t.streams().get(i), stored.streams().get(i));
    }

    private void stream(StreamInfo s, StoredStream loc) {
        u8(s.coding().code());
        u8(s.elementBytes());
        varint(s.elementCount());
        varint(loc.offset());
        varint(loc.length());
        if (s.coding() == StreamCoding.RAW) {
            varint(loc.crcBlockBytes());
            for (int crc : loc.crcs()) u32(crc);
            return;
        }
        if (s.coding() == StreamCoding.PACKED) {
            u8(s.packedBits());
            for (int crc : loc.crcs()) u32(crc);
            return;
        }
        u8(s.precisionBits());
        varint(s.freqs().length);
        for (int f : s.freqs()) varint(f);
        if (s.coding() == StreamCoding.SINGLE_LANE_RANS) {
            for (int crc : loc.crcs()) u32(crc);
            return;
        }
        varint(s.chunkSymbols());
        varint(s.chunkCount());
        long[] offsets = s.chunkOffsets();
        for (int c = 0; c < s.chunkCount(); c++) {
            varint(offsets[c + 1] - offsets[c]);
            u32(loc.crcs()[c]);
        }
    }

    private void attributes(Map<String, String> attributes) {
        varint(attributes.size());
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            string(e.getKey());
            string(e.getValue());
        }
    }

    private void string(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        varint(bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    private void u8(int v) {
        out.write(v);
    }

    private void u32(int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }

    private void varint(long v) {
        varint(out, v);
    }

    /** Writes {@code v} to {@code out} as an unsigned LEB128 varint (docs/FORMAT.md, Conventions). */
    static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
