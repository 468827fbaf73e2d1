package dev.l2c.format;

import dev.l2c.L2cException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The index section of a version 3 file (docs/FORMAT.md, Index framing): a coding byte, the
 * index's length as a varint, then the index stored as it is or compressed with raw DEFLATE
 * (RFC 1951). On a small model the index is a third of the file (names, tables, alphabets) and
 * DEFLATE halves it; versions 1 and 2 store the index bare.
 */
final class IndexFraming {
    static final int STORED = 0;
    static final int DEFLATE = 1;
    private IndexFraming() {}

    /** The framed section holding {@code index}: DEFLATE where that is smaller, else stored. */
    static byte[] frame(byte[] index) {
        byte[] deflated = RawDeflate.deflate(index);
        boolean compress = deflated.length < index.length;
        byte[] body = compress ? deflated : index;
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 10);
        out.write(compress ? DEFLATE : STORED);
        IndexEncoder.varint(out, index.length);
        out.write(body, 0, body.length);
        return out.toByteArray();
    }

    /** The index held by a framed section; every length is checked before it is allocated. */
    static ByteBuffer unframe(String file, ByteBuffer section) throws L2cException {
        ByteBuffer in = section.duplicate();
        if (!in.hasRemaining()) throw fail(file, "empty (no coding byte)");
        int coding = in.get() & 0xff;
        long length = 0;
        for (int shift = 0; ; shift += 7) {
            if (!in.hasRemaining()) throw fail(file, "ends inside its length");
            if (shift > 56) throw fail(file, "length varint longer than 9 bytes");
            int b = in.get() & 0xff;
            length |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) break;
        }
        int body = in.remaining();
        if (length > Layout.MAX_INDEX_BYTES) throw fail(file, "length " + length + " above the 2 GiB limit");
        return switch (coding) {
            case STORED -> {
                if (length != body) throw fail(file, "stored index of " + body + " bytes declares " + length);
                yield in.slice().order(ByteOrder.LITTLE_ENDIAN);
            }
            case DEFLATE -> inflate(file, in, (int) length);
            default -> throw fail(file, "unknown coding " + coding);
        };
    }

    private static ByteBuffer inflate(String file, ByteBuffer in, int length) throws L2cException {
        return ByteBuffer.wrap(RawDeflate.inflate(in, length, what -> fail(file, what))).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static L2cException fail(String file, String what) {
        return new L2cException(file + ": index: " + what + " (index corrupt)");
    }
}
