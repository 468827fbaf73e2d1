package dev.l2c.api;

import dev.l2c.backend.Device;

/**
 * Where l2c's own kernels (rANS coding, the learned transform, the rate counter) run. libtorch,
 * which runs the network during calibration on data, always runs on the CPU (docs/DESIGN.md,
 * "libtorch and ONNX Runtime").
 *
 * <p><b>Thread safety:</b> immutable constants.
 */
public enum ComputeDevice {
    /** CUDA where a GPU is usable and the CUDA kernels were built, else the CPU (with a note to the listener). */
    AUTO(Device.AUTO),
    /** The CPU, on {@code threads} threads. */
    CPU(Device.CPU),
    /** A CUDA GPU; an {@link dev.l2c.L2cException} saying why where none is usable. */
    CUDA(Device.CUDA);

    private final Device device;

    ComputeDevice(Device device) {
        this.device = device;
    }

    Device device() {
        return device;
    }
}
