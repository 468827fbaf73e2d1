package dev.l2c.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Counts the symbol bytes (uncompressed side) each operation handles, so JMH reports them as the
 * secondary metric "bytes" in bytes per second next to the ops/s of the primary metric. Every
 * benchmark, encode or decode, rANS or zstd, counts the same unit: one byte per 8-bit symbol.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class SymbolBytes {
    public long bytes;

    @Setup(Level.Iteration)
    public void reset() {
        bytes = 0;
    }
}
