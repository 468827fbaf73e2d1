package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.OutputExistsException;
import dev.l2c.backend.Backend;
import dev.l2c.folder.FolderLayout;
import dev.l2c.format.L2cReader;
import dev.l2c.format.TensorInfo;
import dev.l2c.io.Printable;
import dev.l2c.model.DType;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.StoredGraph;
import dev.l2c.model.onnx.proto.TensorProto;
import dev.l2c.io.AtomicFile;
import dev.l2c.model.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** .l2c file in, safetensors, ONNX (with the stored or the original graph) or a model folder out. */
public final class Decompressor {
    private final Backend backend;
    private final Progress progress;

    public Decompressor(Backend backend, Progress progress) {
        this.backend = backend;
        this.progress = progress;
    }

    public DecompressReport decompress(Path input, Path output, DecompressOptions options) throws L2cException {
        long start = System.nanoTime();
        if (Files.exists(output, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !options.force()) {
            throw new OutputExistsException(output);
        }
        try (L2cReader reader = L2cReader.open(input)) {
            TensorDecoder decoder = new TensorDecoder(input.toString(), reader, backend.rans());
            FolderLayout folder = FolderLayout.of(input.toString(), reader.attributes());
            Set<String> blobs = folder == null ? Set.of() : folder.blobs();
            long written;
            if (options.folder()) {
                if (folder == null) {
                    throw new L2cException(input + ": was made from one model file, not a folder: name the output "
                            + "OUT.safetensors (or OUT.onnx with --model)");
                }
                if (options.dtype() != null) {
                    throw new L2cException("--dtype: a folder keeps each tensor's type, so that its shards keep their headers");
                }
                written = FolderOutput.write(input.toString(), reader, decoder, folder, output, options.force(), progress);
            } else {
                if (options.onnx()) {
                    writeOnnx(input, reader, decoder, output, options, blobs);
                } else {
                    writeSafetensors(reader, decoder, output, options, blobs);
                }
                written = size(output);
            }
            return new DecompressReport(reader.tensors().size() - blobs.size(), reader.fileSize(), written,
                    (System.nanoTime() - start) / 1e9);
        }
    }

    /** The model's tensors: every entry but the blobs that hold a folder's other files. */
    private static List<TensorInfo> weights(L2cReader reader, Set<String> blobs) {
        return reader.tensors().stream().filter(t -> !blobs.contains(t.name())).toList();
    }

    /**
     * The header first (every tensor's type and shape is known from the index), then each tensor's
     * bytes as they are decoded: only one tensor, or one batch of it, is in memory at a time.
     */
    private void writeSafetensors(L2cReader reader, TensorDecoder decoder, Path output, DecompressOptions options,
            Set<String> blobs) throws L2cException {
        List<TensorInfo> weights = weights(reader, blobs);
        List<SafetensorsHeader.Entry> entries = new ArrayList<>();
        for (TensorInfo t : weights) {
            entries.add(new SafetensorsHeader.Entry(t.name(), TensorDecoder.decodedType(t, options.dtype()), t.shape(),
                    decoder.decodedBytes(t, options.dtype())));
        }
        Map<String, String> metadata = new LinkedHashMap<>(reader.attributes());
        metadata.remove(FolderLayout.ATTRIBUTE);
        metadata.remove(StoredGraph.ATTRIBUTE);
        ByteBuffer header = SafetensorsHeader.of(output.toString(), entries, metadata);
        try (AtomicFile file = AtomicFile.create(output, options.force());
                Progress.Task task = progress.start("decompress", weights.size(), "tensors")) {
            FileChannel channel = file.channel();
            while (header.hasRemaining()) channel.write(header);
            for (TensorInfo t : weights) {
                decoder.write(t, options.dtype(), channel);
                task.advance(1);
            }
            file.commit();
        } catch (IOException e) {
            throw new L2cException(output + ": cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * An ONNX model is written from all its initializers at once, so every tensor is decoded first.
     * The graph is the original model's ({@code --model}) or else the one stored in the file.
     */
    private void writeOnnx(Path input, L2cReader reader, TensorDecoder decoder, Path output, DecompressOptions options,
            Set<String> blobs) throws L2cException {
        List<TensorInfo> weights = weights(reader, blobs);
        OnnxModel model;
        String graphName;
        if (options.onnxModel() != null) {
            model = OnnxModel.read(options.onnxModel());
            graphName = options.onnxModel().toString();
        } else {
            model = StoredGraph.read(input, reader.attributes(), weights.stream().map(TensorInfo::name).toList());
            if (model == null) {
                throw new L2cException(input + ": holds no ONNX graph (made from safetensors, or with --no-graph): "
                        + "give the original model with --model ORIGINAL.onnx");
            }
            graphName = input + " (stored graph)";
        }
        Map<String, TensorProto> initializers = new HashMap<>();
        for (TensorProto init : model.proto().getGraph().getInitializerList()) initializers.put(init.getName(), init);
        List<Tensor> decoded = new ArrayList<>();
        try (Progress.Task task = progress.start("decompress", weights.size(), "tensors")) {
            for (TensorInfo t : weights) {
                checkAgainstModel(t, initializers.get(t.name()), graphName, options);
                decoded.add(decoder.decode(t, null));
                task.advance(1);
            }
        }
        model.write(output, byName(decoded), options.force());
    }

    /** An ONNX initializer keeps its type and shape; refuse a .l2c that does not fit the model. */
    private static void checkAgainstModel(TensorInfo t, TensorProto init, String model, DecompressOptions options)
            throws L2cException {
        String name = Printable.escape(t.name());
        DType type = init == null ? null : DType.fromOnnxCode(init.getDataType()).orElse(null);
        if (type == null || !type.isFloat()) {
            throw new L2cException(model + ": has no float initializer named '" + name + "' (was the .l2c made from another model?)");
        }
        long[] dims = init.getDimsList().stream().mapToLong(Long::longValue).toArray();
        if (!Arrays.equals(dims, t.shape()) || !type.name().equals(t.dtype().name())) {
            throw new L2cException(model + ": initializer '" + name + "' is " + type + Arrays.toString(dims)
                    + " but the .l2c holds " + t.dtype() + Arrays.toString(t.shape()));
        }
        if (options.dtype() != null && !Formats.model(options.dtype()).equals(type)) {
            throw new L2cException("--dtype " + options.dtype().name().toLowerCase(java.util.Locale.ROOT)
                    + ": ONNX output keeps each initializer's type (" + name + " is " + type + ")");
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
