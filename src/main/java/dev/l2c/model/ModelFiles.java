package dev.l2c.model;

import dev.l2c.L2cException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** Reads the weights of a model file, whichever supported format it is in. */
public final class ModelFiles {
    /** The formats {@link #detect} tells apart. */
    public enum Format { SAFETENSORS, ONNX }

    private ModelFiles() {}

    /**
     * All tensors of a safetensors file, or all initializers of an ONNX model's main graph (see
     * {@link OnnxModel#allInitializers}), chosen by the file's content, not its name.
     */
    public static List<Tensor> readWeights(Path path) throws L2cException {
        if (looksLikeSafetensors(path)) {
            try (SafetensorsFile file = SafetensorsFile.open(path)) {
                return file.tensors();
            }
        }
        return readOnnx(path).allInitializers();
    }

    /**
     * The format of {@code path} by content: safetensors when the first 8 bytes are a header length
     * that fits the file and the header starts with '{'; otherwise ONNX when it parses as an ONNX
     * model; anything else is an error naming the file.
     */
    public static Format detect(Path path) throws L2cException {
        if (looksLikeSafetensors(path)) return Format.SAFETENSORS;
        readOnnx(path);
        return Format.ONNX;
    }

    private static boolean looksLikeSafetensors(Path path) throws L2cException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(9, size)).order(ByteOrder.LITTLE_ENDIAN);
            while (head.hasRemaining() && ch.read(head, head.position()) >= 0) {
                // Read until the 9 bytes (or the whole short file) are in.
            }
            if (head.position() == 9) {
                long headerLength = head.getLong(0);
                return headerLength >= 2 && headerLength <= size - 8 && head.get(8) == '{';
            }
            return false;
        } catch (IOException e) {
            throw new L2cException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static OnnxModel readOnnx(Path path) throws L2cException {
        try {
            return OnnxModel.read(path);
        } catch (L2cException e) {
            throw new L2cException(path + ": neither a safetensors file nor an ONNX model (" + e.getMessage() + ")", e);
        }
    }
}
