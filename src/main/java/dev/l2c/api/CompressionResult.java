package dev.l2c.api;

import java.nio.file.Path;

/**
 * What {@link Compression#compress} wrote.
 *
 * @param output the {@code .l2c} file written
 * @param inputBytes the input's bytes (a folder's: every file's)
 * @param outputBytes the {@code .l2c} file's bytes
 * @param ratio inputBytes / outputBytes
 * @param seconds wall time of the compression
 */
public record CompressionResult(Path output, long inputBytes, long outputBytes, double ratio, double seconds) {
}
