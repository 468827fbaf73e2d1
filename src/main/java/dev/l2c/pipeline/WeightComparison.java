package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.calib.DataFreeObjective;
import dev.l2c.format.L2cReader;
import dev.l2c.format.TensorInfo;
import dev.l2c.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a .l2c file and measures each float tensor against the model it was made from: the
 * relative weight error ||W - What||^2 / ||W||^2 (the data-free objective's term), and their sum.
 */
public final class WeightComparison {
    public record Row(String name, long elements, double relativeError) {}

    /** @param distortion the sum of the per-tensor relative errors (the data-free distortion D) */
    public record Result(String file, String original, List<Row> tensors, double distortion) {}

    private WeightComparison() {}

    public static Result compare(Backend backend, Path l2c, Path original) throws L2cException {
        SourceModel source = SourceModel.open(original);
        try (L2cReader reader = L2cReader.open(l2c)) {
            TensorDecoder decoder = new TensorDecoder(l2c.toString(), reader, backend.rans());
            List<Row> rows = new ArrayList<>();
            double total = 0;
            for (Tensor t : source.tensors()) {
                if (!t.dtype().isFloat()) continue;
                TensorInfo info;
                try {
                    info = reader.tensor(t.name());
                } catch (L2cException e) {
                    throw new L2cException(l2c + ": has no tensor '" + t.name() + "' of " + original + " (made from another model?)", e);
                }
                float[] decoded = decoder.decode(info, dev.l2c.codec.ValueType.F32).toFloatArray();
                if (decoded.length != t.numel()) {
                    throw new L2cException(l2c + ": tensor '" + t.name() + "' has " + decoded.length + " elements, "
                            + original + " has " + t.numel());
                }
                double err = DataFreeObjective.relativeError(floats(t.toFloatArray()), decoded);
                rows.add(new Row(t.name(), t.numel(), err));
                total += err;
            }
            return new Result(l2c.toString(), original.toString(), rows, total);
        }
    }

    private static FloatBuffer floats(float[] values) {
        FloatBuffer b = ByteBuffer.allocateDirect(4 * values.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
        return b.put(values).flip();
    }
}
