package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.format.ContainerSize;
import dev.l2c.format.L2cReader;
import dev.l2c.format.L2cWriter;
import dev.l2c.folder.ModelFolder;
import dev.l2c.format.TensorInfo;
import dev.l2c.model.Tensor;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One model compressed in parts, on as many machines as there are parts (the Spark job,
 * docs/DESIGN.md, "More than one machine"): {@link #plan} cuts the model's tensors into parts,
 * runs of consecutive tensors of about a given size; {@link #encodePart} codes one part into a
 * part file (itself an .l2c file) wherever it runs; {@link #assemble} copies the parts' entries,
 * in order, into the output. Every entry is coded by the same {@link TensorEncoder} as on one
 * machine, which is deterministic and independent of the thread count, and the writer lays the
 * entries out in the same order with the same attributes, so the output is byte for byte the file
 * {@link Compressor} writes for the same input and options. Lossless and {@code --bits} modes; data-free
 * ratio mode couples the tensors through the file size, and {@link PartedRatio} searches it in parts.
 */
public final class PartedCompressor {
    /** Part file attribute: the plan's fingerprint and the part's number, so a stale part is refused. */
    public static final String PART_ATTRIBUTE = "l2c-part";

    /**
     * Tensors {@code first .. end - 1} of the source, in source order, holding {@code bytes} of
     * weights of which {@code lossyElements} elements are coded lossily (ratio mode calibrates
     * them); {@code names} are theirs (checked where the part is coded and where it is assembled).
     */
    public record Part(int index, int first, int end, long bytes, long lossyElements, List<String> names) implements Serializable {
        public Part {
            names = List.copyOf(names);
        }
    }

    /**
     * What every part needs: the input, the output file's attributes, the parts in order, a
     * fingerprint of all of it with the options (a part file records it), and the bytes a ratio is
     * measured against.
     */
    public record Plan(String input, Map<String, String> attributes, List<Part> parts, String fingerprint, long ratioBytes)
            implements Serializable {
        public Plan {
            attributes = new LinkedHashMap<>(attributes);
            parts = List.copyOf(parts);
        }

        /** The weights' bytes over all parts. */
        public long bytes() {
            return parts.stream().mapToLong(Part::bytes).sum();
        }

        /** Elements coded lossily over all parts. */
        public long lossyElements() {
            return parts.stream().mapToLong(Part::lossyElements).sum();
        }

        /** What a part file's {@link #PART_ATTRIBUTE} holds for {@code part}. */
        String partAttribute(Part part) {
            return fingerprint + "/" + part.index();
        }
    }

    private PartedCompressor() {}

    /**
     * Reads {@code input}'s headers (no weights) and cuts its tensors into parts of at most
     * {@code partBytes} of weights each (a larger tensor is a part of its own).
     */
    public static Plan plan(Path input, CompressOptions options, long partBytes) throws L2cException {
        return plan(input, options, partBytes, ModelFolder::sha256);
    }

    /**
     * {@link #plan(Path, CompressOptions, long)} with a folder's files digested by {@code digest}:
     * the SHA-256 of every file ({@link #digestedFiles}) made elsewhere, in parallel.
     */
    public static Plan plan(Path input, CompressOptions options, long partBytes, ModelFolder.Digest digest) throws L2cException {
        checkMode(options);
        if (partBytes < 1) throw new IllegalArgumentException("part bytes must be positive, got " + partBytes);
        SourceModel source = SourceModel.open(input, false, digest);
        List<Tensor> tensors = source.tensors();
        List<Part> parts = new ArrayList<>();
        int first = 0;
        long bytes = 0;
        for (int i = 0; i < tensors.size(); i++) {
            long b = tensors.get(i).data().remaining();
            if (i > first && bytes + b > partBytes) {
                parts.add(part(parts.size(), tensors, first, i, bytes, options));
                first = i;
                bytes = 0;
            }
            bytes += b;
        }
        parts.add(part(parts.size(), tensors, first, tensors.size(), bytes, options));
        Map<String, String> attributes = Compressor.attributes(input.getFileName().toString(), source, options);
        if (options.mode() instanceof CompressMode.Ratio r) attributes.put(Compressor.SEED, Long.toString(r.calibration().seed()));
        return new Plan(input.toAbsolutePath().toString(), attributes, parts, fingerprint(attributes, options, parts),
                source.ratioBytes());
    }

    /** The files whose SHA-256 {@link #plan} records: a model folder's files; none for a single file. */
    public static List<Path> digestedFiles(Path input) throws L2cException {
        return Files.isDirectory(input) ? ModelFolder.files(input) : List.of();
    }

    /**
     * Codes part {@code index} of {@code plan} into {@code partFile}, written under a temporary name
     * and renamed, replacing a file there: a retried or duplicated task writes the same bytes again.
     * Returns the part file's size.
     */
    public static long encodePart(Plan plan, int index, CompressOptions options, Backend backend, Path partFile)
            throws L2cException {
        checkTensorByTensor(options);
        Part part = plan.parts().get(index);
        SourceModel source = openPart(plan, part);
        TensorEncoder encoder = new TensorEncoder(backend.rans(), options);
        try (L2cWriter writer = createPart(plan, part, partFile)) {
            source.forEachTensor(part.first(), part.end(), t -> {
                TensorEncoder.Encoded e = encoder.encode(t);
                writer.addTensor(e.info(), e.payloads());
            });
            writer.finish();
        }
        try {
            return Files.size(partFile);
        } catch (IOException e) {
            throw new L2cException(partFile + ": " + e.getMessage(), e);
        }
    }

    /** The plan's input, opened where {@code part} is coded, checked to hold the part's tensors. */
    static SourceModel openPart(Plan plan, Part part) throws L2cException {
        Path input = Path.of(plan.input());
        // The layout is the plan's: not digesting the folder again spares a read of every file per part.
        SourceModel source = SourceModel.open(input, false, ModelFolder.NOT_DIGESTED);
        List<String> names = source.tensors().subList(Math.min(part.first(), source.tensors().size()),
                Math.min(part.end(), source.tensors().size())).stream().map(Tensor::name).toList();
        if (!names.equals(part.names())) {
            throw new L2cException(input + ": part " + part.index() + ": the tensors are not those planned (" + part.names().size()
                    + " from '" + part.names().get(0) + "'): the input changed since the job was planned");
        }
        return source;
    }

    /** A writer of {@code part}'s file (temporary name, renamed over an existing file by finish). */
    static L2cWriter createPart(Plan plan, Part part, Path partFile) throws L2cException {
        return L2cWriter.create(partFile, true, Map.of(PART_ATTRIBUTE, plan.partAttribute(part)));
    }

    /** The part files {@code partFiles} (part i at i) opened and checked to be {@code plan}'s, in order; the caller closes them. */
    static List<L2cReader> openParts(Plan plan, List<Path> partFiles) throws L2cException {
        if (partFiles.size() != plan.parts().size()) {
            throw new IllegalArgumentException(partFiles.size() + " part files for " + plan.parts().size() + " parts");
        }
        List<L2cReader> readers = new ArrayList<>();
        try {
            for (Part part : plan.parts()) {
                Path file = partFiles.get(part.index());
                L2cReader reader = L2cReader.open(file);
                readers.add(reader);
                String recorded = reader.attributes().get(PART_ATTRIBUTE);
                if (!plan.partAttribute(part).equals(recorded)) {
                    throw new L2cException(file + ": not part " + part.index() + " of this job (it records " + recorded
                            + "): a part of another run or other options; delete it and run again");
                }
                List<String> names = reader.tensors().stream().map(TensorInfo::name).toList();
                if (!names.equals(part.names())) {
                    throw new L2cException(file + ": holds " + names.size() + " tensors, part " + part.index() + " has "
                            + part.names().size());
                }
            }
            return readers;
        } catch (L2cException | RuntimeException e) {
            readers.forEach(L2cReader::close);
            throw e;
        }
    }

    /**
     * Writes {@code output} from the part files, {@code partFiles.get(i)} holding part i of
     * {@code plan}: each part is checked to be of this plan and to hold its tensors, and their
     * payloads are copied with their checksums checked. Returns the written file's summary.
     */
    public static ContainerSummary assemble(Plan plan, List<Path> partFiles, Path output, boolean force) throws L2cException {
        List<L2cReader> parts = openParts(plan, partFiles);
        try (L2cWriter writer = L2cWriter.create(output, force, plan.attributes())) {
            for (L2cReader reader : parts) for (TensorInfo t : reader.tensors()) writer.copyTensor(reader, t);
            writer.finish();
        } finally {
            parts.forEach(L2cReader::close);
        }
        return Inspector.inspect(output);
    }

    /** The bytes {@link #assemble} would write from {@code partFiles}, from their indexes alone. */
    public static long assembledBytes(Plan plan, List<Path> partFiles) throws L2cException {
        List<L2cReader> parts = openParts(plan, partFiles);
        try {
            return ContainerSize.ofParts(plan.attributes(), parts);
        } finally {
            parts.forEach(L2cReader::close);
        }
    }

    /** Lossless, bits, and data-free L2 ratio mode ({@link PartedRatio}); not the baselines' ratio searches. */
    private static void checkMode(CompressOptions options) {
        if (options.mode() instanceof CompressMode.Ratio r && r.method() != RatioMethod.L2) {
            throw new IllegalArgumentException("compression in parts codes lossless, --bits and --ratio (L2, data-free) modes, not "
                    + r.attribute());
        }
    }

    /** Lossless and bits modes: each entry depends on its tensor alone. */
    private static void checkTensorByTensor(CompressOptions options) {
        if (options.mode() instanceof CompressMode.Ratio r) {
            throw new IllegalArgumentException(r.attribute() + " codes parts through PartedRatio, not encodePart");
        }
    }

    private static Part part(int index, List<Tensor> tensors, int first, int end, long bytes, CompressOptions options) {
        List<Tensor> in = tensors.subList(first, end);
        long lossy = 0;
        for (Tensor t : in) if (!TensorEncoder.exact(t, options)) lossy += t.numel();
        return new Part(index, first, end, bytes, lossy, in.stream().map(Tensor::name).toList());
    }

    /** SHA-256 of everything that decides the parts' bytes: attributes, options and the cut. */
    private static String fingerprint(Map<String, String> attributes, CompressOptions options, List<Part> parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            StringBuilder text = new StringBuilder();
            attributes.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            text.append(options.mode()).append('\n').append(options.keep()).append('\n').append(options.minElements()).append('\n')
                    .append(options.chunkSymbols()).append('\n');
            for (Part p : parts) text.append(p.first()).append(' ').append(p.end()).append(' ').append(p.names()).append('\n');
            return HexFormat.of().formatHex(sha.digest(text.toString().getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
