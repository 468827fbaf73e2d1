package dev.l2c.bench;

import dev.l2c.codec.FrequencyTable;
import dev.l2c.transform.QuantizedTensor;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes the MiniLM 8-bit symbols with the frequency table l2c builds for each tensor, for the
 * native peer harness (benchmarks/native/rans_peer.cpp), so that l2c and htscodecs are measured
 * on the bytes the JMH benchmarks code. Layout, little-endian: "L2CSYM1\0", u32 tensors, then per
 * tensor u32 n, u32 precision, u32 alphabet, alphabet x u32 frequency, n x u8 symbol index.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.l2c.bench.SymbolDump OUT_FILE}
 */
public final class SymbolDump {
    private SymbolDump() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: SymbolDump OUT_FILE");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        BenchData.MiniLm minilm = BenchData.minilm();
        try (OutputStream file = Files.newOutputStream(tmp);
                DataOutputStream data = new DataOutputStream(new BufferedOutputStream(file, 1 << 20))) {
            data.writeBytes("L2CSYM1\0");
            writeU32(data, minilm.tensors().size());
            for (QuantizedTensor q : minilm.tensors()) {
                FrequencyTable t = FrequencyTable.fromCounts(q.counts());
                ShortBuffer s = q.symbols();
                if (t.alphabetSize() > 256) throw new IOException("alphabet above 256 in a tensor of 8-bit symbols");
                writeU32(data, s.remaining());
                writeU32(data, t.precisionBits());
                writeU32(data, t.alphabetSize());
                for (int s2 = 0; s2 < t.alphabetSize(); s2++) writeU32(data, t.frequency(s2));
                for (int i = s.position(); i < s.limit(); i++) data.writeByte(s.get(i));
            }
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeU32(DataOutputStream d, int v) throws IOException {
        d.writeInt(Integer.reverseBytes(v));
    }
}
