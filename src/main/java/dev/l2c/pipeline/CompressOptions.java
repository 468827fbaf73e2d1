package dev.l2c.pipeline;

import java.util.regex.Pattern;

/**
 * What {@code compress} does to each tensor.
 *
 * @param bits uniform quantization bits (2..8), or 0 for lossless
 * @param keep tensors whose name matches are stored exactly; may be null
 * @param minElements float tensors with fewer elements are stored exactly
 * @param chunkSymbols rANS chunk size in symbols (a multiple of 32)
 * @param force overwrite an existing output
 * @param perChannel quantize with one step per channel along axis 0 (rows; output channels of
 *     convolutions) instead of one step per tensor
 */
public record CompressOptions(int bits, Pattern keep, long minElements, int chunkSymbols, boolean force, boolean perChannel) {
    public static final long DEFAULT_MIN_ELEMENTS = 1024;
    public static final int DEFAULT_CHUNK = 65536;

    public boolean lossless() {
        return bits == 0;
    }

    public boolean keepsExact(String name, long elements) {
        return lossless() || elements < minElements || (keep != null && keep.matcher(name).find());
    }
}
