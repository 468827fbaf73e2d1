package dev.l2c.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendsTest {
    @Test
    void cpuIsAlwaysAvailable() throws L2cException {
        Backend b = Backends.select(Device.CPU, m -> {});
        assertEquals("cpu", b.name());
        assertEquals(Runtime.getRuntime().availableProcessors(), b.threads());
        assertEquals(1, new CpuBackend(1).threads());
    }

    @Test
    void cudaAndAutoFollowTheProbe() throws L2cException {
        List<String> log = new ArrayList<>();
        String why = Backends.cudaUnavailableReason();
        if (why == null) {
            assertEquals("cuda", Backends.select(Device.CUDA, log::add).name());
            assertEquals("cuda", Backends.select(Device.AUTO, log::add).name());
            assertTrue(log.isEmpty());
        } else {
            L2cException e = assertThrows(L2cException.class, () -> Backends.select(Device.CUDA, log::add));
            assertTrue(e.getMessage().startsWith("--device cuda: "), e.getMessage());
            assertEquals("cpu", Backends.select(Device.AUTO, log::add).name());
            assertEquals(1, log.size());
            assertTrue(log.get(0).contains(why), log.get(0));
        }
    }

    @Test
    void deviceNamesParse() throws L2cException {
        assertEquals(Device.CUDA, Device.parse("CUDA"));
        assertEquals(Device.AUTO, Device.parse(" auto"));
        L2cException e = assertThrows(L2cException.class, () -> Device.parse("tpu"));
        assertTrue(e.getMessage().contains("--device tpu"));
    }
}
