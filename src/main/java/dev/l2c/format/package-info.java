/**
 * The .l2c container, version 3 (docs/FORMAT.md): {@link dev.l2c.format.L2cWriter} streams
 * payloads and writes the compressed index and the footer last; {@link dev.l2c.format.L2cReader}
 * checks every length, offset and checksum before trusting it and reads payload bytes with
 * positional reads into bounded buffers (never a memory mapping). The container stores what the codec produces (rANS chunks,
 * raw planes) without interpreting it.
 */
package dev.l2c.format;
