package dev.l2c.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.l2c.model.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** Java arrays and buffers to libtorch tensors and back, and model weights both ways. */
class TensorsTest {
    @Test
    void arraysRoundTrip() {
        try (PointerScope scope = new PointerScope()) {
            float[] f = {1.5f, -2f, 3.25f, 0f, Float.NaN, -0f};
            Tensor t = Tensors.fromFloats(f, 2, 3);
            assertArrayEquals(new long[] {2, 3}, Tensors.shape(t));
            assertEquals(ScalarType.Float, Tensors.type(t));
            assertArrayEquals(f, Tensors.toFloats(t));
            long[] l = {Long.MAX_VALUE, -7, 0};
            assertArrayEquals(l, Tensors.toLongs(Tensors.fromLongs(l, 3)));
            double[] d = {Math.PI, -1e300};
            assertArrayEquals(d, Tensors.toDoubles(Tensors.fromDoubles(d, 2, 1)));
            assertArrayEquals(new float[] {42f}, Tensors.toFloats(Tensors.fromFloats(new float[] {42f})));
            assertArrayEquals(new float[0], Tensors.toFloats(Tensors.fromFloats(new float[0], 0, 4)));
        }
    }

    @Test
    void buffersCopyTheirRemainingElements() {
        try (PointerScope scope = new PointerScope()) {
            FloatBuffer direct = ByteBuffer.allocateDirect(5 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            direct.put(new float[] {9, 1, 2, 3, 4}).position(1);
            assertArrayEquals(new float[] {1, 2, 3, 4}, Tensors.toFloats(Tensors.fromFloats(direct, 2, 2)));
            assertEquals(1, direct.position(), "the buffer's position is left alone");
            FloatBuffer bigEndian = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).asFloatBuffer().put(new float[] {5, 6});
            assertArrayEquals(new float[] {5, 6}, Tensors.toFloats(Tensors.fromFloats(bigEndian.flip(), 2)));
            LongBuffer longs = LongBuffer.wrap(new long[] {0, 7, 8});
            assertArrayEquals(new long[] {7, 8}, Tensors.toLongs(Tensors.fromLongs(longs.position(1), 2)));
        }
    }

    @Test
    void readsViewsAndLiveTensorsAsPlainRowMajorValues() {
        try (PointerScope scope = new PointerScope()) {
            Tensor t = Tensors.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, Tensors.toFloats(t.t()));
            Tensor live = t.clone().set_requires_grad(true);
            assertArrayEquals(new double[] {2, 4, 6, 8, 10, 12}, Tensors.toDoubles(live.mul(new org.bytedeco.pytorch.Scalar(2.0))));
            assertArrayEquals(new long[] {1, 2, 3}, Tensors.toLongs(Tensors.fromFloats(new float[] {1.9f, 2.2f, 3.7f}, 3)));
        }
    }

    @Test
    void modelWeightsRoundTripEveryDtype() {
        try (PointerScope scope = new PointerScope()) {
            for (DType dtype : DType.values()) {
                byte[] bytes = new byte[6 * dtype.byteSize()];
                for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (dtype == DType.BOOL ? i % 2 : i * 37 + 1);
                dev.l2c.model.Tensor w = new dev.l2c.model.Tensor("w", dtype, new long[] {3, 2}, ByteBuffer.wrap(bytes));
                Tensor t = Tensors.fromModel(w);
                assertEquals(Tensors.scalarType(dtype), Tensors.type(t), dtype.name());
                dev.l2c.model.Tensor back = Tensors.toModel("w", t);
                assertEquals(w, back, dtype.name());
            }
        }
    }

    @Test
    void wrongCountsAreProgrammingErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensors.fromFloats(new float[5], 2, 3));
        assertEquals("shape [2, 3] holds 6 elements, got 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensors.fromLongs(new long[1], -1));
    }

    @Test
    void configureIsIdempotent() {
        int before = Torch.threads();
        Torch.configure(1);
        Torch.configure(1);
        assertEquals(1, Torch.threads());
        assertEquals(1, org.bytedeco.pytorch.global.torch.get_num_threads());
        Torch.configure(before == 0 ? 0 : before);
        assertThrows(IllegalArgumentException.class, () -> Torch.configure(-1));
    }
}
