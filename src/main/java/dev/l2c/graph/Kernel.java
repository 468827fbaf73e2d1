package dev.l2c.graph;

import dev.l2c.L2cException;
import org.bytedeco.pytorch.Tensor;

/**
 * One node's computation, prepared from its attributes when the executor is built. Inputs the
 * node leaves out (empty names) arrive as null. A kernel never changes its inputs in place; it
 * may return any live handle (the executor takes its own), including an input itself.
 */
@FunctionalInterface
interface Kernel {
    Tensor[] apply(Tensor[] inputs, RunMode mode) throws L2cException;

    /** Per-run settings a kernel may depend on. */
    record RunMode(boolean training) {}

    /** Builds a node's kernel, checking its attributes (and, where fixed, its input count). */
    @FunctionalInterface
    interface Factory {
        Kernel create(OpNode node) throws L2cException;
    }
}
