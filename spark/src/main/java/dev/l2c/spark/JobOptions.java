package dev.l2c.spark;

import dev.l2c.pipeline.CompressOptions;
import java.io.Serializable;
import java.util.regex.Pattern;

/**
 * The compress options of a Spark job, in a form Spark ships to executors (CompressOptions holds a
 * compiled pattern and is not Serializable); each side builds the same {@link CompressOptions}.
 *
 * @param bits 0 for lossless, else uniform quantization with this many bits
 * @param perChannel with bits: one step per output channel
 * @param sparsity with bits: magnitude pruning before quantization (0: none)
 * @param keep tensors whose name matches are stored exactly; null for none
 * @param minElements float tensors with fewer elements are stored exactly
 * @param chunkSymbols rANS chunk size in symbols
 */
public record JobOptions(int bits, boolean perChannel, double sparsity, String keep, long minElements, int chunkSymbols)
        implements Serializable {
    /** Lossless, with the CLI's defaults. */
    public static JobOptions lossless() {
        return new JobOptions(0, false, 0, null, CompressOptions.DEFAULT_MIN_ELEMENTS, CompressOptions.DEFAULT_CHUNK);
    }

    /** {@code --bits bits}, with the CLI's defaults. */
    public static JobOptions bits(int bits, boolean perChannel) {
        return new JobOptions(bits, perChannel, 0, null, CompressOptions.DEFAULT_MIN_ELEMENTS, CompressOptions.DEFAULT_CHUNK);
    }

    /** The options {@code l2c compress} builds from the same command line; checks them. */
    public CompressOptions compressOptions(boolean force) {
        Pattern pattern = keep == null ? null : Pattern.compile(keep);
        if (bits == 0) {
            if (perChannel || sparsity > 0) throw new IllegalArgumentException("--per-channel and --sparsity need --bits");
            return CompressOptions.lossless(pattern, minElements, chunkSymbols, force);
        }
        CompressOptions options = CompressOptions.uniform(bits, perChannel, pattern, minElements, chunkSymbols, force);
        return sparsity > 0 ? options.withSparsity(sparsity) : options;
    }
}
