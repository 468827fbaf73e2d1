package dev.l2c.pipeline;

import dev.l2c.codec.ValueType;
import java.nio.file.Path;

/**
 * @param dtype output type of the compressed float tensors; null keeps each tensor's original type
 * @param onnxModel the original ONNX model for ONNX output; null for safetensors output
 * @param force overwrite an existing output
 * @param folder write a model folder (the .l2c must have been made from one) rather than one file
 */
public record DecompressOptions(ValueType dtype, Path onnxModel, boolean force, boolean folder) {
    public DecompressOptions(ValueType dtype, Path onnxModel, boolean force) {
        this(dtype, onnxModel, force, false);
    }
}
