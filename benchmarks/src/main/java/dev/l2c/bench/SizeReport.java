package dev.l2c.bench;

import com.github.luben.zstd.Zstd;
import dev.l2c.L2cException;
import dev.l2c.codec.CpuRansCodec;
import dev.l2c.codec.EncodedStream;
import dev.l2c.codec.FrequencyTable;
import dev.l2c.codec.RansCodec;
import dev.l2c.transform.QuantizedTensor;
import java.util.Locale;

/**
 * Coded sizes of the benchmark bytes in bits per symbol: rANS (payload + frequency table + chunk
 * table), zstd levels 3 and 19, and the order-0 Shannon entropy. For MiniLM also rANS with one
 * table per tensor, which is what {@code l2c compress --bits 8} stores. Prints a markdown table.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.l2c.bench.SizeReport}
 */
public final class SizeReport {
    private SizeReport() {}

    public static void main(String[] args) throws L2cException {
        RansCodec codec = new CpuRansCodec(Runtime.getRuntime().availableProcessors());
        System.out.println("| source | symbols | entropy | rANS, one table | rANS, table per tensor "
                + "| zstd-3 | zstd-19 | rANS / zstd-19 |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        row("Laplace b=" + BenchData.LAPLACE_SCALE, BenchData.laplace(), null, codec);
        BenchData.MiniLm minilm = BenchData.minilm();
        row("MiniLM 8-bit (" + minilm.tensors().size() + " tensors)", minilm.bytes(), minilm, codec);
        System.out.println();
        System.out.println("bits per symbol; rANS includes its frequency table (Elias-gamma estimate) and chunk "
                + "table (varint size + CRC32C per chunk); the ratio uses the best rANS column.");
    }

    private static void row(String name, byte[] bytes, BenchData.MiniLm minilm, RansCodec codec)
            throws L2cException {
        long n = bytes.length;
        double entropy = BenchData.entropyBits(BenchData.byteCounts(bytes));
        FrequencyTable table = BenchData.table(bytes);
        EncodedStream one = codec.encodeBytes(BenchData.direct(bytes), table, EncodedStream.DEFAULT_CHUNK_SYMBOLS);
        double oneTable = (double) storedBits(one) / n;
        double perTensor = Double.NaN;
        if (minilm != null) {
            long bits = 0;
            for (QuantizedTensor q : minilm.tensors()) {
                FrequencyTable t = FrequencyTable.fromCounts(q.counts());
                bits += storedBits(codec.encode(q.symbols(), t, EncodedStream.DEFAULT_CHUNK_SYMBOLS));
            }
            perTensor = (double) bits / n;
        }
        double zstd3 = 8.0 * Zstd.compress(bytes, 3).length / n;
        double zstd19 = 8.0 * Zstd.compress(bytes, 19).length / n;
        double best = Double.isNaN(perTensor) ? oneTable : Math.min(oneTable, perTensor);
        System.out.println(String.format(Locale.ROOT, "| %s | %,d | %.4f | %.4f | %s | %.4f | %.4f | %.3f |",
                name, n, entropy, oneTable, Double.isNaN(perTensor) ? "n/a" : String.format(Locale.ROOT, "%.4f", perTensor),
                zstd3, zstd19, best / zstd19));
    }

    /** Payload, frequency table and chunk table of one stream, in bits. */
    static long storedBits(EncodedStream s) {
        long[] offsets = s.chunkOffsets();
        long chunkTable = 0;
        for (int i = 0; i + 1 < offsets.length; i++) chunkTable += varintBytes(offsets[i + 1] - offsets[i]) + 4;
        return 8 * (s.payloadBytes() + chunkTable) + s.table().estimatedTableBits();
    }

    private static int varintBytes(long v) {
        int bytes = 1;
        while ((v >>>= 7) != 0) bytes++;
        return bytes;
    }
}
