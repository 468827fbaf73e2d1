package dev.l2c.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NativeStatusTest {
    @Test
    void everyCodeHasItsOwnNativeMessage() {
        Set<String> messages = new HashSet<>();
        for (NativeStatus s : NativeStatus.values()) {
            String m = CpuKernels.l2c_status_message(s.code);
            assertNotEquals("unknown status", m, s + " has no native message: the Java and native enums differ");
            assertTrue(messages.add(m), s + " shares its message with another code");
            assertEquals(s, NativeStatus.of(s.code));
        }
        assertEquals("unknown status", CpuKernels.l2c_status_message(-99));
        assertNull(NativeStatus.of(-99));
        assertEquals("output buffer too small (status -8)", NativeStatus.describe(-8));
    }
}
