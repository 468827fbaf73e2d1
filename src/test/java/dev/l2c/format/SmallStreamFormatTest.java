package dev.l2c.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The small-stream codings of version 4 (PACKED, SINGLE_LANE_RANS) in files forged from
 * docs/FORMAT.md: read when well formed, refused with a message naming the tensor and stream
 * otherwise, and refused in files of earlier versions.
 */
class SmallStreamFormatTest {
    @TempDir
    Path dir;

    /** Symbols 0, 1, 2, 1, 0 at 2 bits, LSB first: 0b01_10_01_00, then 0. */
    private static final byte[] PACKED_PAYLOAD = {(byte) 0b0110_0100, 0};

    /**
     * A QUANTIZED F32 tensor "b" of {@code n} elements, UNIFORM step 0.5, alphabet {-1, 0, 1}, whose
     * one stream has coding {@code coding} and the given tail after payloadLength.
     */
    private static Forge quantized(int coding, long n, long length, byte[] tail) {
        Forge f = new Forge().varint(0).varint(1);
        f.string("b").u8(2).varint(1).varint(n).u8(1);
        f.u8(1).varint(0).varint(1).u32(Float.floatToRawIntBits(0.5f));
        f.varint(3).varint(1).varint(2).varint(2); // -1, 0, 1 as zigzag deltas
        f.varint(0); // no attributes
        f.varint(1).u8(coding).u8(1).varint(n).varint(length == 0 ? 0 : 64).varint(length).raw(tail);
        return f;
    }

    private static byte[] packedTail(int bits, byte[] payload) {
        Forge t = new Forge().u8(bits);
        if (payload.length > 0) t.u32(Forge.crc(payload, 0, payload.length));
        return t.bytes();
    }

    private Path write(String name, int version, byte[] payload, byte[] index) throws Exception {
        Path p = dir.resolve(name);
        byte[] framed = new byte[index.length + 2];
        framed[0] = IndexFraming.STORED;
        framed[1] = (byte) index.length;
        System.arraycopy(index, 0, framed, 2, index.length);
        Files.write(p, Forge.file(version, payload, framed));
        return p;
    }

    private String failure(Path p) {
        return assertThrows(L2cException.class, () -> {
            try (L2cReader r = L2cReader.open(p)) {
                r.verifyChecksums(ProgressListener.NONE);
                r.smallStream(r.tensor("b"), 0);
            }
        }).getMessage();
    }

    @Test
    void aPackedStreamIsReadAndCheckedByItsCrc() throws Exception {
        byte[] index = quantized(2, 5, 2, packedTail(2, PACKED_PAYLOAD)).bytes();
        Path good = write("packed.l2c", 4, PACKED_PAYLOAD, index);
        try (L2cReader r = L2cReader.open(good)) {
            StreamInfo s = r.tensor("b").streams().get(0);
            assertEquals(StreamCoding.PACKED, s.coding());
            assertEquals(2, s.packedBits());
            assertEquals(0b0110_0100, r.smallStream(r.tensor("b"), 0).get(0) & 0xff);
            r.verifyChecksums(ProgressListener.NONE);
        }
        byte[] flipped = {(byte) 0b0110_0110, 0};
        assertTrue(failure(write("crc.l2c", 4, flipped, index)).endsWith("tensor 'b': stream 0: payload: CRC mismatch (payload corrupt)"));
        String v3 = failure(write("v3.l2c", 3, PACKED_PAYLOAD, index));
        assertTrue(v3.endsWith("index: tensor 'b': stream 0: stream coding PACKED, which format version 3 does not define"), v3);
    }

    @Test
    void aOneSymbolTensorHasNoPayload() throws Exception {
        Path p = write("empty.l2c", 4, new byte[0], quantized(2, 5, 0, packedTail(0, new byte[0])).bytes());
        try (L2cReader r = L2cReader.open(p)) {
            assertEquals(0, r.smallStream(r.tensor("b"), 0).remaining());
            r.verifyChecksums(ProgressListener.NONE);
        }
    }

    @Test
    void malformedSmallStreamsAreRefused() throws Exception {
        String wide = failure(write("wide.l2c", 4, new byte[0], quantized(2, 5, 11, packedTail(17, new byte[11])).bytes()));
        assertTrue(wide.contains("tensor 'b'") && wide.contains("PACKED symbols of 17 bits, outside 0..8"), wide);
        String length = failure(write("length.l2c", 4, new byte[3], quantized(2, 5, 3, packedTail(2, new byte[3])).bytes()));
        assertTrue(length.contains("payload of 3 bytes, 5 symbols of 2 bits need 2"), length);
        // Single lane: a table {3, 1} at P = 2 and payloads of impossible lengths.
        byte[] odd = new byte[5];
        byte[] oddTail = new Forge().u8(2).varint(2).varint(3).varint(1).u32(Forge.crc(odd, 0, 5)).bytes();
        String oddLength = failure(write("odd.l2c", 4, odd, quantized(3, 5, 5, oddTail).bytes()));
        assertTrue(oddLength.contains("SINGLE_LANE_RANS payload of 5 bytes for 5 symbols"), oddLength);
        byte[] big = new byte[16];
        byte[] bigTail = new Forge().u8(2).varint(2).varint(3).varint(1).u32(Forge.crc(big, 0, 16)).bytes();
        String tooLong = failure(write("long.l2c", 4, big, quantized(3, 5, 16, bigTail).bytes()));
        assertTrue(tooLong.contains("SINGLE_LANE_RANS payload of 16 bytes for 5 symbols"), tooLong);
    }
}
