package dev.l2c.graph;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * libtorch's process-wide set-up: loads the native libraries and sets the intra-op thread count,
 * which libtorch starts at 1 when loaded from Java.
 *
 * <p>libtorch's OpenMP threads spin at every barrier by default; on a machine busy with other
 * work that made small graphs 10-50x slower. OpenMP reads {@code OMP_WAIT_POLICY} once, when it
 * is loaded, so it is set in the environment: the {@code l2c} launcher and the test runner set
 * it to PASSIVE.
 */
public final class Torch {
    private static int threads;

    private Torch() {}

    /**
     * Sets libtorch's intra-op threads (0 = the available processors). Idempotent: calling it again
     * with the same count does nothing; another count replaces the earlier one.
     */
    public static synchronized void configure(int threads) {
        if (threads < 0 || threads > dev.l2c.backend.CpuBackend.MAX_THREADS) {
            throw new IllegalArgumentException("thread count must be in 0.." + dev.l2c.backend.CpuBackend.MAX_THREADS + ", got " + threads);
        }
        load();
        int n = threads == 0 ? Math.min(Runtime.getRuntime().availableProcessors(), dev.l2c.backend.CpuBackend.MAX_THREADS) : threads;
        if (n == Torch.threads) return;
        torch.set_num_threads(n);
        Torch.threads = n;
    }

    private static boolean loaded;

    private static void load() {
        if (loaded) return;
        Loader.load(torch.class);
        // NNPACK rejects most x86 CPUs with a warning on every convolution; libtorch then uses its
        // other convolution paths, which it now picks directly.
        torch.globalContext().setUserEnabledNNPACK(false);
        loaded = true;
    }

    /** Configures the default thread count unless a count was set already. */
    static synchronized void ensureConfigured() {
        if (threads == 0) configure(0);
    }

    /** The intra-op thread count set through {@link #configure} (0 before the first call). */
    public static synchronized int threads() {
        return threads;
    }

    /**
     * A native string that lives as long as the process: libtorch keeps string_view arguments
     * (rounding modes, padding modes) by address, so their bytes must outlive the call.
     */
    static BytePointer constantString(String s) {
        ensureConfigured();
        BytePointer p = new BytePointer(s);
        p.retainReference(); // never freed; a handful of these exist per process
        return p;
    }
}
