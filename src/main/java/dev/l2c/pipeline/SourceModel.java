package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.model.ModelFiles;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The tensors of an input model that go into a .l2c file: every tensor of a safetensors file
 * (non-float ones stored as they are), or the floating-point initializers of an ONNX model (the
 * others stay in the graph, which decompression to ONNX takes from the original model).
 */
record SourceModel(Path path, ModelFiles.Format format, long fileBytes, List<Tensor> tensors) {
    static SourceModel open(Path path) throws L2cException {
        if (!Files.isRegularFile(path)) {
            throw new L2cException(path + ": no such file");
        }
        ModelFiles.Format format = ModelFiles.detect(path);
        List<Tensor> tensors;
        if (format == ModelFiles.Format.SAFETENSORS) {
            try (SafetensorsFile file = SafetensorsFile.open(path)) {
                tensors = file.tensors();
            }
        } else {
            tensors = OnnxModel.read(path).floatInitializers();
        }
        if (tensors.stream().noneMatch(t -> t.dtype().isFloat())) {
            throw new L2cException(path + ": the model has no floating-point weights to compress");
        }
        try {
            return new SourceModel(path, format, Files.size(path), tensors);
        } catch (IOException e) {
            throw new L2cException(path + ": " + e.getMessage(), e);
        }
    }

    long tensorBytes() {
        return tensors.stream().mapToLong(t -> t.data().remaining()).sum();
    }
}
