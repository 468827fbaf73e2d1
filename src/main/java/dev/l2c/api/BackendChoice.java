package dev.l2c.api;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.backend.Backends;
import dev.l2c.backend.CpuBackend;

/** The backend for a {@link ComputeDevice} and a thread count, as every API entry point picks it. */
final class BackendChoice {
    private BackendChoice() {}

    /** The device's backend; {@link ComputeDevice#AUTO}'s fallback to the CPU is a note to {@code listener}. */
    static Backend select(ComputeDevice device, int threads, ProgressListener listener) throws L2cException {
        Backend backend = Backends.select(device.device(), ProgressAdapter.notes(listener));
        // The thread count applies to the CPU backend; the CUDA backend's host side needs no tuning.
        return threads > 0 && backend instanceof CpuBackend ? new CpuBackend(threads) : backend;
    }

    /** {@code threads} if it is a valid count (0: all cores), else an IllegalArgumentException. */
    static int checkThreads(int threads) {
        if (threads < 0 || threads > CpuBackend.MAX_THREADS) {
            throw new IllegalArgumentException("threads must be in 0.." + CpuBackend.MAX_THREADS + ", got " + threads);
        }
        return threads;
    }
}
