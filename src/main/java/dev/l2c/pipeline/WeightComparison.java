package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.calib.DataFreeObjective;
import dev.l2c.format.L2cReader;
import dev.l2c.format.TensorInfo;
import dev.l2c.io.Printable;
import dev.l2c.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decodes a .l2c file and measures each float tensor against the model it was made from: the
 * relative weight error ||W - What||^2 / ||W||^2 (the data-free objective's term), and their sum.
 */
public final class WeightComparison {
    public record Row(String name, long elements, double relativeError) {}

    /** @param distortion the sum of the per-tensor relative errors (the data-free distortion D) */
    public record Result(String file, String original, List<Row> tensors, double distortion) {}

    private WeightComparison() {}

    /**
     * Measures every float tensor of {@code original} against its decoded copy in {@code reader}
     * (the file named {@code l2c}).
     */
    public static Result compare(String l2c, L2cReader reader, TensorDecoder decoder, Path original) throws L2cException {
        SourceModel source = SourceModel.open(original);
        List<Row> rows = new ArrayList<>();
        double total = 0;
        for (Tensor t : source.tensors()) {
            if (!t.dtype().isFloat()) continue;
            TensorInfo info;
            try {
                info = reader.tensor(t.name());
            } catch (L2cException e) {
                throw new L2cException(l2c + ": has no tensor '" + Printable.escape(t.name()) + "' of " + original
                        + " (made from another model?)", e);
            }
            float[] decoded = decoder.decode(info, dev.l2c.codec.ValueType.F32).toFloatArray();
            if (decoded.length != t.numel()) {
                throw new L2cException(l2c + ": tensor '" + Printable.escape(t.name()) + "' has " + decoded.length + " elements, "
                        + original + " has " + t.numel());
            }
            double err = DataFreeObjective.relativeError(floats(t.toFloatArray()), decoded);
            rows.add(new Row(t.name(), t.numel(), err));
            total += err;
        }
        return new Result(l2c, original.toString(), rows, total);
    }

    /** The result as {@code l2c compare} prints it. */
    public static void print(PrintWriter out, Result r) {
        out.printf("%-48s %12s %12s%n", "tensor", "elements", "rel.err");
        for (Row row : r.tensors()) {
            out.printf(Locale.ROOT, "%-48s %12d %12.4e%n", Printable.escape(row.name()), row.elements(), row.relativeError());
        }
        out.printf(Locale.ROOT, "sum of relative errors (data-free distortion): %.5f over %d tensors%n", r.distortion(),
                r.tensors().size());
    }

    private static FloatBuffer floats(float[] values) {
        FloatBuffer b = ByteBuffer.allocateDirect(4 * values.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
        return b.put(values).flip();
    }
}
