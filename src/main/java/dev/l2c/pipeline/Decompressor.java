package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.format.L2cReader;
import dev.l2c.format.TensorInfo;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** .l2c file in, safetensors or ONNX (with the original graph) out. */
public final class Decompressor {
    private final Backend backend;
    private final Progress progress;

    public Decompressor(Backend backend, Progress progress) {
        this.backend = backend;
        this.progress = progress;
    }

    public DecompressReport decompress(Path input, Path output, DecompressOptions options) throws L2cException {
        long start = System.nanoTime();
        if (Files.exists(output) && !options.force()) {
            throw new L2cException(output + ": output exists (use --force to overwrite)");
        }
        try (L2cReader reader = L2cReader.open(input)) {
            OnnxModel model = options.onnxModel() == null ? null : OnnxModel.read(options.onnxModel());
            Map<String, Tensor> originals = model == null ? Map.of() : byName(model.floatInitializers());
            TensorDecoder decoder = new TensorDecoder(input.toString(), reader, backend.rans());
            List<Tensor> decoded = new ArrayList<>();
            try (Progress.Task task = progress.start("decompress", reader.tensors().size(), "tensors")) {
                for (TensorInfo t : reader.tensors()) {
                    if (model != null) checkAgainstModel(t, originals, options);
                    decoded.add(decoder.decode(t, model != null ? null : options.dtype()));
                    task.advance(1);
                }
            }
            if (model != null) {
                model.write(output, byName(decoded), options.force());
            } else {
                SafetensorsFile.write(output, decoded, reader.attributes(), options.force());
            }
            return new DecompressReport(decoded.size(), reader.fileSize(), size(output), (System.nanoTime() - start) / 1e9);
        }
    }

    /** An ONNX initializer keeps its type and shape; refuse a .l2c that does not fit the model. */
    private static void checkAgainstModel(TensorInfo t, Map<String, Tensor> originals, DecompressOptions options)
            throws L2cException {
        Path model = options.onnxModel();
        Tensor o = originals.get(t.name());
        if (o == null) {
            throw new L2cException(model + ": has no float initializer named '" + t.name() + "' (was the .l2c made from another model?)");
        }
        if (!Arrays.equals(o.shape(), t.shape()) || !o.dtype().name().equals(t.dtype().name())) {
            throw new L2cException(model + ": initializer '" + t.name() + "' is " + o.dtype() + Arrays.toString(o.shape())
                    + " but the .l2c holds " + t.dtype() + Arrays.toString(t.shape()));
        }
        if (options.dtype() != null && !Formats.model(options.dtype()).equals(o.dtype())) {
            throw new L2cException("--dtype " + options.dtype().name().toLowerCase(java.util.Locale.ROOT)
                    + ": ONNX output keeps each initializer's type (" + t.name() + " is " + o.dtype() + ")");
        }
    }

    private static Map<String, Tensor> byName(List<Tensor> tensors) {
        Map<String, Tensor> map = new LinkedHashMap<>();
        for (Tensor t : tensors) map.put(t.name(), t);
        return map;
    }

    private static long size(Path p) throws L2cException {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new L2cException(p + ": " + e.getMessage(), e);
        }
    }
}
