package dev.l2c.counter;

/**
 * Kernel CDFs K on [-1, 1] of the differentiable counter (docs/DESIGN.md, "Differentiable
 * counter").
 */
public enum CounterKernel {
    /** K(u) = (1 - cos(pi (u + 1) / 2)) / 2. */
    COS(0),
    /** Piecewise quadratic: K(u) = (u + 1)^2 / 2 for u <= 0, 1 - (1 - u)^2 / 2 for u > 0. */
    TRI(1),
    /** K(u) = (u + 1) / 2. */
    LIN(2);

    /** The kernel's number in the native counter (l2c::counter::Kernel in counter_core.h). */
    public final int nativeCode;

    CounterKernel(int nativeCode) {
        this.nativeCode = nativeCode;
    }
}
