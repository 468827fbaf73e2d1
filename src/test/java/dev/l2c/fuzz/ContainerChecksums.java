package dev.l2c.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Rewrites the header, index and footer CRCs of a would-be .l2c file (docs/FORMAT.md) to match
 * its bytes, so mutated inputs get past those checks to the index parser and the decoders. The
 * payload CRCs inside the index are left alone: the fuzzer learns them from the comparisons.
 */
public final class ContainerChecksums {
    static final int HEADER = 64;
    static final int FOOTER = 32;

    private ContainerChecksums() {}

    /** A copy of {@code file} with its fixed-position CRCs made right (unchanged if too short). */
    public static byte[] refresh(byte[] file) {
        byte[] out = file.clone();
        if (out.length < HEADER + FOOTER) return out;
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(60, crc(out, 0, 60));
        int footer = out.length - FOOTER;
        long indexOffset = b.getLong(footer);
        long indexLength = b.getLong(footer + 8);
        if (indexOffset >= 0 && indexLength >= 0 && indexOffset <= footer && indexLength <= footer - indexOffset) {
            b.putInt(footer + 16, crc(out, (int) indexOffset, (int) indexLength));
        }
        b.putInt(footer + 20, crc(out, footer, 20));
        return out;
    }

    private static int crc(byte[] bytes, int from, int length) {
        CRC32C c = new CRC32C();
        c.update(bytes, from, length);
        return (int) c.getValue();
    }
}
