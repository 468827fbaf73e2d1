package dev.l2c.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.l2c.graph.Tensors;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** L2cFile.decodeTensor: libtorch tensors of the stored shape holding the bits decode gives. */
class ApiTorchTest {
    @TempDir
    Path dir;

    private static byte[] bytes(Tensor t) {
        ByteBuffer b = t.nbytes() == 0 ? ByteBuffer.allocate(0) : new BytePointer(t.data_ptr()).capacity(t.nbytes()).asByteBuffer();
        return ApiModels.bytes(b);
    }

    private static float[] floats(FloatBuffer b) {
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void tensorsHoldTheBitsOfDecodeInEveryType() throws Exception {
        // Quantized (bits 8) and lossless files: both decode paths, and the bf16 and int64 tensors.
        Path model = ApiModels.safetensors(dir);
        for (String mode : new String[] {"bits", "lossless"}) {
            Path file = dir.resolve(mode + ".l2c");
            (mode.equals("bits") ? Compression.bits(8) : Compression.lossless()).compress(model, file);
            try (L2cFile f = L2cFile.open(file)) {
                for (TensorEntry e : f.tensors()) {
                    ElementType[] types = e.type().isFloat()
                            ? new ElementType[] {null, ElementType.F32, ElementType.F16, ElementType.BF16} : new ElementType[] {null};
                    for (ElementType as : types) {
                        try (Tensor t = f.decodeTensor(e.name(), as)) {
                            String what = e.name() + " as " + as;
                            assertArrayEquals(e.shape(), Tensors.shape(t), what);
                            assertEquals(Tensors.scalarType((as == null ? e.type() : as).dtype()), Tensors.type(t), what);
                            assertArrayEquals(ApiModels.bytes(f.decode(e.name(), as)), bytes(t), what);
                            if (as == ElementType.F32) assertArrayEquals(floats(f.decodeFloats(e.name())), Tensors.toFloats(t), what);
                        }
                    }
                }
                assertThrows(IllegalArgumentException.class, () -> f.decodeTensor("ids", ElementType.F16));
                assertThrows(IllegalArgumentException.class, () -> f.decodeTensor("missing", null));
            }
        }
    }

    @Test
    void onCudaWhereLibtorchHasAGpu() throws Exception {
        Path file = dir.resolve("m.l2c");
        Compression.bits(6).compress(ApiModels.safetensors(dir), file);
        try (L2cFile f = L2cFile.open(file); Tensor cpu = f.decodeTensor("a.weight", ElementType.F16, new Device("cpu"))) {
            assertArrayEquals(ApiModels.bytes(f.decode("a.weight", ElementType.F16)), bytes(cpu));
            // l2c's build ships libtorch's CPU natives; a CUDA build of them on the class path runs this case.
            assumeTrue(torch.cuda_is_available(), "libtorch has no usable CUDA device here");
            try (Tensor gpu = f.decodeTensor("a.weight", ElementType.F16, new Device("cuda:0")); Tensor back = gpu.cpu()) {
                assertTrue(gpu.is_cuda());
                assertArrayEquals(bytes(cpu), bytes(back));
            }
        }
    }
}
