package dev.l2c.io;

/**
 * Makes text from files safe to print on a terminal: names and messages come from untrusted
 * input, and a raw ESC, CR or bidi override in them could rewrite or hide what the user sees.
 */
public final class Printable {
    private Printable() {
    }

    /**
     * {@code text} with every C0 control, DEL, C1 control and Unicode bidi control replaced by a
     * visible escape (ESC as backslash x1b, U+202E as backslash u202e); other characters are kept. Null gives "null".
     */
    public static String escape(String text) {
        if (text == null) return "null";
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isControl(c)) {
                if (out != null) out.append(c);
                continue;
            }
            if (out == null) out = new StringBuilder(text.length() + 16).append(text, 0, i);
            out.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
        }
        return out == null ? text : out.toString();
    }

    /** Whether {@link #escape} replaces {@code c}: a C0 control, DEL, a C1 control or a bidi control. */
    public static boolean isControl(int c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || isBidiControl(c);
    }

    /** The explicit directional marks, embeddings, overrides and isolates. */
    private static boolean isBidiControl(int c) {
        return c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    }
}
