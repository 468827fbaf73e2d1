package dev.l2c.api;

import java.nio.file.Path;

/**
 * What {@link Decompression#decompress} wrote. Immutable.
 *
 * @param output the file or folder written
 * @param tensors the model's tensors written
 * @param inputBytes the {@code .l2c} file's bytes
 * @param outputBytes the bytes written (a folder's: every file's)
 * @param seconds wall time
 */
public record DecompressionResult(Path output, int tensors, long inputBytes, long outputBytes, double seconds) {
}
