package dev.l2c.folder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A layout read from a .l2c file is untrusted: every path and range is checked before use. */
class FolderLayoutTest {
    private static final String SHA = "0".repeat(64);

    private static String file(String path, long bytes, String blob, String tensors) {
        return "{\"path\":\"" + path + "\",\"bytes\":" + bytes + ",\"sha256\":\"" + SHA + "\",\"blob\":\"" + blob + "\""
                + (tensors == null ? "" : ",\"tensors\":" + tensors) + "}";
    }

    private static String layout(String... files) {
        return "{\"version\":1,\"files\":[" + String.join(",", files) + "]}";
    }

    @Test
    void roundTripsThroughJson() throws L2cException {
        FolderLayout l = new FolderLayout(List.of(
                new FolderLayout.FileEntry("config.json", 40, SHA, "folder:config.json", List.of(), false),
                new FolderLayout.FileEntry("sub/model.safetensors", 1000, SHA, "folder:sub/model.safetensors",
                        List.of(new FolderLayout.Placement("w", 100, 900), new FolderLayout.Placement("e", 900, 900)), true)));
        FolderLayout back = FolderLayout.parse("x.l2c", l.toJson());
        assertEquals(l, back);
        assertEquals(200, back.files().get(1).blobBytes());
        assertEquals(4, back.entries().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../evil", "/etc/passwd", "a/../../b", "a//b", "./a", "a/.", "", "a\\\\b", "a/"})
    void refusesPathsThatLeaveTheFolder(String path) {
        L2cException e = assertThrows(L2cException.class,
                () -> FolderLayout.parse("x.l2c", layout(file(path, 1, "b", null))));
        assertTrue(e.getMessage().startsWith("x.l2c: folder layout: path"), e.getMessage());
    }

    @Test
    void refusesAFileThatIsAlsoAFolder() {
        L2cException e = assertThrows(L2cException.class,
                () -> FolderLayout.parse("x.l2c", layout(file("a", 1, "b1", null), file("a/b", 1, "b2", null))));
        assertTrue(e.getMessage().contains("is both a file and the folder of"), e.getMessage());
    }

    @Test
    void refusesDuplicatePathsAndEntries() {
        assertTrue(assertThrows(L2cException.class, () -> FolderLayout.parse("x.l2c",
                layout(file("a", 1, "b1", null), file("a", 1, "b2", null)))).getMessage().contains("named twice"));
        assertTrue(assertThrows(L2cException.class, () -> FolderLayout.parse("x.l2c",
                layout(file("a", 1, "b1", null), file("c", 1, "b1", null)))).getMessage().contains("used twice"));
        assertTrue(assertThrows(L2cException.class, () -> FolderLayout.parse("x.l2c",
                layout(file("a", 10, "b1", "[[\"b1\",0,4]]")))).getMessage().contains("used twice"));
    }

    @Test
    void refusesRangesOutOfOrderOrOutsideTheFile() {
        for (String tensors : new String[] {"[[\"t\",4,2]]", "[[\"t\",0,11]]", "[[\"t\",5,8],[\"u\",6,9]]", "[[\"t\",-1,2]]",
                "[[\"t\",0]]", "{}"}) {
            assertThrows(L2cException.class, () -> FolderLayout.parse("x.l2c", layout(file("m.safetensors", 10, "b", tensors))),
                    tensors);
        }
    }

    @Test
    void refusesOtherVersionsAndMalformedJson() {
        assertTrue(assertThrows(L2cException.class, () -> FolderLayout.parse("x.l2c", "{\"version\":2,\"files\":[]}"))
                .getMessage().contains("newer l2c"));
        assertThrows(L2cException.class, () -> FolderLayout.parse("x.l2c", "{\"version\":1"));
        assertThrows(L2cException.class, () -> FolderLayout.parse("x.l2c", "[]"));
        assertThrows(L2cException.class, () -> FolderLayout.parse("x.l2c",
                layout("{\"path\":\"a\",\"bytes\":1,\"sha256\":\"XYZ\",\"blob\":\"b\"}")));
    }
}
