package dev.l2c.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchSamplerTest {
    @Test
    void eachEpochVisitsEverySampleOnceInAFreshOrder() {
        BatchSampler s = new BatchSampler(10, 4, 7);
        int[][] epochs = new int[2][];
        for (int e = 0; e < 2; e++) {
            int[] a = s.next();
            int[] b = s.next();
            int[] c = s.next();
            assertEquals(4, a.length);
            assertEquals(4, b.length);
            assertEquals(2, c.length, "the last batch of an epoch is what is left");
            int[] all = new int[10];
            System.arraycopy(a, 0, all, 0, 4);
            System.arraycopy(b, 0, all, 4, 4);
            System.arraycopy(c, 0, all, 8, 2);
            epochs[e] = all.clone();
            Arrays.sort(all);
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, all);
        }
        assertFalse(Arrays.equals(epochs[0], epochs[1]));
    }

    @Test
    void sameSeedSameBatches() {
        BatchSampler a = new BatchSampler(100, 16, 3);
        BatchSampler b = new BatchSampler(100, 16, 3);
        for (int i = 0; i < 20; i++) assertArrayEquals(a.next(), b.next());
        assertEquals(5, new BatchSampler(5, 16, 1).next().length, "a batch larger than the set takes the set");
        assertArrayEquals(new int[] {8, 9}, BatchSampler.range(8, 4, 10));
    }
}
