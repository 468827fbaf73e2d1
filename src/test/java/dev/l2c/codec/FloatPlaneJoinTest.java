package dev.l2c.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.nativelib.CpuKernels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The native join of lossless byte planes (l2c/planes.h) gives back every element bit for bit, for
 * each layout, at every SIMD level the CPU runs, into an output at any alignment; the planes here
 * are cut by hand from the layouts FloatPlaneCodec documents, so a join that mixed up a plane or a
 * bit would fail. Too small a buffer is refused before a byte moves.
 */
class FloatPlaneJoinTest {
    /** The bytes of plane p of element e (little-endian bytes of `width`), per the documented layouts. */
    private static int planeByte(FloatPlaneCodec.Layout layout, ByteBuffer e, int at, int p) {
        switch (layout) {
            case F32_EXPONENT -> {
                int bits = e.getInt(at);
                return switch (p) {
                    case 0 -> bits >>> 23 & 0xFF;
                    case 1 -> ((bits >>> 31) << 7) | ((bits >>> 16) & 0x7F);
                    case 2 -> bits >>> 8 & 0xFF;
                    default -> bits & 0xFF;
                };
            }
            case BF16_EXPONENT -> {
                int bits = e.getShort(at) & 0xFFFF;
                return p == 0 ? bits >>> 7 & 0xFF : ((bits >>> 15) << 7) | (bits & 0x7F);
            }
            default -> {
                int width = FloatPlaneCodec.elementBytes(layout);
                return e.get(at + width - 1 - p) & 0xFF; // most significant byte first
            }
        }
    }

    @Test
    void joinsEveryLayoutBitForBit() throws L2cException {
        Random rnd = new Random(3);
        int best = CpuKernels.l2c_cpu_set_simd_limit(Integer.MAX_VALUE);
        for (FloatPlaneCodec.Layout layout : FloatPlaneCodec.Layout.values()) {
            int width = FloatPlaneCodec.elementBytes(layout);
            for (int count : new int[] {0, 1, 31, 1000, 70001}) {
                ByteBuffer elements = ByteBuffer.allocateDirect(width * count).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < width * count; i++) elements.put(i, (byte) rnd.nextInt());
                // Every exponent and sign at least once where there is room: NaN payloads, -0, subnormals.
                if (layout == FloatPlaneCodec.Layout.F32_EXPONENT && count >= 4) {
                    elements.putInt(0, 0x7FC00001).putInt(4, 0x80000000).putInt(8, 0x00000001).putInt(12, 0xFF800000);
                }
                ByteBuffer planes = ByteBuffer.allocateDirect(layout.planes * count);
                for (int p = 0; p < layout.planes; p++) {
                    for (int i = 0; i < count; i++) planes.put(p * count + i, (byte) planeByte(layout, elements, width * i, p));
                }
                for (int level = 0; level <= best; level++) {
                    try {
                        CpuKernels.l2c_cpu_set_simd_limit(level);
                        // One byte in: no path may assume an aligned output.
                        ByteBuffer out = ByteBuffer.allocateDirect(width * count + 1).position(1).slice();
                        FloatPlaneCodec.join(layout, planes, count, out);
                        assertEquals(elements, out.limit(width * count), layout + " x " + count + " at SIMD level " + level);
                    } finally {
                        CpuKernels.l2c_cpu_set_simd_limit(Integer.MAX_VALUE);
                    }
                }
            }
        }
    }

    @Test
    void refusesBuffersTooSmall() {
        ByteBuffer planes = ByteBuffer.allocateDirect(2 * 100);
        L2cException e = assertThrows(L2cException.class,
                () -> FloatPlaneCodec.join(FloatPlaneCodec.Layout.BF16_EXPONENT, planes, 100, ByteBuffer.allocateDirect(199)));
        assertTrue(e.getMessage().contains("too small"), e.getMessage());
        assertThrows(L2cException.class,
                () -> FloatPlaneCodec.join(FloatPlaneCodec.Layout.F32_EXPONENT, planes, 100, ByteBuffer.allocateDirect(400)));
        assertThrows(IllegalArgumentException.class,
                () -> FloatPlaneCodec.join(FloatPlaneCodec.Layout.BYTES_2, ByteBuffer.allocate(200), 100, ByteBuffer.allocateDirect(200)));
    }
}
