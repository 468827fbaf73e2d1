package dev.l2c.codec;

import dev.l2c.L2cException;
import dev.l2c.io.DirectBuffers;
import dev.l2c.nativelib.CpuKernels;
import dev.l2c.nativelib.NativeStatus;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Lossless float codec: the bits of each float are regrouped into byte planes and every plane is
 * stored rANS-coded or raw, whichever is smaller. For fp32 and bf16 the exponent gets a plane of
 * its own (it carries most of the redundancy of trained weights); the sign travels with the top of
 * the mantissa. The regrouping is a bit permutation, so every value comes back bit for bit,
 * NaN payloads and -0.0 included.
 */
public final class FloatPlaneCodec {
    /** A plane whose rANS form does not save at least this fraction is stored raw. */
    private static final double MIN_SAVING = 0.01;

    /** How the bits of one element are split into planes; {@code code} is l2c/planes.h's. */
    public enum Layout {
        /** fp32: exponent | sign + mantissa[22:16] | mantissa[15:8] | mantissa[7:0]. */
        F32_EXPONENT(4, 0),
        /** bf16: exponent | sign + mantissa[6:0]. */
        BF16_EXPONENT(2, 1),
        /** Plain byte planes, most significant first (fp16, fp64). */
        BYTES_2(2, 2),
        BYTES_8(8, 3);

        public final int planes;
        final int code;

        Layout(int planes, int code) {
            this.planes = planes;
            this.code = code;
        }
    }

    /** One coded plane: rANS-coded ({@code stream} set) or raw ({@code raw} set). */
    public record Plane(EncodedStream stream, ByteBuffer raw) {
        public boolean isRans() {
            return stream != null;
        }
    }

    private final RansCodec rans;
    private final int chunkSymbols;

    public FloatPlaneCodec(RansCodec rans, int chunkSymbols) {
        this.rans = rans;
        this.chunkSymbols = chunkSymbols;
    }

    /** Splits {@code data} (little-endian elements, {@code count} of them) into coded planes. */
    public List<Plane> encode(Layout layout, ByteBuffer data, int count) throws L2cException {
        List<Plane> coded = new ArrayList<>(layout.planes);
        for (int p = 0; p < layout.planes; p++) coded.add(encode(layout, data, count, p));
        return coded;
    }

    /**
     * Plane {@code plane} of {@link #encode}, alone: a caller that needs only each plane's coded
     * size holds one plane at a time. Its buffers ({@link Plane#raw}, or the stream's payload) are
     * the caller's own, allocated for it.
     */
    public Plane encode(Layout layout, ByteBuffer data, int count, int plane) throws L2cException {
        ByteBuffer bytes = split(layout, data.duplicate().order(ByteOrder.LITTLE_ENDIAN), count, plane);
        Plane coded = encodePlane(bytes, count);
        if (coded.isRans()) DirectBuffers.free(bytes); // coded: nothing refers to the plane's bytes
        return coded;
    }

    /**
     * Reassembles {@code count} little-endian elements into {@code out} (from index 0) from decoded
     * planes laid out one after another in {@code planes} (plane p at index p * count), natively:
     * the loop that joins a lossless model's planes is what bounds its decoding speed.
     */
    public static void join(Layout layout, ByteBuffer planes, int count, ByteBuffer out) throws L2cException {
        if (!planes.isDirect() || !out.isDirect()) throw new IllegalArgumentException("planes and out must be direct buffers");
        ByteBuffer in = planes.duplicate().clear();
        ByteBuffer to = out.duplicate().clear();
        int status = CpuKernels.l2c_planes_join(layout.code, in, in.capacity(), count, to, to.capacity());
        if (status != NativeStatus.OK.code) {
            throw new L2cException("joining " + layout.planes + " byte planes of " + count + " elements: "
                    + NativeStatus.describe(status));
        }
    }

    /** Bytes per element of a layout: one plane per byte. */
    public static int elementBytes(Layout layout) {
        return layout.planes;
    }

    private Plane encodePlane(ByteBuffer plane, int count) throws L2cException {
        long[] counts = new long[256];
        for (int i = 0; i < count; i++) counts[plane.get(i) & 0xFF]++;
        int alphabet = 256;
        while (alphabet > 1 && counts[alphabet - 1] == 0) alphabet--;
        long[] used = java.util.Arrays.copyOf(counts, alphabet);
        // Lossless planes keep every bit of precision the size asks for (issue 13 weighs their speed).
        FrequencyTable table = FrequencyTable.fromCounts(used, FrequencyTable.MAX_PRECISION);
        double rawBits = 8.0 * count;
        double ransBits = table.estimatedBits(used) + 16.0 * alphabet + 32.0 * 32 * chunkCount(count);
        if (count == 0 || ransBits > rawBits * (1 - MIN_SAVING)) {
            return new Plane(null, plane);
        }
        return new Plane(rans.encodeBytes(plane, table, chunkSymbols), null);
    }

    private long chunkCount(long count) {
        return (count + chunkSymbols - 1) / chunkSymbols;
    }

    /** Plane {@code p} of the elements in {@code in}: count bytes. */
    private static ByteBuffer split(Layout layout, ByteBuffer in, int count, int p) {
        ByteBuffer plane = ByteBuffer.allocateDirect(count);
        switch (layout) {
            case F32_EXPONENT -> {
                for (int i = 0; i < count; i++) {
                    int bits = in.getInt(4 * i);
                    plane.put(i, (byte) switch (p) {
                        case 0 -> bits >>> 23;
                        case 1 -> ((bits >>> 31) << 7) | ((bits >>> 16) & 0x7F);
                        case 2 -> bits >>> 8;
                        default -> bits;
                    });
                }
            }
            case BF16_EXPONENT -> {
                for (int i = 0; i < count; i++) {
                    int bits = in.getShort(2 * i) & 0xFFFF;
                    plane.put(i, (byte) (p == 0 ? bits >>> 7 : ((bits >>> 15) << 7) | (bits & 0x7F)));
                }
            }
            case BYTES_2, BYTES_8 -> {
                int width = elementBytes(layout);
                for (int i = 0; i < count; i++) plane.put(i, in.get(width * i + (width - 1 - p)));
            }
        }
        return plane;
    }
}
