package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tensor names with terminal control sequences reach the terminal only as visible escapes. */
class TerminalEscapeTest {
    private static final String EVIL = "w\u001b]0;pwned\u0007\u001b[2J\rfake\u202etxt.exe\u009b";
    private static final String SHOWN = "w\\x1b]0;pwned\\x07\\x1b[2J\\x0dfake\\u202etxt.exe\\x9b";

    @TempDir
    Path dir;

    private Path compressed() throws Exception {
        Random rnd = new Random(3);
        float[] w = new float[4096];
        for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextGaussian();
        Path in = dir.resolve("in.safetensors");
        SafetensorsFile.write(in, List.of(Tensor.ofFloats(EVIL, new long[] {64, 64}, w)), Map.of(), false);
        Path l2c = dir.resolve("evil.l2c");
        CliRunner r = CliRunner.run("compress", in.toString(), "-o", l2c.toString(), "--bits", "4");
        assertEquals(0, r.exit(), r.err());
        assertClean(r.out() + r.err());
        return l2c;
    }

    private static void assertClean(String printed) {
        for (char c : printed.toCharArray()) {
            boolean control = (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e);
            assertFalse(control, "raw control character U+" + Integer.toHexString(c) + " printed in: " + printed);
        }
    }

    @Test
    void inspectTableEscapesNames() throws Exception {
        CliRunner r = CliRunner.run("inspect", compressed().toString());
        assertEquals(0, r.exit(), r.err());
        assertClean(r.out());
        assertTrue(r.out().contains(SHOWN.substring(SHOWN.length() - 40)), r.out());
    }

    @Test
    void inspectJsonStaysValidAndKeepsTheName() throws Exception {
        CliRunner r = CliRunner.run("inspect", compressed().toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        assertClean(r.out());
        JsonNode json = new ObjectMapper().readTree(r.out());
        List<String> names = new ArrayList<>();
        json.findValues("name").forEach(n -> names.add(n.asText()));
        assertTrue(names.contains(EVIL), names.toString());
    }

    @Test
    void errorMessagesEscapeNames() throws Exception {
        Path l2c = compressed();
        byte[] bytes = Files.readAllBytes(l2c);
        bytes[100] ^= 1; // inside the one tensor's payload
        Files.write(l2c, bytes);
        CliRunner r = CliRunner.run("verify", l2c.toString());
        assertEquals(1, r.exit());
        assertEquals(1, CliRunner.errorLines(r.err()), r.err());
        assertClean(r.err());
        assertTrue(r.err().contains("tensor '" + SHOWN + "'"), r.err());
    }
}
