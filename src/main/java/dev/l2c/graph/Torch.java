package dev.l2c.graph;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * libtorch's process-wide set-up: loads the native libraries and sets the intra-op thread count,
 * which libtorch starts at 1 when loaded from Java.
 */
public final class Torch {
    private static int threads;

    private Torch() {}

    /**
     * Sets libtorch's intra-op threads (0 = the available processors). Idempotent: calling it again
     * with the same count does nothing; another count replaces the earlier one.
     */
    public static synchronized void configure(int threads) {
        if (threads < 0) throw new IllegalArgumentException("thread count must be >= 0, got " + threads);
        Loader.load(torch.class);
        int n = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        if (n == Torch.threads) return;
        torch.set_num_threads(n);
        Torch.threads = n;
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
