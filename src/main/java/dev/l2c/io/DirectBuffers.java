package dev.l2c.io;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/**
 * Frees a direct buffer's native memory now rather than when the garbage collector finds the
 * buffer unreachable: the Java objects of big native buffers are small, so the collector may not
 * run for hundreds of megabytes of native garbage. Only for a buffer its owner made with
 * {@link ByteBuffer#allocateDirect} and that nothing reads again (a view of it would read freed
 * memory). Where the JDK offers no way ({@code sun.misc.Unsafe.invokeCleaner}), it does nothing
 * and the collector frees the buffer as before.
 */
public final class DirectBuffers {
    private static final MethodHandle INVOKE_CLEANER = invokeCleaner();

    private DirectBuffers() {}

    /** Frees {@code buffer}'s memory (see the class comment); null, heap buffers and views are left to the collector. */
    public static void free(ByteBuffer buffer) {
        if (INVOKE_CLEANER == null || buffer == null || !buffer.isDirect()) return;
        try {
            INVOKE_CLEANER.invokeExact(buffer);
        } catch (IllegalArgumentException viewOrSlice) {
            // A view does not own its memory: the collector frees it with its owner.
        } catch (Throwable e) {
            throw new IllegalStateException("freeing a direct buffer failed", e);
        }
    }

    private static MethodHandle invokeCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            MethodHandle m = MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
                    MethodType.methodType(void.class, ByteBuffer.class));
            return m.bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
