package dev.l2c.api;

/**
 * What {@link L2cFile#verify} checked: every checksum matched and every entry decoded. Immutable.
 *
 * @param entries the entries decoded: the tensors, and for a file made from a model folder its
 *     other files too
 * @param elements the elements decoded
 * @param seconds wall time
 */
public record Verification(int entries, long elements, double seconds) {
}
