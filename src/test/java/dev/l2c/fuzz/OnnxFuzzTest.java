package dev.l2c.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.l2c.L2cException;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.Tensor;
import dev.l2c.model.onnx.proto.StringStringEntryProto;
import dev.l2c.model.onnx.proto.TensorProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Fuzzes the ONNX reader, external data included. An input is laid out as
 * {@code u16 externalLength (little-endian), model bytes, externalLength bytes}: the model is
 * written to {@code model/model.onnx} and the tail to {@code model/weights.bin}. Beside the model
 * folder lies {@code outside.bin}, and {@code model/link.bin} is a symbolic link to it: a model
 * may only read data inside its folder (OnnxModel's contract), so an initializer that the reader
 * accepts from either is a finding, as is any exception other than L2cException.
 */
class OnnxFuzzTest {
    static final String MODEL = "model.onnx";
    static final String WEIGHTS = "weights.bin";
    static final String OUTSIDE = "outside.bin";
    static final String LINK = "link.bin";
    private static final ScratchFiles SCRATCH = new ScratchFiles("onnx");

    /** Splits an input into the model and the external data file (see the class comment). */
    static byte[][] split(byte[] input) {
        if (input.length < 2) return new byte[][] {input, new byte[0]};
        int external = Math.min(ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN).getShort(0) & 0xffff, input.length - 2);
        int model = input.length - 2 - external;
        return new byte[][] {Arrays.copyOfRange(input, 2, 2 + model), Arrays.copyOfRange(input, 2 + model, input.length)};
    }

    /** The inverse of {@link #split}, for writing seeds. */
    static byte[] join(byte[] model, byte[] external) {
        ByteBuffer b = ByteBuffer.allocate(2 + model.length + external.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putShort((short) external.length).put(model).put(external).array();
    }

    @FuzzTest
    void readEveryInitializer(byte[] input) throws IOException {
        byte[][] parts = split(input);
        Path folder = SCRATCH.emptyFolder("model");
        Path outside = SCRATCH.write(OUTSIDE, new byte[4096]);
        Files.createSymbolicLink(folder.resolve(LINK), outside);
        Path model = SCRATCH.write("model/" + MODEL, parts[0]);
        SCRATCH.write("model/" + WEIGHTS, parts[1]);
        OnnxModel m;
        try {
            m = OnnxModel.read(model);
            for (TensorProto t : m.proto().getGraph().getInitializerList()) {
                Tensor read;
                try {
                    read = m.tensor(t);
                } catch (L2cException refused) {
                    continue;
                }
                checkInsideFolder(t, folder, read);
            }
            m.floatInitializers();
            m.allInitializers();
        } catch (L2cException refused) {
            // A clear refusal is the right answer to a bad model.
        }
    }

    /** An accepted external initializer must come from a regular file inside the model's folder. */
    private static void checkInsideFolder(TensorProto t, Path folder, Tensor read) {
        if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) return;
        String location = null;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            if (e.getKey().equals("location")) location = e.getValue();
        }
        Path real;
        try {
            real = folder.resolve(location).toRealPath();
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("initializer " + t.getName() + " read from \"" + location + "\", which does not resolve", e);
        }
        try {
            if (!real.startsWith(folder.toRealPath())) {
                throw new AssertionError("initializer " + t.getName() + " (" + read.dtype() + Arrays.toString(read.shape())
                        + ") read from \"" + location + "\" = " + real + ", outside the model folder " + folder);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
