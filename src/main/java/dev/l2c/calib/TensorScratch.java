package dev.l2c.calib;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;

/**
 * Native working buffers sized for the largest tensor of a calibration, lent out one tensor at a
 * time: what a step or a probe computes for a tensor lives here only while that tensor is worked
 * on, so the memory is a few times the largest tensor, not the model. A slot is allocated on first
 * use and reused for every tensor; a view handed out is valid until the slot is asked for again.
 * Not thread-safe.
 */
public final class TensorScratch {
    /** Slots: the codes (then dR/dc) or symbols of a tensor. */
    public static final int CODES = 0;
    /**
     * The reconstruction (then dD/dw-hat, written in place) of a tensor; while a tensor is coded
     * rather than calibrated, its dense 16-bit symbols.
     */
    public static final int WEIGHTS = 1;

    /** Bytes of the widest element a slot holds (floats, ints). */
    private static final int WIDEST = 4;

    private final int capacity;
    private final ByteBuffer[] slots = new ByteBuffer[2];

    /** Room for tensors of up to {@code elements} elements. */
    public TensorScratch(long elements) {
        this.capacity = Math.toIntExact(Math.max(1, elements));
    }

    /** Slot {@code slot} as {@code n} floats (native order, position 0). */
    public FloatBuffer floats(int slot, long n) {
        return bytes(slot, n).asFloatBuffer().limit(Math.toIntExact(n));
    }

    /** Slot {@code slot} as {@code n} ints (native order, position 0). */
    public IntBuffer ints(int slot, long n) {
        return bytes(slot, n).asIntBuffer().limit(Math.toIntExact(n));
    }

    /** Slot {@code slot} as {@code n} shorts (native order, position 0). */
    public ShortBuffer shorts(int slot, long n) {
        return bytes(slot, n).asShortBuffer().limit(Math.toIntExact(n));
    }

    private ByteBuffer bytes(int slot, long n) {
        if (n < 0 || n > capacity) throw new IllegalArgumentException(n + " elements in scratch for " + capacity);
        // Made at the widest element at once: a slot that grew later would leave its first buffer to the collector.
        if (slots[slot] == null) slots[slot] = ByteBuffer.allocateDirect(Math.multiplyExact(WIDEST, capacity));
        return slots[slot].duplicate().clear().order(ByteOrder.nativeOrder());
    }
}
