package dev.l2c.report;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.l2c.L2cException;
import dev.l2c.io.Printable;
import java.io.IOException;

/**
 * Report records as indented JSON (what {@code --json} prints and {@code --report} writes), safe to
 * print on a terminal. Shared by the CLI and {@code dev.l2c.api}.
 */
public final class ReportJson {
    private ReportJson() {}

    /** The record as indented JSON, its strings escaped so that the text cannot drive a terminal. */
    public static String render(Object report) throws L2cException {
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
}
