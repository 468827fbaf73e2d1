package dev.l2c.data;

import dev.l2c.L2cException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Fashion-MNIST (the Debian package {@code dataset-fashion-mnist}): 60,000 training and 10,000
 * test images of 28x28 grey pixels in ten classes, stored as gzip-compressed IDX files. An IDX
 * file is a big-endian header (magic {@code 0x0000 08 NDIM}: unsigned bytes, NDIM dimensions),
 * the dimensions as 32-bit integers, then the bytes. Every field and the exact length are
 * checked, so a truncated or swapped file is reported with its name, never read as images.
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} installs the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final int ROWS = 28;
    public static final int COLS = 28;
    public static final int TRAIN_COUNT = 60_000;
    public static final int TEST_COUNT = 10_000;

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private FashionMnist() {}

    /** The 60,000 training images (calibration samples come from here). */
    public static ImageSet train(Path dir) throws L2cException {
        return load(dir, "train", TRAIN_COUNT);
    }

    /** The 10,000 test images (evaluation only). */
    public static ImageSet test(Path dir) throws L2cException {
        return load(dir, "t10k", TEST_COUNT);
    }

    /** The four files read from {@code dir}: training and test images and labels. */
    public static java.util.List<Path> files(Path dir) {
        return java.util.List.of(imageFile(dir, "train"), labelFile(dir, "train"), imageFile(dir, "t10k"), labelFile(dir, "t10k"));
    }

    private static Path imageFile(Path dir, String prefix) {
        return dir.resolve(prefix + "-images-idx3-ubyte.gz");
    }

    private static Path labelFile(Path dir, String prefix) {
        return dir.resolve(prefix + "-labels-idx1-ubyte.gz");
    }

    private static ImageSet load(Path dir, String prefix, int expected) throws L2cException {
        Path imageFile = imageFile(dir, prefix);
        Path labelFile = labelFile(dir, prefix);
        byte[] labels = readLabels(labelFile, expected);
        float[] images = readImages(imageFile, expected);
        return new ImageSet(ROWS, COLS, images, labels);
    }

    /** The labels of an IDX1 file, each checked to be a class in [0, 10). */
    static byte[] readLabels(Path file, int expected) throws L2cException {
        byte[] data = readGzip(file, 8 + (long) expected);
        ByteBuffer b = ByteBuffer.wrap(data); // big-endian, as IDX is
        int magic = header(file, b, "magic");
        if (magic != LABELS_MAGIC) {
            throw new L2cException(file + ": magic 0x%08x is not that of an IDX label file (0x%08x)".formatted(magic, LABELS_MAGIC));
        }
        int count = header(file, b, "count");
        if (count != expected) throw new L2cException(file + ": holds " + count + " labels, expected " + expected);
        checkLength(file, data.length, 8L + count);
        byte[] labels = new byte[count];
        b.get(labels);
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= ImageSet.CLASSES) {
                throw new L2cException(file + ": label " + (labels[i] & 0xff) + " of item " + i + " is not a class in [0, 10)");
            }
        }
        return labels;
    }

    /** The images of an IDX3 file, normalized. */
    static float[] readImages(Path file, int expected) throws L2cException {
        long pixels = (long) expected * ROWS * COLS;
        byte[] data = readGzip(file, 16 + pixels);
        ByteBuffer b = ByteBuffer.wrap(data);
        int magic = header(file, b, "magic");
        if (magic != IMAGES_MAGIC) {
            throw new L2cException(file + ": magic 0x%08x is not that of an IDX image file (0x%08x)".formatted(magic, IMAGES_MAGIC));
        }
        int count = header(file, b, "count");
        int rows = header(file, b, "rows");
        int cols = header(file, b, "columns");
        if (count != expected) throw new L2cException(file + ": holds " + count + " images, expected " + expected);
        if (rows != ROWS || cols != COLS) {
            throw new L2cException(file + ": images are " + rows + "x" + cols + ", expected " + ROWS + "x" + COLS);
        }
        checkLength(file, data.length, 16 + pixels);
        // One table lookup per pixel: the 256 possible values are normalized once.
        float[] table = new float[256];
        for (int v = 0; v < 256; v++) table[v] = ImageSet.normalize(v);
        float[] images = new float[(int) pixels];
        for (int i = 0; i < images.length; i++) images[i] = table[data[16 + i] & 0xff];
        return images;
    }

    private static int header(Path file, ByteBuffer b, String field) throws L2cException {
        if (b.remaining() < 4) throw new L2cException(file + ": truncated IDX header (no " + field + ")");
        return b.getInt();
    }

    private static void checkLength(Path file, long actual, long expected) throws L2cException {
        if (actual < expected) {
            throw new L2cException(file + ": truncated: " + actual + " bytes after decompression, the header needs " + expected);
        }
        if (actual > expected) {
            throw new L2cException(file + ": bytes after the last item (the header accounts for " + expected + " bytes)");
        }
    }

    /**
     * The decompressed file; reads at most {@code limit + 1} bytes, so a wrong (huge) file is
     * detected as too long without being read whole.
     */
    private static byte[] readGzip(Path file, long limit) throws L2cException {
        if (!Files.isRegularFile(file)) {
            throw new L2cException(file + ": Fashion-MNIST file not found (install the Debian package dataset-fashion-mnist, "
                    + "e.g. through scripts/ensure-tools.sh, or point --data-dir at the folder)");
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
            return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        } catch (NoSuchFileException e) {
            throw new L2cException(file + ": not found", e);
        } catch (EOFException e) {
            throw new L2cException(file + ": truncated gzip stream (" + e.getMessage() + ")", e);
        } catch (ZipException e) {
            throw new L2cException(file + ": not a valid gzip file (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new L2cException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }
}
