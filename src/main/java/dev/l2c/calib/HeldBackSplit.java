package dev.l2c.calib;

import java.util.Arrays;

/**
 * The calibration set split into a training part, which KD and reconstruction draw their
 * minibatches from, and a held-back part they never see, on which the calibration measures how
 * well the student follows the teacher (an honest signal: training loss falls even while the
 * model overfits the sample). Held back: a tenth of the samples, at least min(32, n / 4), none
 * below 8 samples; drawn by a seeded shuffle, so the same seed gives the same split.
 */
public record HeldBackSplit(int[] train, int[] heldBack) {
    static final double SHARE = 0.1;
    static final int MIN_HELD = 32;
    static final int MIN_SAMPLES = 8;

    /** The split of samples [0, n) with {@code seed}. */
    public static HeldBackSplit of(int n, long seed) {
        if (n < 1) throw new IllegalArgumentException("no calibration samples");
        int held = n < MIN_SAMPLES ? 0 : Math.max((int) Math.round(n * SHARE), Math.min(MIN_HELD, n / 4));
        int[] order = dev.l2c.data.ImageSet.permutation(n, seed);
        int[] back = Arrays.copyOfRange(order, 0, held);
        int[] rest = Arrays.copyOfRange(order, held, n);
        Arrays.sort(back);
        Arrays.sort(rest);
        return new HeldBackSplit(rest, back);
    }
}
