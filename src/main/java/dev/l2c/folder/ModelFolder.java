package dev.l2c.folder;

import dev.l2c.L2cException;
import dev.l2c.io.Printable;
import dev.l2c.model.DType;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import dev.l2c.model.TensorRange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.Deflater;

/**
 * A model folder as Hugging Face keeps one (config.json, tokenizer files, weights in one or more
 * safetensors shards with their index), read into the tensors a .l2c file stores and the
 * {@link FolderLayout} that puts them back. Every regular file is kept, links to files followed
 * (a Hugging Face cache snapshot is made of them); hidden folders (.git, .cache) are skipped, and
 * a link to a folder, a device or a FIFO is an error rather than a file silently left out.
 */
public final class ModelFolder {
    /** Prefix of the blob entries' names; a weight that would collide gets its shard's path in front. */
    static final String BLOB_PREFIX = "folder:";
    /** A non-weight file is deflated on the heap: a bound far above tokenizers and configs. */
    static final long MAX_BLOB_BYTES = 1L << 30;

    private final Path dir;
    private final long bytes;
    private final FolderLayout layout;
    private final List<Tensor> tensors;
    private final List<TensorRange> ranges;

    private ModelFolder(Path dir, long bytes, FolderLayout layout, List<Tensor> tensors, List<TensorRange> ranges) {
        this.dir = dir;
        this.bytes = bytes;
        this.layout = layout;
        this.tensors = tensors;
        this.ranges = ranges;
    }

    /** The SHA-256 of each file, recorded in the layout so decompression checks what it rebuilds. */
    public interface Digest {
        /** {@code file}'s SHA-256 as lowercase hex. */
        String sha256(Path file) throws L2cException;
    }

    /**
     * No digest: all zeros in the layout, for a reader that uses the folder's tensors but not its
     * layout (a Spark task coding some of its tensors; docs/DESIGN.md, "More than one machine").
     */
    public static final Digest NOT_DIGESTED = file -> "0".repeat(64);

    /** Reads {@code dir}; errors name the file at fault. */
    public static ModelFolder read(Path dir) throws L2cException {
        return read(dir, ModelFolder::sha256);
    }

    /** Reads {@code dir} with each file's SHA-256 from {@code digest}; errors name the file at fault. */
    public static ModelFolder read(Path dir, Digest digest) throws L2cException {
        List<String> paths = listFiles(dir);
        if (paths.stream().noneMatch(ModelFolder::isShard)) {
            throw new L2cException(dir + ": the folder holds no .safetensors file");
        }
        Map<String, Integer> weightNames = new HashMap<>();
        List<SafetensorsFile> shards = new ArrayList<>();
        try {
            for (String p : paths) {
                if (!isShard(p)) continue;
                SafetensorsFile shard = SafetensorsFile.open(dir.resolve(p));
                shards.add(shard);
                for (String name : shard.names()) weightNames.merge(name, 1, Integer::sum);
            }
            List<FolderLayout.FileEntry> files = new ArrayList<>();
            List<Tensor> blobs = new ArrayList<>();
            List<Tensor> weights = new ArrayList<>();
            List<TensorRange> weightRanges = new ArrayList<>();
            long total = 0;
            int shardIndex = 0;
            for (String p : paths) {
                Path file = dir.resolve(p);
                String blob = BLOB_PREFIX + p;
                if (!isShard(p)) {
                    long size = size(file);
                    files.add(new FolderLayout.FileEntry(p, size, digest.sha256(file), blob, List.of(), false));
                    blobs.add(blobTensor(blob, file, List.of(new long[] {0, size})));
                    total += size;
                    continue;
                }
                SafetensorsFile shard = shards.get(shardIndex++);
                long size = size(file);
                List<FolderLayout.Placement> placements = new ArrayList<>();
                List<long[]> outside = new ArrayList<>();
                long at = 0;
                for (SafetensorsFile.Range r : shard.ranges()) {
                    Tensor t = shard.tensor(r.name());
                    String entry = weightNames.get(r.name()) == 1 && !r.name().startsWith(BLOB_PREFIX) ? r.name() : p + ":" + r.name();
                    placements.add(new FolderLayout.Placement(entry, r.begin(), r.end()));
                    weights.add(new Tensor(entry, t.dtype(), t.shape(), t.data()));
                    weightRanges.add(new TensorRange(file, entry, t.dtype(), t.shape(), r.begin()));
                    if (r.begin() > at) outside.add(new long[] {at, r.begin()});
                    at = Math.max(at, r.end());
                }
                if (size > at) outside.add(new long[] {at, size});
                files.add(new FolderLayout.FileEntry(p, size, digest.sha256(file), blob, placements, true));
                blobs.add(blobTensor(blob, file, outside));
                total += size;
            }
            FolderLayout layout = new FolderLayout(files);
            checkDistinct(dir, layout, blobs.size() + weights.size());
            List<Tensor> all = new ArrayList<>(blobs);
            all.addAll(weights);
            List<TensorRange> ranges = new ArrayList<>(java.util.Collections.nCopies(blobs.size(), (TensorRange) null));
            ranges.addAll(weightRanges);
            return new ModelFolder(dir, total, layout, List.copyOf(all), java.util.Collections.unmodifiableList(ranges));
        } finally {
            // The tensors' bytes stay mapped after their files' channels close.
            for (SafetensorsFile s : shards) s.close();
        }
    }

