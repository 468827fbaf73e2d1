/**
 * The .l2c container, version 2 (docs/FORMAT.md): {@link dev.l2c.format.L2cWriter} streams
 * payloads and writes the index and footer last; {@link dev.l2c.format.L2cReader} checks every
 * length, offset and checksum before trusting it and hands out read-only views of payload bytes
 * through bounded memory mappings. The container stores what the codec produces (rANS chunks,
 * raw planes) without interpreting it.
 */
package dev.l2c.format;
