package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.format.L2cReader;
import dev.l2c.format.TensorInfo;
import java.nio.file.Path;

/**
 * Checks every checksum of a .l2c file, then decodes every chunk of every tensor (decoders check
 * their own ends) in bounded batches: no tensor is ever held in memory whole.
 */
public final class Verifier {
    private final Backend backend;
    private final Progress progress;

    public Verifier(Backend backend, Progress progress) {
        this.backend = backend;
        this.progress = progress;
    }

    public VerifyReport verify(Path input) throws L2cException {
        long start = System.nanoTime();
        try (L2cReader reader = L2cReader.open(input)) {
            try (Progress.Task task = progress.start("checksums", reader.fileSize(), "MB")) {
                long[] last = {0};
                reader.verifyChecksums((done, total) -> {
                    task.advance(done - last[0]);
                    last[0] = done;
                });
            }
            TensorDecoder decoder = new TensorDecoder(input.toString(), reader, backend.rans());
            long elements = 0;
            try (Progress.Task task = progress.start("decode", reader.tensors().size(), "tensors")) {
                for (TensorInfo t : reader.tensors()) {
                    decoder.verify(t);
                    elements += t.elementCount();
                    task.advance(1);
                }
            }
            return new VerifyReport(reader.tensors().size(), elements, (System.nanoTime() - start) / 1e9);
        }
    }
}
