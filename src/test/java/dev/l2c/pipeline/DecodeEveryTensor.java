package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.format.L2cReader;
import dev.l2c.format.TensorInfo;
import dev.l2c.model.Tensor;
import java.nio.file.Path;

/**
 * Test access to the package-private {@link TensorDecoder}: decodes every tensor of an open
 * reader without a checksum pass first, so each decoder meets damage on its own (the fuzz targets
 * in dev.l2c.fuzz use it; {@link Verifier} checks all checksums before it decodes).
 */
public final class DecodeEveryTensor {
    private DecodeEveryTensor() {}

    /** Decodes every tensor to its original type and returns the total element count. */
    public static long decode(Path file, L2cReader reader, Backend backend) throws L2cException {
        TensorDecoder decoder = new TensorDecoder(file.toString(), reader, backend.rans());
        long elements = 0;
        for (TensorInfo t : reader.tensors()) {
            Tensor decoded = decoder.decode(t, null);
            if (decoded.numel() != t.elementCount()) {
                throw new AssertionError(t.name() + ": decoded " + decoded.numel() + " of " + t.elementCount() + " elements");
            }
            elements += decoded.numel();
        }
        return elements;
    }
}