    /** The folder's path. */
    public Path dir() {
        return dir;
    }

    /** The bytes of all its files. */
    public long bytes() {
        return bytes;
    }

    public FolderLayout layout() {
        return layout;
    }

    /** The entries to store: the blobs (U8, deflated) first, then every shard's tensors in file order. */
    public List<Tensor> tensors() {
        return tensors;
    }

    /**
     * Where each of {@link #tensors} lies in its shard, in the same order, for reading them one at
     * a time; null for the blobs, which are held in memory.
     */
    public List<TensorRange> ranges() {
        return ranges;
    }

    /** Whether a path names a safetensors shard (by name, as Hugging Face tools find them). */
    static boolean isShard(String path) {
        return path.toLowerCase(Locale.ROOT).endsWith(".safetensors");
    }

    /** The folder's files, relative and '/'-separated, sorted (so the same folder gives the same file). */
    private static List<String> listFiles(Path dir) throws L2cException {
        if (!Files.isDirectory(dir)) throw new L2cException(dir + ": not a folder");
        List<String> out = new ArrayList<>();
        try {
            Files.walkFileTree(dir, EnumSet.noneOf(java.nio.file.FileVisitOption.class), FolderLayout.MAX_DEPTH,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                            boolean hidden = !d.equals(dir) && d.getFileName().toString().startsWith(".");
                            return hidden ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                            String rel = relative(dir, f);
                            if (a.isDirectory()) {
                                // Reached at the depth limit: a folder this deep is not walked into.
                                throw new IOException(rel + ": folder nested more than " + FolderLayout.MAX_DEPTH + " deep");
                            }
                            if (a.isSymbolicLink()) {
                                if (Files.isDirectory(f)) throw new IOException(rel + ": a link to a folder (l2c follows links to files only)");
                                if (!Files.isRegularFile(f)) throw new IOException(rel + ": a link to nothing, or to no regular file");
                            } else if (!a.isRegularFile()) {
                                throw new IOException(rel + ": not a regular file (a device, FIFO or socket)");
                            }
                            out.add(rel);
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw new L2cException(dir + ": " + Printable.escape(e.getMessage()), e);
        }
        for (String p : out) FolderLayout.checkPath(dir + ": ", p);
        out.sort(null);
        return out;
    }

    private static String relative(Path dir, Path f) {
        List<String> parts = new ArrayList<>();
        for (Path part : dir.relativize(f)) parts.add(part.toString());
        return String.join("/", parts);
    }

    /** The bytes of {@code ranges} of {@code file}, concatenated and deflated, as a U8 tensor. */
    private static Tensor blobTensor(String name, Path file, List<long[]> ranges) throws L2cException {
        long raw = 0;
        for (long[] r : ranges) raw += r[1] - r[0];
        if (raw > MAX_BLOB_BYTES) {
            throw new L2cException(file + ": " + raw + " bytes outside safetensors weights; l2c keeps at most "
                    + MAX_BLOB_BYTES + " bytes of any other file (move it out of the folder)");
        }
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 16];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer in = ByteBuffer.allocate(1 << 20);
            for (long[] r : ranges) {
                long at = r[0];
                while (at < r[1]) {
                    in.clear().limit((int) Math.min(in.capacity(), r[1] - at));
                    int n = ch.read(in, at);
                    if (n < 0) throw new L2cException(file + ": changed while it was read (shorter than " + r[1] + " bytes)");
                    at += n;
                    deflater.setInput(in.array(), 0, in.position());
                    while (!deflater.needsInput()) out.write(chunk, 0, deflater.deflate(chunk));
                }
            }
            deflater.finish();
            while (!deflater.finished()) out.write(chunk, 0, deflater.deflate(chunk));
        } catch (IOException e) {
            throw new L2cException(file + ": cannot read: " + e.getMessage(), e);
        } finally {
            deflater.end();
        }
        byte[] packed = out.toByteArray();
        return new Tensor(name, DType.U8, new long[] {packed.length}, ByteBuffer.wrap(packed));
    }

    private static long size(Path file) throws L2cException {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new L2cException(file + ": " + e.getMessage(), e);
        }
    }

    /** The files {@link #read} digests: every file of {@code dir} it keeps, in its order. */
    public static List<Path> files(Path dir) throws L2cException {
        return listFiles(dir).stream().map(dir::resolve).toList();
    }

    /** SHA-256 of a whole file, as lowercase hex. */
    public static String sha256(Path file) throws L2cException {
        MessageDigest digest = newSha256();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(buf.clear()) >= 0) digest.update(buf.flip());
        } catch (IOException e) {
            throw new L2cException(file + ": cannot read: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static void checkDistinct(Path dir, FolderLayout layout, int entries) throws L2cException {
        if (layout.entries().size() != entries) {
            throw new L2cException(dir + ": two tensors of the folder would get the same name in the .l2c file "
                    + "(a tensor named like a shard path and its tensor)");
        }
    }
}
