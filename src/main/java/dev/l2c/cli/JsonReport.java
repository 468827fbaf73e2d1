package dev.l2c.cli;

import dev.l2c.L2cException;
import dev.l2c.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Writes a JSON report (--report) through a temporary file renamed into place. */
final class JsonReport {
    private JsonReport() {}

    static void write(Path path, String json, boolean force) throws L2cException {
        byte[] bytes = (json + "\n").getBytes(StandardCharsets.UTF_8);
        try (AtomicFile out = AtomicFile.create(path, force)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) out.channel().write(b);
            out.commit();
        } catch (IOException e) {
            throw new L2cException(path + ": cannot write the report: " + e.getMessage(), e);
        }
    }
}
