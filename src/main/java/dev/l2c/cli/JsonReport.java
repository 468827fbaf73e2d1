package dev.l2c.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.l2c.L2cException;
import dev.l2c.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Writes a report record as indented JSON, through a temporary file renamed into place. */
final class JsonReport {
    private JsonReport() {}

    static String render(Object report) throws L2cException {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
        } catch (IOException e) {
            throw new L2cException("cannot render the report as JSON: " + e.getMessage(), e);
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
