package dev.l2c.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.data.ImageSet;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentTest {
    /** Images whose pixel (r, c) holds 100 r + c + 1000 i: every moved pixel says where it came from. */
    private static ImageSet coded(int count, int rows, int cols) {
        float[] px = new float[count * rows * cols];
        for (int i = 0; i < count; i++) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) px[(i * rows + r) * cols + c] = 1000 * i + 100 * r + c;
            }
        }
        return new ImageSet(rows, cols, px, new byte[count]);
    }

    @Test
    void noAugmentationIsTheSameSet() {
        ImageSet s = coded(3, 5, 7);
        assertSame(s, Augment.apply(s, 0, false, new SplittableRandom(1)));
    }

    @Test
    void everyImageIsAShiftedPossiblyMirroredCopy() {
        ImageSet s = coded(200, 6, 8);
        float[] before = s.images().clone();
        ImageSet a = Augment.apply(s, 2, true, new SplittableRandom(4));
        assertArrayEquals(before, s.images(), "the input changed");
        float background = ImageSet.normalize(0);
        int mirrored = 0;
        int shifted = 0;
        for (int i = 0; i < 200; i++) {
            int[] found = match(a, i, background);
            assertTrue(found != null, "image " + i + " is no shift/flip of its source");
            mirrored += found[2];
            if (found[0] != 0 || found[1] != 0) shifted++;
        }
        // Both kinds occur, neither always.
        assertTrue(mirrored > 60 && mirrored < 140, "mirrored " + mirrored);
        assertTrue(shifted > 120, "shifted " + shifted);
        assertEquals(Arrays.toString(Augment.apply(s, 2, true, new SplittableRandom(4)).images()), Arrays.toString(a.images()));
    }

    /** The (dy, dx, mirrored) that explains image i of the augmented set, or null. */
    private static int[] match(ImageSet a, int i, float background) {
        int rows = a.rows();
        int cols = a.cols();
        for (int m = 0; m <= 1; m++) {
            for (int dy = -2; dy <= 2; dy++) {
                for (int dx = -2; dx <= 2; dx++) {
                    boolean ok = true;
                    for (int r = 0; r < rows && ok; r++) {
                        for (int c = 0; c < cols && ok; c++) {
                            int sr = r - dy;
                            int sc = (m == 1 ? cols - 1 - c : c) - dx;
                            float want = sr >= 0 && sr < rows && sc >= 0 && sc < cols ? 1000 * i + 100 * sr + sc : background;
                            ok = a.images()[(i * rows + r) * cols + c] == want;
                        }
                    }
                    if (ok) return new int[] {dy, dx, m};
                }
            }
        }
        return null;
    }
}
