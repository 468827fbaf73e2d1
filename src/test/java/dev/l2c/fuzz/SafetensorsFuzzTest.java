package dev.l2c.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.l2c.L2cException;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import java.nio.file.Path;

/**
 * Fuzzes the safetensors reader with whole files: open, look every tensor up by name and read
 * its first and last byte. A bad file may only be refused with an L2cException.
 */
class SafetensorsFuzzTest {
    private static final ScratchFiles SCRATCH = new ScratchFiles("safetensors");

    @FuzzTest
    void openAndReadEveryTensor(byte[] input) {
        Path file = SCRATCH.write("input.safetensors", input);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            st.metadata().forEach((k, v) -> {});
            for (String name : st.names()) {
                Tensor t = st.tensor(name);
                int bytes = t.data().remaining();
                if (bytes != Tensor.byteLength(name, t.dtype(), t.shape())) {
                    throw new AssertionError(name + ": " + bytes + " bytes for " + t.dtype() + " " + java.util.Arrays.toString(t.shape()));
                }
                if (bytes > 0) {
                    t.data().get(0);
                    t.data().get(bytes - 1);
                }
            }
        } catch (L2cException refused) {
            // A clear refusal is the right answer to a bad file.
        }
    }
}
