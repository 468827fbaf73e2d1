package dev.l2c.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.DocumentationTool;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public API's Javadoc builds without a warning (every public type, method, parameter, return
 * value and checked exception documented), with the JDK's own javadoc tool on the test's classpath.
 */
class ApiJavadocTest {
    @Test
    void apiJavadocHasNoWarnings(@TempDir Path out) {
        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        assertNotNull(javadoc, "a JDK (not a JRE) runs the tests");
        assertTrue(Files.isDirectory(Path.of("src/main/java/dev/l2c/api")));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<String> args = List.of("-quiet", "-Xdoclint:all", "-d", out.toString(), "-sourcepath", "src/main/java",
                "-classpath", System.getProperty("java.class.path"), "dev.l2c.api");
        int code = javadoc.run(null, log, log, args.toArray(String[]::new));
        String text = log.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        assertTrue(!text.contains("warning") && !text.contains("error"), text);
        assertTrue(Files.exists(out.resolve("dev/l2c/api/L2cFile.html")));
    }
}
