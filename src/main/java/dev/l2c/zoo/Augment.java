package dev.l2c.zoo;

import dev.l2c.data.ImageSet;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Training-time augmentation of normalized images: a random shift and a random horizontal flip. */
final class Augment {
    private Augment() {}

    /**
     * A new set: each image shifted by (dy, dx) drawn uniformly from [-shift, shift] (the uncovered
     * border filled with the normalized background, pixel 0) and mirrored left-right with
     * probability 1/2 when {@code flip}. The input set is not changed.
     */
    static ImageSet apply(ImageSet images, int shift, boolean flip, SplittableRandom random) {
        if (shift == 0 && !flip) return images;
        int rows = images.rows();
        int cols = images.cols();
        int px = rows * cols;
        float background = ImageSet.normalize(0);
        float[] src = images.images();
        float[] dst = new float[src.length];
        Arrays.fill(dst, background);
        for (int i = 0; i < images.count(); i++) {
            int dy = shift == 0 ? 0 : random.nextInt(-shift, shift + 1);
            int dx = shift == 0 ? 0 : random.nextInt(-shift, shift + 1);
            boolean mirror = flip && random.nextBoolean();
            int base = i * px;
            for (int r = 0; r < rows; r++) {
                int sr = r - dy;
                if (sr < 0 || sr >= rows) continue;
                for (int c = 0; c < cols; c++) {
                    int sc = (mirror ? cols - 1 - c : c) - dx;
                    if (sc >= 0 && sc < cols) dst[base + r * cols + c] = src[base + sr * cols + sc];
                }
            }
        }
        return new ImageSet(rows, cols, dst, images.labels());
    }
}
