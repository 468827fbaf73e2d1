package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.folder.FolderLayout;
import dev.l2c.format.L2cReader;
import dev.l2c.format.TensorInfo;
import dev.l2c.format.TensorKind;
import dev.l2c.model.StoredGraph;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a .l2c file's index into a summary: per tensor sizes and the totals. No payload is read but
 * those of small quantized tensors (at most 65,536 symbols), whose zeros are counted from their
 * symbols since they carry no zeros attribute.
 */
public final class Inspector {
    private Inspector() {}

    public static ContainerSummary inspect(Path file) throws L2cException {
        try (L2cReader reader = L2cReader.open(file)) {
            return inspect(file, reader);
        }
    }

    /** The summary of {@code file}, already open as {@code reader} (which stays open). */
    public static ContainerSummary inspect(Path file, L2cReader reader) throws L2cException {
        FolderLayout folder = FolderLayout.of(file.toString(), reader.attributes());
        Set<String> blobs = folder == null ? Set.of() : folder.blobs();
        List<TensorRow> rows = new ArrayList<>();
        for (TensorInfo t : reader.tensors()) {
            if (blobs.contains(t.name())) continue;
            long elements = t.elementCount();
            double zeros = Double.NaN;
            String z = t.attributes().get(TensorEncoder.ZEROS);
            if (t.kind() == TensorKind.QUANTIZED && z != null && elements > 0) {
                try {
                    zeros = Long.parseLong(z) / (double) elements;
                } catch (NumberFormatException e) {
                    throw new L2cException(file + ": tensor " + t.name() + ": attribute zeros='" + z + "' is not a count");
                }
            } else if (t.kind() == TensorKind.QUANTIZED && elements > 0 && t.streams().size() == 1
                    && t.streams().get(0).coding().isSmall()) {
                zeros = TensorDecoder.smallStreamZeros(file.toString(), reader, t) / (double) elements;
            }
            rows.add(new TensorRow(t.name(), t.dtype().name(), t.shape(), t.kind().name().toLowerCase(Locale.ROOT),
                    describe(t), elements, elements * t.dtype().bytes(), reader.storedBytes(t),
                    t.alphabet().length, zeros));
        }
        String source = reader.attributes().getOrDefault(Compressor.SOURCE_FILE, "");
        long sourceBytes = 0;
        try {
            sourceBytes = Long.parseLong(reader.attributes().getOrDefault(Compressor.SOURCE_BYTES, "0"));
        } catch (NumberFormatException e) {
            // An unreadable optional attribute only drops the "ratio against the source file" line.
        }
        Map<String, String> attributes = new LinkedHashMap<>(reader.attributes());
        String graph = attributes.remove(StoredGraph.ATTRIBUTE);
        return new ContainerSummary(file.toString(), reader.fileSize(), source, sourceBytes, attributes, rows,
                folder == null ? List.of() : files(file, reader, folder),
                graph == null ? 0 : graph.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    private static List<FileRow> files(Path file, L2cReader reader, FolderLayout folder) throws L2cException {
        Map<String, TensorInfo> byName = new HashMap<>();
        for (TensorInfo t : reader.tensors()) byName.put(t.name(), t);
        List<FileRow> rows = new ArrayList<>();
        for (FolderLayout.FileEntry f : folder.files()) {
            long stored = 0;
            for (String name : entriesOf(f)) {
                TensorInfo t = byName.get(name);
                if (t == null) throw new L2cException(file + ": the folder layout names entry " + name + ", which is missing");
                stored += reader.storedBytes(t);
            }
            rows.add(new FileRow(f.path(), f.shard(), f.bytes(), stored, f.tensors().size()));
        }
        return rows;
    }

    private static List<String> entriesOf(FolderLayout.FileEntry f) {
        List<String> names = new ArrayList<>();
        names.add(f.blob());
        for (FolderLayout.Placement p : f.tensors()) names.add(p.entry());
        return names;
    }

    private static String describe(TensorInfo t) {
        return switch (t.transform().type()) {
            case NONE -> "none";
            default -> t.transform().type().name().toLowerCase(Locale.ROOT)
                    + (t.transform().channelAxis() >= 0 ? "/axis" + t.transform().channelAxis() : "")
                    + java.util.Arrays.toString(t.transform().params());
        };
    }
}
