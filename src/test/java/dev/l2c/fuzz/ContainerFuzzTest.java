package dev.l2c.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.format.L2cReader;
import dev.l2c.pipeline.DecodeEveryTensor;
import dev.l2c.pipeline.Inspector;
import dev.l2c.pipeline.Progress;
import dev.l2c.pipeline.Verifier;
import java.nio.file.Path;

/**
 * Fuzzes the .l2c reader: open, decode every tensor, check every checksum, then the whole
 * {@code verify} and {@code inspect} pipelines. A bad file may only be refused with an
 * L2cException; any other exception, a hang or a crash is a finding. The input is the file,
 * with its header, index and footer CRCs made right ({@link ContainerChecksums}).
 */
class ContainerFuzzTest {
    private static final ScratchFiles SCRATCH = new ScratchFiles("container");
    private static final Backend CPU = FuzzBackend.CPU;

    @FuzzTest
    void readDecodeAndVerify(byte[] input) {
        Path file = SCRATCH.write("input.l2c", ContainerChecksums.refresh(input));
        try (L2cReader reader = L2cReader.open(file)) {
            reader.attributes().forEach((k, v) -> {});
            DecodeEveryTensor.decode(file, reader, CPU);
            reader.verifyChecksums((done, total) -> {});
        } catch (L2cException refused) {
            // A clear refusal is the right answer to a bad file.
        }
        try {
            new Verifier(CPU, Progress.NONE).verify(file);
        } catch (L2cException refused) {
            // As above.
        }
        try {
            Inspector.inspect(file);
        } catch (L2cException refused) {
            // As above.
        }
    }
}
