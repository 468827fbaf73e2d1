package dev.l2c.pipeline;

import java.util.List;
import java.util.Map;

/**
 * A .l2c file's tensors and totals. The compression ratio is the bytes of the original tensors at
 * their stored precision over the bytes of the whole file, every header and table included.
 *
 * @param sourceFile the model file it was made from (as recorded at compression)
 * @param sourceFileBytes that file's size, or 0 if unknown
 * @param tensors the model's tensors (for a folder, its shards' tensors)
 * @param attributes the file's attributes but the stored ONNX graph's
 * @param tensors the model's tensors (for a folder, its shards' tensors)
 * @param files the files of the model folder it was made from; empty when made from one file
 * @param onnxGraphBytes the length of the attribute that holds the ONNX model's graph
 *     (docs/FORMAT.md, "ONNX graphs"; before the index's DEFLATE), or 0 where the file holds none
 */
public record ContainerSummary(
        String file,
        long fileBytes,
        String sourceFile,
        long sourceFileBytes,
        Map<String, String> attributes,
        List<TensorRow> tensors,
        List<FileRow> files,
        long onnxGraphBytes) {
    public long originalBytes() {
        return tensors.stream().mapToLong(TensorRow::originalBytes).sum();
    }

    public long elements() {
        return tensors.stream().mapToLong(TensorRow::elements).sum();
    }

    public double ratio() {
        return fileBytes == 0 ? 0 : (double) originalBytes() / fileBytes;
    }
}
