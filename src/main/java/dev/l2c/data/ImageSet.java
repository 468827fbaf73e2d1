package dev.l2c.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Grey-scale images with class labels, held in one flat array (image-major, then row, then
 * column) already normalized as the Fashion-MNIST models expect: {@code (x/255 - MEAN) / STD}.
 */
public final class ImageSet {
    /** Mean pixel of the Fashion-MNIST training images, in [0, 1]. */
    public static final float MEAN = 0.2860f;
    /** Standard deviation of the Fashion-MNIST training pixels, in [0, 1]. */
    public static final float STD = 0.3530f;
    /** Number of classes. */
    public static final int CLASSES = 10;

    private final int count;
    private final int rows;
    private final int cols;
    private final float[] images;
    private final byte[] labels;

    /** Takes ownership of the arrays: {@code images.length == count*rows*cols}, labels in [0, CLASSES). */
    public ImageSet(int rows, int cols, float[] images, byte[] labels) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("image size " + rows + "x" + cols);
        if ((long) labels.length * rows * cols != images.length) {
            throw new IllegalArgumentException(images.length + " pixels do not make " + labels.length + " images of " + rows + "x" + cols);
        }
        for (byte l : labels) {
            if (l < 0 || l >= CLASSES) throw new IllegalArgumentException("label " + l + " outside [0, " + CLASSES + ")");
        }
        this.count = labels.length;
        this.rows = rows;
        this.cols = cols;
        this.images = images;
        this.labels = labels;
    }

    /** The normalized value of one raw pixel byte (0..255). */
    public static float normalize(int pixel) {
        return (pixel / 255f - MEAN) / STD;
    }

    public int count() {
        return count;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int pixelsPerImage() {
        return rows * cols;
    }

    /** All pixels, normalized; the caller must not modify the array. */
    public float[] images() {
        return images;
    }

    /** All labels in [0, CLASSES); the caller must not modify the array. */
    public byte[] labels() {
        return labels;
    }

    /** Images {@code [from, to)} as a new set. */
    public ImageSet batch(int from, int to) {
        if (from < 0 || to > count || from > to) {
            throw new IndexOutOfBoundsException("batch [" + from + ", " + to + ") of " + count + " images");
        }
        int px = pixelsPerImage();
        return new ImageSet(rows, cols, Arrays.copyOfRange(images, from * px, to * px), Arrays.copyOfRange(labels, from, to));
    }

    /** The images at {@code indices}, in that order, as a new set. */
    public ImageSet select(int[] indices) {
        int px = pixelsPerImage();
        float[] img = new float[indices.length * px];
        byte[] lab = new byte[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int k = indices[i];
            if (k < 0 || k >= count) throw new IndexOutOfBoundsException("image " + k + " of " + count);
            System.arraycopy(images, k * px, img, i * px, px);
            lab[i] = labels[k];
        }
        return new ImageSet(rows, cols, img, lab);
    }

    /** The labels as int64 values, as cross-entropy losses take them. */
    public long[] labelsAsLongs() {
        long[] out = new long[count];
        for (int i = 0; i < count; i++) out[i] = labels[i];
        return out;
    }

    /**
     * {@code n} distinct images drawn by {@code seed} (a seeded Fisher-Yates prefix), in draw
     * order. Calibration sets come from the training split, so they never see a test image.
     */
    public ImageSet sample(int n, long seed) {
        if (n < 1 || n > count) throw new IllegalArgumentException("sample of " + n + " from " + count + " images");
        return select(Arrays.copyOf(permutation(count, seed), n));
    }

    /** A seeded random order of {@code 0..n-1}. */
    public static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Images per class, indexed by label. */
    public int[] classCounts() {
        int[] counts = new int[CLASSES];
        for (byte l : labels) counts[l]++;
        return counts;
    }
}
