package dev.l2c.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    private static final Path DIR = FashionMnist.DEFAULT_DIR;
    private static ImageSet train;
    private static ImageSet test;

    @BeforeAll
    static void load() throws L2cException {
        Assumptions.assumeTrue(Files.isRegularFile(DIR.resolve("t10k-labels-idx1-ubyte.gz")),
                "dataset-fashion-mnist not installed (scripts/ensure-tools.sh installs it)");
        train = FashionMnist.train(DIR);
        test = FashionMnist.test(DIR);
    }

    @Test
    void readsBothSplitsWithBalancedClasses() {
        assertEquals(60_000, train.count());
        assertEquals(10_000, test.count());
        for (ImageSet s : new ImageSet[] {train, test}) {
            assertEquals(28, s.rows());
            assertEquals(28, s.cols());
            assertEquals(s.count() * 784L, s.images().length);
        }
        int[] perClass = new int[10];
        Arrays.fill(perClass, 6_000);
        assertArrayEquals(perClass, train.classCounts());
        Arrays.fill(perClass, 1_000);
        assertArrayEquals(perClass, test.classCounts());
    }

    @Test
    void pixelsAreNormalizedWithTheTrainingStatistics() {
        double sum = 0;
        double sq = 0;
        for (float v : train.images()) {
            sum += v;
            sq += (double) v * v;
        }
        double n = train.images().length;
        double mean = sum / n;
        // The constants are the published mean/std of the training pixels, so the set is standardized.
        assertEquals(0, mean, 2e-3);
        assertEquals(1, Math.sqrt(sq / n - mean * mean), 2e-3);
        assertEquals(ImageSet.normalize(0), min(test.images()), 0);
        assertEquals(ImageSet.normalize(255), max(train.images()), 0);
    }

    @Test
    void firstLabelsMatchTheKnownFiles() {
        // The published first labels: train starts ankle boot, t-shirt, t-shirt; test ankle boot, pullover, trouser.
        assertArrayEquals(new byte[] {9, 0, 0, 3, 0}, Arrays.copyOf(train.labels(), 5));
        assertArrayEquals(new byte[] {9, 2, 1, 1, 6}, Arrays.copyOf(test.labels(), 5));
    }

    @Test
    void batchAndSampleCopyTheRightImages() {
        ImageSet b = test.batch(100, 164);
        assertEquals(64, b.count());
        assertArrayEquals(Arrays.copyOfRange(test.images(), 100 * 784, 164 * 784), b.images());
        assertArrayEquals(Arrays.copyOfRange(test.labels(), 100, 164), b.labels());
        assertThrows(IndexOutOfBoundsException.class, () -> test.batch(9_990, 10_001));

        ImageSet s1 = train.sample(1000, 7);
        ImageSet s2 = train.sample(1000, 7);
        ImageSet s3 = train.sample(1000, 8);
        assertArrayEquals(s1.images(), s2.images());
        assertArrayEquals(s1.labels(), s2.labels());
        assertNotEquals(Arrays.hashCode(s1.images()), Arrays.hashCode(s3.images()));
        // Distinct training images: every sampled image is one of the training set, none twice.
        int[] order = Arrays.copyOf(ImageSet.permutation(train.count(), 7), 1000);
        Set<Integer> distinct = new HashSet<>();
        for (int k : order) distinct.add(k);
        assertEquals(1000, distinct.size());
        for (int i = 0; i < 1000; i += 97) {
            assertArrayEquals(Arrays.copyOfRange(train.images(), order[i] * 784, (order[i] + 1) * 784),
                    Arrays.copyOfRange(s1.images(), i * 784, (i + 1) * 784));
            assertEquals(train.labels()[order[i]], s1.labels()[i]);
        }
    }

    @Test
    void rejectsDamagedFilesNamingThem(@TempDir Path tmp) throws IOException, L2cException {
        byte[] labels = gunzip(DIR.resolve("t10k-labels-idx1-ubyte.gz"));
        byte[] images = gunzip(DIR.resolve("t10k-images-idx3-ubyte.gz"));

        // Truncated gzip stream.
        byte[] gz = Files.readAllBytes(DIR.resolve("t10k-labels-idx1-ubyte.gz"));
        Path dir = copyWith(tmp.resolve("cut"), images, labels);
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertRejected(dir, "t10k-labels-idx1-ubyte.gz", "truncated");

        // Not gzip at all.
        dir = copyWith(tmp.resolve("raw"), images, labels);
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), labels);
        assertRejected(dir, "t10k-labels-idx1-ubyte.gz", "gzip");

        // The files swapped: wrong magic.
        dir = copyWith(tmp.resolve("swap"), labels, images);
        assertRejected(dir, "t10k-labels-idx1-ubyte.gz", "magic");

        // A label outside the classes.
        byte[] badLabel = labels.clone();
        badLabel[8 + 1234] = 10;
        assertRejected(copyWith(tmp.resolve("label"), images, badLabel), "t10k-labels-idx1-ubyte.gz", "item 1234");

        // Decompressed images shorter than the header says.
        assertRejected(copyWith(tmp.resolve("short"), Arrays.copyOf(images, images.length - 5), labels),
                "t10k-images-idx3-ubyte.gz", "truncated");

        // Bytes after the last image.
        assertRejected(copyWith(tmp.resolve("long"), Arrays.copyOf(images, images.length + 3), labels),
                "t10k-images-idx3-ubyte.gz", "bytes after the last item");

        // Wrong image size in the header.
        byte[] rows = images.clone();
        ByteBuffer.wrap(rows).putInt(8, 32);
        assertRejected(copyWith(tmp.resolve("rows"), rows, labels), "t10k-images-idx3-ubyte.gz", "32x28");

        // Wrong count.
        byte[] count = labels.clone();
        ByteBuffer.wrap(count).putInt(4, 9_999);
        assertRejected(copyWith(tmp.resolve("count"), images, count), "t10k-labels-idx1-ubyte.gz", "9999 labels");

        // Missing folder.
        assertRejected(tmp.resolve("nowhere"), "t10k-labels-idx1-ubyte.gz", "dataset-fashion-mnist");

        // The intact copy still loads (the checks above failed for their damage only).
        ImageSet ok = FashionMnist.test(copyWith(tmp.resolve("ok"), images, labels));
        assertArrayEquals(test.labels(), ok.labels());
    }

    private static void assertRejected(Path dir, String file, String what) {
        L2cException e = assertThrows(L2cException.class, () -> FashionMnist.test(dir));
        assertTrue(e.getMessage().contains(file) && e.getMessage().contains(what), e.getMessage());
    }

    private static Path copyWith(Path dir, byte[] images, byte[] labels) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), gzip(images));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), gzip(labels));
        return dir;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    private static float min(float[] a) {
        float m = Float.POSITIVE_INFINITY;
        for (float v : a) m = Math.min(m, v);
        return m;
    }

    private static float max(float[] a) {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : a) m = Math.max(m, v);
        return m;
    }
}
