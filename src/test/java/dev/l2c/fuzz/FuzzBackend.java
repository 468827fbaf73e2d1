package dev.l2c.fuzz;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.backend.Backends;
import dev.l2c.backend.Device;

/** The CPU backend every fuzz target runs on (a GPU would only add its own noise to a campaign). */
final class FuzzBackend {
    static final Backend CPU = cpu();

    private FuzzBackend() {}

    private static Backend cpu() {
        try {
            return Backends.select(Device.CPU, m -> {});
        } catch (L2cException e) {
            throw new IllegalStateException(e);
        }
    }
}
