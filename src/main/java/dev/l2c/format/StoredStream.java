package dev.l2c.format;

/**
 * Where a stream's payload lies in the file and the CRC32C of each of its pieces: per chunk for
 * RANS, per {@code crcBlockBytes} block for RAW ({@code crcBlockBytes} 0 for RANS).
 */
record StoredStream(long offset, long length, int crcBlockBytes, int[] crcs) {
}
