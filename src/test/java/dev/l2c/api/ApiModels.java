package dev.l2c.api;

import dev.l2c.model.DType;
import dev.l2c.model.SafetensorsFile;
import dev.l2c.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The small models the API tests compress, and buffer helpers. */
final class ApiModels {
    private ApiModels() {}

    /** A safetensors model in {@code dir}: two f32 weights, a bf16 one, an int64 table. */
    static Path safetensors(Path dir) throws Exception {
        Random rnd = new Random(5);
        List<Tensor> ts = new ArrayList<>();
        for (String name : new String[] {"a.weight", "b.weight"}) {
            float[] v = new float[64 * 128];
            for (int i = 0; i < v.length; i++) v[i] = (float) (0.05 * rnd.nextGaussian());
            ts.add(Tensor.ofFloats(name, new long[] {64, 128}, v));
        }
        ByteBuffer bf = ByteBuffer.allocate(2 * 4096).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 4096; i++) bf.putShort((short) (Float.floatToIntBits((float) rnd.nextGaussian()) >>> 16));
        ts.add(new Tensor("c.weight", DType.BF16, new long[] {4096}, bf.flip()));
        ByteBuffer ids = ByteBuffer.allocate(80).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < 10; i++) ids.putLong(i * 7);
        ts.add(new Tensor("ids", DType.I64, new long[] {10}, ids.flip()));
        Path p = dir.resolve("m.safetensors");
        SafetensorsFile.write(p, ts, Map.of(), false);
        return p;
    }

    /** The buffer's remaining bytes. */
    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
