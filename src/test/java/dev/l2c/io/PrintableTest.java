package dev.l2c.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class PrintableTest {
    @Test
    void controlCharactersBecomeVisibleEscapes() {
        assertEquals("a\\x1b]0;title\\x07b", Printable.escape("a\u001b]0;title\u0007b"));
        assertEquals("line\\x0d\\x0afake", Printable.escape("line\r\nfake"));
        assertEquals("\\x00\\x09\\x7f\\x80\\x9b", Printable.escape("\u0000\t\u007f\u0080\u009b"));
        assertEquals("x\\u202egnp.exe\\u2066\\u2069\\u200f\\u061c", Printable.escape("x\u202egnp.exe\u2066\u2069\u200f\u061c"));
        assertEquals("null", Printable.escape(null));
    }

    @Test
    void ordinaryTextIsKept() {
        String s = "encoder.layer.0/ñame ✓ 模型 \\ \"q\" 😀";
        assertSame(s, Printable.escape(s));
    }
}
