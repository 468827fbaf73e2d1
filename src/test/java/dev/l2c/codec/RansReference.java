package dev.l2c.codec;

import java.io.ByteArrayOutputStream;

/**
 * A straightforward Java encoder of the rANS bitstream (src/main/cpp/l2c/rans_core.h), written
 * from the format description and nothing else: it pins the format the native coders must write.
 * Also reference fp32 -> fp16 / bf16 conversions computed with double arithmetic.
 */
final class RansReference {
    private RansReference() {}

    record Encoded(byte[] payload, long[] offsets) {}

    static Encoded encode(int[] symbols, FrequencyTable table, int chunkSymbols) {
        int p = table.precisionBits();
        int[] f = table.freqs();
        long[] c = new long[f.length];
        for (int s = 1; s < f.length; s++) c[s] = c[s - 1] + f[s - 1];
        int chunks = (int) ((symbols.length + (long) chunkSymbols - 1) / chunkSymbols);
        long[] offsets = new long[chunks + 1];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int k = 0; k < chunks; k++) {
            int start = k * chunkSymbols;
            int n = Math.min(chunkSymbols, symbols.length - start);
            long[] x = new long[32];
            java.util.Arrays.fill(x, 1L << 16);
            int[] emitted = new int[2 * n + 1];
            int w = 0;
            int rows = (n + 31) / 32;
            for (int r = rows - 1; r >= 0; r--) {
                for (int l = 31; l >= 0; l--) {
                    int pos = 32 * r + l;
                    if (pos >= n) continue;
                    int s = symbols[start + pos];
                    long fs = f[s];
                    if (fs == 0) throw new IllegalArgumentException("symbol " + s + " has frequency 0");
                    if (x[l] >= fs << (32 - p)) {
                        emitted[w++] = (int) (x[l] & 0xFFFF);
                        x[l] >>>= 16;
                    }
                    x[l] = ((x[l] / fs) << p) + (x[l] % fs) + c[s];
                }
            }
            for (int l = 0; l < 32; l++) {
                for (int b = 0; b < 4; b++) out.write((int) (x[l] >>> (8 * b)) & 0xFF);
            }
            for (int i = w - 1; i >= 0; i--) {
                out.write(emitted[i] & 0xFF);
                out.write(emitted[i] >>> 8);
            }
            offsets[k + 1] = out.size();
        }
        return new Encoded(out.toByteArray(), offsets);
    }

    /** fp32 -> binary16 bits, round to nearest even, through exact double arithmetic. */
    static short toF16(float v) {
        int bits = Float.floatToRawIntBits(v);
        int sign = (bits >>> 16) & 0x8000;
        if (Float.isNaN(v)) return (short) (sign | 0x7C00 | 0x200 | ((bits & 0x7FFFFF) >>> 13));
        double a = Math.abs((double) v);
        if (Double.isInfinite(a)) return (short) (sign | 0x7C00);
        int e = Math.max(Math.getExponent(a), -14); // binary16 normal exponents start at -14
        double ulp = Math.scalb(1.0, e - 10);
        double r = Math.rint(a / ulp) * ulp; // rint: ties to even
        if (r >= 65536.0) return (short) (sign | 0x7C00);
        if (r < Math.scalb(1.0, -14)) return (short) (sign | (int) (r / Math.scalb(1.0, -24)));
        int exp = Math.getExponent(r);
        int man = (int) ((r / Math.scalb(1.0, exp) - 1.0) * 1024);
        return (short) (sign | ((exp + 15) << 10) | man);
    }

    /** fp32 -> bfloat16 bits, round to nearest even, through exact double arithmetic. */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        if (Float.isInfinite(v)) return (short) (bits >>> 16);
        double a = Math.abs((double) v);
        int e = Math.max(Math.getExponent(a), -126);
        double ulp = Math.scalb(1.0, e - 7);
        double r = Math.rint(a / ulp) * ulp;
        int sign = bits & 0x80000000;
        return (short) ((Float.floatToRawIntBits((float) r) | sign) >>> 16);
    }
}
