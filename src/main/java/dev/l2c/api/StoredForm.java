package dev.l2c.api;

/** How a tensor is stored in a {@code .l2c} file (docs/FORMAT.md, "kind"). Immutable constants, safe to share. */
public enum StoredForm {
    /** Its bytes as they were (tensors that are not floating point, and small exact ones). */
    RAW,
    /** Quantized and entropy-coded: it decodes to approximately its original values. */
    QUANTIZED,
    /** Floating-point values coded without loss: it decodes to exactly its original bits. */
    LOSSLESS
}
