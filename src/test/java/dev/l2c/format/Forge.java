package dev.l2c.format;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Builds .l2c bytes by hand from docs/FORMAT.md, independently of the writer, so tests can make
 * files with valid checksums but broken structure.
 */
final class Forge {
    static final byte[] MAGIC = {(byte) 0x89, 'L', '2', 'C', '\r', '\n', 0x1a, '\n'};

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Forge u8(int v) {
        out.write(v);
        return this;
    }

    Forge u32(int v) {
        for (int i = 0; i < 4; i++) out.write(v >>> (8 * i));
        return this;
    }

    Forge varint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    Forge raw(byte[] bytes) {
        out.write(bytes, 0, bytes.length);
        return this;
    }

    Forge string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return varint(b.length).raw(b);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** A RAW U8 tensor of {@code n} elements whose one stream lies at {@code offset}. */
    Forge rawTensor(String name, long n, long offset, long length, int... crcs) {
        string(name).u8(12).varint(1).varint(n).u8(0);
        u8(0).varint(0).varint(0); // transform NONE, per tensor, no params
        varint(0).varint(0); // no alphabet, no attributes
        varint(1).u8(0).u8(1).varint(n).varint(offset).varint(length).varint(1 << 20);
        for (int crc : crcs) u32(crc);
        return this;
    }

    static int crc(byte[] b, int from, int length) {
        CRC32C c = new CRC32C();
        c.update(b, from, length);
        return (int) c.getValue();
    }

    static byte[] header(int version, int flags) {
        ByteBuffer h = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC).putInt(version).putInt(flags);
        h.putInt(60, crc(h.array(), 0, 60));
        return h.array();
    }

    /** header + payloads (which start at byte 64) + index + footer, all checksums valid. */
    static byte[] file(byte[] payloads, byte[] index) {
        return file(1, payloads, index);
    }

    /** {@link #file(byte[], byte[])} with format version {@code version} in the header. */
    static byte[] file(int version, byte[] payloads, byte[] index) {
        ByteBuffer f = ByteBuffer.allocate(64 + payloads.length + index.length + 32).order(ByteOrder.LITTLE_ENDIAN);
        f.put(header(version, 0)).put(payloads).put(index);
        f.putLong(64 + payloads.length).putLong(index.length).putInt(crc(index, 0, index.length));
        f.putInt(crc(f.array(), f.position() - 20, 20)).put(MAGIC);
        return f.array();
    }

    /** Recomputes the header, index and footer checksums after an edit. */
    static void fixChecksums(byte[] file) {
        ByteBuffer f = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        f.putInt(60, crc(file, 0, 60));
        int footer = file.length - 32;
        long indexOffset = f.getLong(footer);
        if (indexOffset >= 64 && indexOffset <= footer) {
            f.putInt(footer + 16, crc(file, (int) indexOffset, footer - (int) indexOffset));
        }
        f.putInt(footer + 20, crc(file, footer, 20));
    }
}
