package dev.l2c.nativelib;

import java.lang.ref.Cleaner;
import java.util.function.LongConsumer;

/**
 * An owned native object behind a {@code long} handle (src/main/cpp/l2c_cpu.h contexts): freed
 * once by {@link #close}, or by a cleaner when its owner becomes unreachable. Calls take the handle
 * through {@link #live} while holding this object's lock, so a close waits for a running call and
 * a call after close is an IllegalStateException, never a native call with a dead handle.
 */
public final class NativeHandle implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    /** The handle and its free function, apart from the owner so that the cleaner does not keep it alive. */
    private static final class State implements Runnable {
        private final LongConsumer free;
        private long value;

        State(long value, LongConsumer free) {
            this.value = value;
            this.free = free;
        }

        @Override
        public synchronized void run() {
            long h = value;
            value = 0;
            if (h != 0) free.accept(h);
        }
    }

    private final String what;
    private final State state;
    private final Cleaner.Cleanable cleanable;

    /** Owns {@code handle} (not 0) for {@code owner}; {@code free} releases it; {@code what} names it in errors. */
    public NativeHandle(Object owner, long handle, LongConsumer free, String what) {
        if (handle == 0) throw new IllegalArgumentException(what + ": no handle");
        this.what = what;
        this.state = new State(handle, free);
        this.cleanable = CLEANER.register(owner, state);
    }

    /** The lock a call holds while it uses {@link #live}. */
    public Object lock() {
        return state;
    }

    /** The live handle; call with {@link #lock} held. */
    public long live() {
        long h = state.value;
        if (h == 0) throw new IllegalStateException(what + " used after close");
        return h;
    }

    @Override
    public void close() {
        synchronized (state) {
            cleanable.clean();
        }
    }
}
