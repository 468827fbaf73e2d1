package dev.l2c.calib;

import java.util.SplittableRandom;

/**
 * Minibatches of calibration sample indices: epochs of a seeded random order, each epoch's order
 * drawn afresh from the same generator, batches taken in turn (a batch never spans two epochs, so
 * the last one of an epoch may be shorter). The same seed gives the same sequence.
 */
public final class BatchSampler {
    private final int size;
    private final int[] pool;
    private final int batch;
    private final SplittableRandom random;
    private final int[] order;
    private int next;

    public BatchSampler(int size, int batch, long seed) {
        this(identity(size), batch, seed);
    }

    /** Minibatches drawn from the sample indices {@code pool} only (the training part of a {@link HeldBackSplit}). */
    public BatchSampler(int[] pool, int batch, long seed) {
        int size = pool.length;
        if (size < 1) throw new IllegalArgumentException("no calibration samples");
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        this.size = size;
        this.pool = pool.clone();
        this.batch = Math.min(batch, size);
        this.random = new SplittableRandom(seed);
        this.order = new int[size];
        for (int i = 0; i < size; i++) order[i] = i;
        this.next = size;
    }

    /** The next minibatch. */
    public int[] next() {
        if (next >= size) {
            for (int i = size - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            next = 0;
        }
        int n = Math.min(batch, size - next);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = pool[order[next + i]];
        next += n;
        return out;
    }

    private static int[] identity(int size) {
        int[] out = new int[Math.max(0, size)];
        for (int i = 0; i < out.length; i++) out[i] = i;
        return out;
    }

    /** Consecutive indices [from, min(from + count, size)), for passes over the whole set. */
    public static int[] range(int from, int count, int size) {
        int n = Math.max(0, Math.min(count, size - from));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = from + i;
        return out;
    }
}
