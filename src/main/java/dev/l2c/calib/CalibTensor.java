package dev.l2c.calib;

import java.nio.FloatBuffer;

/**
 * One tensor whose transform is calibrated: its name, shape and fp32 weights (direct, native
 * order, the whole buffer from 0 to its limit).
 */
public record CalibTensor(String name, long[] shape, FloatBuffer weights) {
    public long elements() {
        return weights.limit();
    }
}
