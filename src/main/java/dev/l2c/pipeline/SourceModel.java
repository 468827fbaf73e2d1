package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.folder.FolderLayout;
import dev.l2c.folder.ModelFolder;
import dev.l2c.io.DirectBuffers;
import dev.l2c.model.ModelFiles;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import dev.l2c.model.TensorRange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors of an input model that go into a .l2c file: every tensor of a safetensors file
 * (non-float ones stored as they are), the floating-point initializers of an ONNX model (the
 * others stay in its graph, which the file stores beside them, docs/FORMAT.md "ONNX graphs"), or the
 * shards' tensors and the other files of a model folder ({@code folder} says where each goes back;
 * null for one file), or tensors handed over in memory ({@code path} is then the name given to
 * them, {@code fileBytes} their bytes).
 */
record SourceModel(Path path, ModelFiles.Format format, long fileBytes, List<Tensor> tensors, FolderLayout folder,
        List<TensorRange> ranges) {
    static SourceModel open(Path path) throws L2cException {
        return open(path, false);
    }

    /**
     * {@code detach}: every tensor of an ONNX model in a native buffer of its own (see
     * {@link #detached}), for a caller that holds them for long and reads them in place (ratio
     * mode); a single pass over them keeps external data mapped and typed fields on the heap.
     */
    static SourceModel open(Path path, boolean detach) throws L2cException {
        return open(path, detach, ModelFolder::sha256);
    }

    /** {@link #open(Path, boolean)} with a folder's files digested by {@code digest}. */
    static SourceModel open(Path path, boolean detach, ModelFolder.Digest digest) throws L2cException {
        if (Files.isDirectory(path)) {
            ModelFolder folder = ModelFolder.read(path, digest);
            checkHasFloats(path, folder.tensors());
            return new SourceModel(path, ModelFiles.Format.FOLDER, folder.bytes(), folder.tensors(), folder.layout(), folder.ranges());
        }
        if (!Files.isRegularFile(path)) {
            throw new L2cException(path + ": no such file");
        }
        // The file is streamed, its raw data read straight into native buffers: one copy of the
        // weights, no file bytes or parse on the heap.
        List<Tensor> streamed = ModelFiles.onnxFloatWeightsOrNull(path);
        ModelFiles.Format format = streamed != null ? ModelFiles.Format.ONNX : ModelFiles.Format.SAFETENSORS;
        List<Tensor> tensors;
        List<TensorRange> ranges = null;
        if (streamed == null) {
            try (SafetensorsFile file = SafetensorsFile.open(path)) {
                tensors = file.tensors();
                Map<String, Long> begins = new HashMap<>();
                for (SafetensorsFile.Range r : file.ranges()) begins.put(r.name(), r.begin());
                ranges = tensors.stream().map(t -> new TensorRange(path, t.name(), t.dtype(), t.shape(), begins.get(t.name()))).toList();
            }
        } else {
            tensors = detach ? detached(streamed) : streamed;
        }
        checkHasFloats(path, tensors);
        try {
            return new SourceModel(path, format, Files.size(path), tensors, null, ranges);
        } catch (IOException e) {
            throw new L2cException(path + ": " + e.getMessage(), e);
        }
    }

    /** Tensors in memory, as a safetensors file of them would be read; {@code detach} as in {@link #open(Path, boolean)}. */
    static SourceModel inMemory(String name, List<Tensor> tensors, boolean detach) throws L2cException {
        Path path = Path.of(name);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Tensor t : tensors) {
            if (!names.add(t.name())) throw new L2cException(name + ": two tensors are named " + dev.l2c.io.Printable.escape(t.name()));
        }
        checkHasFloats(path, tensors);
        List<Tensor> own = detach ? detached(tensors) : List.copyOf(tensors);
        return new SourceModel(path, ModelFiles.Format.MEMORY, own.stream().mapToLong(t -> t.data().remaining()).sum(), own, null, null);
    }

    private static void checkHasFloats(Path path, List<Tensor> tensors) throws L2cException {
        if (tensors.stream().noneMatch(t -> t.dtype().isFloat())) {
            throw new L2cException(path + ": the model has no floating-point weights to compress");
        }
    }

    /**
     * Each tensor in a native buffer of its own: raw data streamed from the file is already; the
     * rest (external data mapped from its file, typed fields on the heap) is copied, so one copy of
     * the weights is kept and native-order float32 data serves ratio mode's calibration without a copy.
     */
    private static List<Tensor> detached(List<Tensor> tensors) {
        List<Tensor> out = new ArrayList<>(tensors.size());
        for (Tensor t : tensors) {
            ByteBuffer data = t.data();
            if (data.isDirect() && !data.isReadOnly()) {
                out.add(t);
                continue;
            }
            ByteBuffer own = ByteBuffer.allocateDirect(t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            own.put(data).flip();
            out.add(new Tensor(t.name(), t.dtype(), t.shape(), own));
        }
        return out;
    }

    /** Receives the tensors of {@link #forEachTensor} one at a time. */
    interface TensorVisitor {
        void visit(Tensor t) throws L2cException;
    }

    /**
     * Hands each tensor to {@code visitor} in order, one at a time: a tensor of a safetensors file
     * or folder is read into a buffer of its own and freed once {@code visitor} returns, so that
     * the memory this takes is one tensor's, not the model's (the visitor must not keep it).
     */
    void forEachTensor(TensorVisitor visitor) throws L2cException {
        forEachTensor(0, tensors.size(), visitor);
    }

    /** {@link #forEachTensor(TensorVisitor)} over tensors {@code from .. to - 1} only (one part of a parted run). */
    void forEachTensor(int from, int to, TensorVisitor visitor) throws L2cException {
        for (int i = from; i < to; i++) {
            TensorRange range = ranges == null ? null : ranges.get(i);
            if (range == null) {
                visitor.visit(tensors.get(i));
                continue;
            }
            TensorRange.Loaded loaded = range.load();
            try {
                visitor.visit(loaded.tensor());
            } finally {
                DirectBuffers.free(loaded.buffer());
            }
        }
    }

    /**
     * What a ratio is measured against: the tensors' bytes, or for a folder every file's bytes
     * (its non-weight files count at their own size, not deflated as they are stored).
     */
    long ratioBytes() {
        return folder != null ? fileBytes : tensorBytes();
    }

    long tensorBytes() {
        return tensors.stream().mapToLong(t -> t.data().remaining()).sum();
    }
}
