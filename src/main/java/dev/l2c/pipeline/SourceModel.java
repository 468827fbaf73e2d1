package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.model.ModelFiles;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tensors of an input model that go into a .l2c file: every tensor of a safetensors file
 * (non-float ones stored as they are), or the floating-point initializers of an ONNX model (the
 * others stay in the graph, which decompression to ONNX takes from the original model).
 */
record SourceModel(Path path, ModelFiles.Format format, long fileBytes, List<Tensor> tensors) {
    static SourceModel open(Path path) throws L2cException {
        return open(path, false);
    }

    /**
     * {@code detach}: copy an ONNX model's tensors out of the parse (see {@link #detached}), for a
     * caller that holds them for long (ratio mode); a single pass over them does better reading
     * the views and dropping the model with them.
     */
    static SourceModel open(Path path, boolean detach) throws L2cException {
        if (!Files.isRegularFile(path)) {
            throw new L2cException(path + ": no such file");
        }
        OnnxModel onnx = ModelFiles.onnxOrNull(path);
        ModelFiles.Format format = onnx == null ? ModelFiles.Format.SAFETENSORS : ModelFiles.Format.ONNX;
        List<Tensor> tensors;
        if (onnx == null) {
            try (SafetensorsFile file = SafetensorsFile.open(path)) {
                tensors = file.tensors();
            }
        } else {
            tensors = detach ? detached(onnx.floatInitializers()) : onnx.floatInitializers();
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

    /**
     * Each tensor's bytes copied out of the parsed file into a native buffer of its own, so the
     * file's bytes and the parse are garbage once this returns and one copy of the weights is
     * kept, not two; native-order float32 data serves ratio mode's calibration without a copy.
     */
    private static List<Tensor> detached(List<Tensor> views) {
        List<Tensor> out = new ArrayList<>(views.size());
        for (Tensor t : views) {
            ByteBuffer own = ByteBuffer.allocateDirect(t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            own.put(t.data()).flip();
            out.add(new Tensor(t.name(), t.dtype(), t.shape(), own));
        }
        return out;
    }

    long tensorBytes() {
        return tensors.stream().mapToLong(t -> t.data().remaining()).sum();
    }
}
