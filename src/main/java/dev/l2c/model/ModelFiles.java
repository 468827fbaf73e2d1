package dev.l2c.model;

import dev.l2c.L2cException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/** Reads the weights of a model file, whichever supported format it is in. */
public final class ModelFiles {
    /**
     * The formats {@link #detect} tells apart, a folder of safetensors shards (dev.l2c.folder), and
     * tensors a program hands over in memory (dev.l2c.api).
     */
    public enum Format { SAFETENSORS, ONNX, FOLDER, MEMORY }

    private ModelFiles() {}

    /**
     * All tensors of a safetensors file, or all initializers of an ONNX model's main graph (see
     * {@link OnnxModel#allInitializers}), chosen by the file's content, not its name.
     */
    public static List<Tensor> readWeights(Path path) throws L2cException {
        if (start(path) == Start.SAFETENSORS) {
            try (SafetensorsFile file = SafetensorsFile.open(path)) {
                return file.tensors();
            }
        }
        return readOnnx(path).allInitializers();
    }

    /**
     * The format of {@code path} by content: safetensors when the first 8 bytes are a header length
     * that fits the file and the header starts with '{'; otherwise ONNX when it parses as an ONNX
     * model; anything else is an error naming the file. A file that is no ONNX model but starts
     * like safetensors, or is named *.safetensors, gets the safetensors reader's error, which says
     * what is wrong with its header.
     */
    public static Format detect(Path path) throws L2cException {
        return onnxOrNull(path) == null ? Format.SAFETENSORS : Format.ONNX;
    }

    /**
     * {@link #detect} for a caller that goes on to read the model: null for a safetensors file, the
     * parsed model for an ONNX one (read once, not once to detect and again to use).
     */
    public static OnnxModel onnxOrNull(Path path) throws L2cException {
        return start(path) == Start.SAFETENSORS ? null : readOnnx(path);
    }

    /**
     * {@link #onnxOrNull} for a caller that needs only the floating-point weights of an ONNX model:
     * null for a safetensors file, else {@link OnnxModel#readFloatInitializers} (the file streamed,
     * each raw_data read into a native buffer of its own; errors as {@link #onnxOrNull}).
     */
    public static List<Tensor> onnxFloatWeightsOrNull(Path path) throws L2cException {
        return start(path) == Start.SAFETENSORS ? null : readOnnx(path, OnnxModel::readFloatInitializers);
    }

    /** What the first bytes of a file say about its format. */
    private enum Start {
        /** A header length that fits the file, then '{'. */
        SAFETENSORS,
        /**
         * '{' at the header's place, or a first byte of 0, which no protobuf message (so no ONNX
         * model) starts with but a broken header length of 0 or 2^63 does.
         */
        LIKE_SAFETENSORS,
        OTHER
    }

    private static Start start(Path path) throws L2cException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(9, size)).order(ByteOrder.LITTLE_ENDIAN);
            while (head.hasRemaining() && ch.read(head, head.position()) >= 0) {
                // Read until the 9 bytes (or the whole short file) are in.
            }
            if (head.position() < 8) return Start.OTHER;
            long headerLength = head.getLong(0);
            boolean brace = head.position() == 9 && head.get(8) == '{';
            if (brace && headerLength >= 2 && headerLength <= size - 8) return Start.SAFETENSORS;
            return brace || head.get(0) == 0 ? Start.LIKE_SAFETENSORS : Start.OTHER;
        } catch (IOException e) {
            throw new L2cException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static boolean namedSafetensors(Path path) {
        Path name = path.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".safetensors");
    }

    private static OnnxModel readOnnx(Path path) throws L2cException {
        return readOnnx(path, OnnxModel::read);
    }

    /** What {@code reader} makes of an ONNX file; a file that is no ONNX model gets the error that fits what it is. */
    private static <T> T readOnnx(Path path, OnnxReader<T> reader) throws L2cException {
        try {
            return reader.read(path);
        } catch (OnnxModel.NotOnnxException e) {
            // Meant as safetensors: opening it as one throws the error that says what is wrong.
            if (namedSafetensors(path) || start(path) == Start.LIKE_SAFETENSORS) SafetensorsFile.open(path).close();
            throw new L2cException(path + ": neither a safetensors file nor an ONNX model (" + e.getMessage() + ")", e);
        }
    }

    private interface OnnxReader<T> {
        T read(Path path) throws L2cException;
    }
}
