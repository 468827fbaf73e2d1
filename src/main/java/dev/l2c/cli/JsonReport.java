package dev.l2c.cli;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.l2c.L2cException;
import dev.l2c.io.AtomicFile;
import dev.l2c.io.Printable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Writes a report record as indented JSON, through a temporary file renamed into place. */
final class JsonReport {
    private JsonReport() {}

    static String render(Object report) throws L2cException {
        try {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            mapper.getFactory().setCharacterEscapes(new TerminalSafeEscapes());
            return mapper.writeValueAsString(report);
        } catch (IOException e) {
            throw new L2cException("cannot render the report as JSON: " + e.getMessage(), e);
        }
    }

    /**
     * JSON's own escapes plus a backslash-u escape for DEL, C1 and bidi controls, which JSON may carry raw: the
     * parsed text is the same, and JSON printed on a terminal cannot drive it.
     */
    private static final class TerminalSafeEscapes extends CharacterEscapes {
        private final int[] ascii = standardAsciiEscapesForJSON();

        TerminalSafeEscapes() {
            ascii[0x7f] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int c) {
            return Printable.isControl(c) ? new SerializedString(String.format("\\u%04x", c)) : null;
        }
    }

    static void write(Path path, Object report, boolean force) throws L2cException {
        byte[] json = (render(report) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (AtomicFile out = AtomicFile.create(path, force)) {
            ByteBuffer b = ByteBuffer.wrap(json);
            while (b.hasRemaining()) out.channel().write(b);
            out.commit();
        } catch (IOException e) {
            throw new L2cException(path + ": cannot write the report: " + e.getMessage(), e);
        }
    }
}
