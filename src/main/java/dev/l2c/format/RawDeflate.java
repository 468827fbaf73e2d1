package dev.l2c.format;

import dev.l2c.L2cException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.function.Function;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Raw DEFLATE (RFC 1951, no zlib or gzip wrapper) of byte arrays the container stores whole: the
 * index section and an ONNX model's graph. Inflation takes the exact length the file declares
 * and refuses a length that DEFLATE could not produce from the stored bytes before allocating it.
 */
public final class RawDeflate {
    /** DEFLATE expands at most 1032:1 (a 258-byte match in at most two bits, RFC 1951), so a larger declared length is a lie. */
    public static final long MAX_EXPANSION = 1032;

    private RawDeflate() {}

    /** {@code data} compressed at the best level. */
    public static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
            byte[] buffer = new byte[8192];
            while (!deflater.finished()) {
                int n = deflater.deflate(buffer);
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /**
     * The {@code length} bytes that {@code in} (all its remaining bytes: one DEFLATE stream and
     * nothing after it) inflates to; {@code fail} turns what is wrong into the caller's exception.
     */
    public static byte[] inflate(ByteBuffer in, int length, Function<String, L2cException> fail) throws L2cException {
        int body = in.remaining();
        if (length < 0 || length > MAX_EXPANSION * body + 64) {
            throw fail.apply("declares " + length + " bytes, more than " + body + " DEFLATE bytes can hold");
        }
        byte[] out = new byte[length];
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(in.slice());
            int n = 0;
            while (n < length && !inflater.finished()) {
                int got = inflater.inflate(out, n, length - n);
                if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
                n += got;
            }
            // A complete stream ends exactly at the declared length; anything else is corruption.
            if (n < length) throw fail.apply("DEFLATE data ends after " + n + " of " + length + " bytes");
            if (!inflater.finished()) {
                byte[] one = new byte[1];
                if (inflater.inflate(one) > 0) throw fail.apply("DEFLATE data holds more than the declared " + length + " bytes");
                if (!inflater.finished()) throw fail.apply("DEFLATE data does not end after " + length + " bytes");
            }
            if (inflater.getRemaining() != 0) throw fail.apply(inflater.getRemaining() + " bytes after the DEFLATE data");
        } catch (DataFormatException e) {
            throw fail.apply("DEFLATE data corrupt (" + e.getMessage() + ")");
        } finally {
            inflater.end();
        }
        return out;
    }
}
