package dev.l2c.calib;

import dev.l2c.L2cException;
import java.nio.FloatBuffer;

/**
 * The distortion D that calibration trades against the rate (docs/DESIGN.md, "Objective and
 * ratio control"). It sees every optimized tensor at once, so objectives that run the network (KD,
 * layer-wise) fit behind the same interface as the data-free one.
 */
public interface Objective {
    /** A short name for reports ("data-free", ...). */
    String name();

    /**
     * D for the reconstructed weights {@code wHat[l]} of tensor l (in the order the objective was
     * built with; direct, native order, absolute positions from 0). When {@code grad} is not null,
     * writes dD/dwHat of tensor l into {@code grad[l]} (same lengths).
     */
    double evaluate(FloatBuffer[] wHat, FloatBuffer[] grad) throws L2cException;

    /**
     * {@link #evaluate} with gradients, handed back as {@link Gradients} that the caller closes once
     * read: by default written into {@code scratch} (one buffer per tensor, as evaluate's grad); an
     * objective that already holds them elsewhere (KD: libtorch's gradient tensors) hands those over.
     */
    default Gradients evaluateHandingOver(FloatBuffer[] wHat, FloatBuffer[] scratch) throws L2cException {
        return Gradients.of(evaluate(wHat, scratch), scratch);
    }

    /** D's share of tensor {@code l} from the last {@link #evaluate} (its term for separable objectives). */
    double lastTerm(int l);

    /**
     * How fast tensor {@code l}'s share grows as its rate falls, in units where a share that is
     * quadratic in the error (about 4x per bit per weight less) gives {@link #lastTerm}: the
     * optimizer's lambda heuristic extrapolates it. Objectives whose share is not quadratic in the
     * error (the data-free one saturates) say so here.
     */
    default double lastRateSlope(int l) {
        return lastTerm(l);
    }
}
