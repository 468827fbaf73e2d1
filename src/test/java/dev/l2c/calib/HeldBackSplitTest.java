package dev.l2c.calib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeldBackSplitTest {
    @Test
    void holdsBackATenthAtLeastAFewDozenDisjointAndSeeded() {
        assertEquals(400, HeldBackSplit.of(4000, 1).heldBack().length);
        assertEquals(32, HeldBackSplit.of(200, 1).heldBack().length, "at least 32 once there are 128 samples");
        assertEquals(12, HeldBackSplit.of(48, 1).heldBack().length, "a quarter of a small set");
        assertEquals(0, HeldBackSplit.of(5, 1).heldBack().length, "too few to hold any back");
        HeldBackSplit s = HeldBackSplit.of(1000, 7);
        Set<Integer> seen = new HashSet<>();
        for (int i : s.train()) assertTrue(seen.add(i));
        for (int i : s.heldBack()) assertTrue(seen.add(i), "disjoint");
        assertEquals(1000, seen.size(), "together every sample");
        assertArrayEquals(s.heldBack(), HeldBackSplit.of(1000, 7).heldBack());
        assertFalse(Arrays.equals(s.heldBack(), HeldBackSplit.of(1000, 8).heldBack()));
    }

    @Test
    void samplerDrawsOnlyFromItsPool() {
        HeldBackSplit s = HeldBackSplit.of(100, 3);
        Set<Integer> held = new HashSet<>();
        for (int i : s.heldBack()) held.add(i);
        BatchSampler sampler = new BatchSampler(s.train(), 16, 1);
        Set<Integer> drawn = new HashSet<>();
        for (int b = 0; b < 20; b++) for (int i : sampler.next()) {
            assertFalse(held.contains(i), "held-back sample " + i + " drawn");
            drawn.add(i);
        }
        assertEquals(s.train().length, drawn.size(), "every training sample comes up");
    }
}
