package dev.l2c.pipeline;

import dev.l2c.codec.ValueType;
import java.nio.file.Path;

/**
 * @param dtype output type of the compressed float tensors; null keeps each tensor's original type
 * @param onnxModel the original ONNX model for ONNX output, or null: the graph stored in the file
 * @param force overwrite an existing output
 * @param folder write a model folder (the .l2c must have been made from one) rather than one file
 * @param onnx write an ONNX model rather than safetensors
 */
public record DecompressOptions(ValueType dtype, Path onnxModel, boolean force, boolean folder, boolean onnx) {
    /** Safetensors output, or ONNX output when {@code onnxModel} is given. */
    public DecompressOptions(ValueType dtype, Path onnxModel, boolean force) {
        this(dtype, onnxModel, force, false);
    }

    /** As {@link #DecompressOptions(ValueType, Path, boolean)}, or a folder. */
    public DecompressOptions(ValueType dtype, Path onnxModel, boolean force, boolean folder) {
        this(dtype, onnxModel, force, folder, onnxModel != null);
    }
}
