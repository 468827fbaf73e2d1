package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.folder.FolderLayout;
import dev.l2c.format.L2cReader;
import dev.l2c.format.TensorInfo;
import dev.l2c.format.TensorKind;
import dev.l2c.io.AtomicFolder;
import dev.l2c.io.Printable;
import dev.l2c.model.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Writes a model folder back from a .l2c file made from one (docs/FORMAT.md, "Model folders"):
 * every file inflated from its blob, every shard rebuilt from its skeleton and its tensors decoded
 * in their own type, so a shard keeps its header and byte layout. A file whose bytes are all
 * stored exactly (every non-shard file; a shard of lossless or raw tensors) must come back with the
 * SHA-256 it had, or the output is refused. The folder appears only when complete.
 */
final class FolderOutput {
    /** The most a DEFLATE stream can expand (as for the index, docs/FORMAT.md): a bomb is refused before inflating. */
    private static final long DEFLATE_MAX_EXPANSION = 1032;

    private final String file;
    private final L2cReader reader;
    private final TensorDecoder decoder;
    private final FolderLayout layout;
    private final Map<String, TensorInfo> byName = new HashMap<>();

    private FolderOutput(String file, L2cReader reader, TensorDecoder decoder, FolderLayout layout) {
        this.file = file;
        this.reader = reader;
        this.decoder = decoder;
        this.layout = layout;
        for (TensorInfo t : reader.tensors()) byName.put(t.name(), t);
    }

    /** Writes the folder to {@code target}; returns the bytes written. */
    static long write(String file, L2cReader reader, TensorDecoder decoder, FolderLayout layout, Path target,
            boolean force, Progress progress) throws L2cException {
        FolderOutput out = new FolderOutput(file, reader, decoder, layout);
        out.check();
        long total = 0;
        for (FolderLayout.FileEntry f : layout.files()) total += f.bytes();
        try (AtomicFolder folder = AtomicFolder.create(target, force);
                Progress.Task task = progress.start("decompress", total, "MB")) {
            for (FolderLayout.FileEntry f : layout.files()) {
                out.writeFile(f, folder.dir());
                task.advance(f.bytes());
            }
            folder.commit();
        }
        return total;
    }

    /** Every entry the layout names exists and fits its place; every entry of the file is in the layout. */
    private void check() throws L2cException {
        Set<String> named = layout.entries();
        for (TensorInfo t : reader.tensors()) {
            if (!named.contains(t.name())) {
                throw new L2cException(file + ": tensor " + Printable.escape(t.name()) + " is in no file of the folder layout");
            }
        }
        for (FolderLayout.FileEntry f : layout.files()) {
            TensorInfo blob = entry(f.blob());
            if (blob.kind() != TensorKind.RAW || Formats.model(blob.dtype()) != DType.U8 || blob.shape().length != 1) {
                throw new L2cException(file + ": folder entry " + Printable.escape(f.blob()) + " is not a raw U8 vector");
            }
            for (FolderLayout.Placement p : f.tensors()) {
                long bytes = decoder.decodedBytes(entry(p.entry()), null);
                if (bytes != p.end() - p.begin()) {
                    throw new L2cException(file + ": tensor " + Printable.escape(p.entry()) + " decodes to " + bytes
                            + " bytes but its place in " + Printable.escape(f.path()) + " holds " + (p.end() - p.begin()));
                }
            }
        }
    }

    private TensorInfo entry(String name) throws L2cException {
        TensorInfo t = byName.get(name);
        if (t == null) throw new L2cException(file + ": the folder layout names entry " + Printable.escape(name) + ", which is missing");
        return t;
    }

    private void writeFile(FolderLayout.FileEntry f, Path dir) throws L2cException {
        Path path = dir.resolve(f.path());
        String shown = file + ": " + Printable.escape(f.path());
        boolean exact = true;
        for (FolderLayout.Placement p : f.tensors()) exact &= entry(p.entry()).kind() != TensorKind.QUANTIZED;
        try {
            Files.createDirectories(path.getParent());
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    Blob blob = new Blob(shown, decoder.decode(entry(f.blob()), null).data(), f.blobBytes())) {
                WritableByteChannel out = digesting(ch, digest);
                long at = 0;
                for (FolderLayout.Placement p : f.tensors()) {
                    blob.copy(p.begin() - at, out);
                    decoder.write(entry(p.entry()), null, out);
                    at = p.end();
                }
                blob.copy(f.bytes() - at, out);
                blob.finish();
                if (ch.size() != f.bytes()) throw new L2cException(shown + ": rebuilt " + ch.size() + " bytes, not " + f.bytes());
            }
            String sha = HexFormat.of().formatHex(digest.digest());
            if (exact && !sha.equals(f.sha256())) {
                throw new L2cException(shown + ": the rebuilt file's SHA-256 " + sha + " is not the original's " + f.sha256()
                        + " (the .l2c file is corrupt)");
            }
        } catch (IOException e) {
            throw new L2cException(shown + ": cannot write: " + e.getMessage(), e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static WritableByteChannel digesting(FileChannel ch, MessageDigest digest) {
        return new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) throws IOException {
                ByteBuffer seen = src.duplicate();
                int n = ch.write(src);
                digest.update(seen.limit(seen.position() + n));
                return n;
            }

            @Override
            public boolean isOpen() {
                return ch.isOpen();
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    /** A blob's bytes, inflated as they are copied out, with exactly {@code expected} bytes in all. */
    private static final class Blob implements AutoCloseable {
        private final String shown;
        private final Inflater inflater = new Inflater(true);
        private final byte[] chunk = new byte[1 << 16];
        private final long expected;
        private long produced;

        Blob(String shown, ByteBuffer packed, long expected) throws L2cException {
            this.shown = shown;
            this.expected = expected;
            if (expected > DEFLATE_MAX_EXPANSION * packed.remaining() + 64) {
                throw new L2cException(shown + ": " + expected + " bytes cannot come from " + packed.remaining() + " deflated bytes");
            }
            inflater.setInput(packed);
        }

        void copy(long n, WritableByteChannel out) throws L2cException, IOException {
            while (n > 0) {
                int got;
                try {
                    got = inflater.inflate(chunk, 0, (int) Math.min(chunk.length, n));
                } catch (DataFormatException e) {
                    throw new L2cException(shown + ": stored bytes do not inflate: " + e.getMessage(), e);
                }
                if (got == 0) throw new L2cException(shown + ": stored bytes end after " + produced + " of " + expected);
                ByteBuffer b = ByteBuffer.wrap(chunk, 0, got);
                while (b.hasRemaining()) out.write(b);
                produced += got;
                n -= got;
            }
        }

        void finish() throws L2cException {
            if (produced != expected) throw new L2cException(shown + ": " + produced + " bytes rebuilt, not " + expected);
            try {
                if (inflater.inflate(chunk, 0, 1) != 0 || !inflater.finished() || inflater.getRemaining() != 0) {
                    throw new L2cException(shown + ": stored bytes hold more than the file's " + expected + " bytes");
                }
            } catch (DataFormatException e) {
                throw new L2cException(shown + ": stored bytes do not inflate: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            inflater.end();
        }
    }
}
