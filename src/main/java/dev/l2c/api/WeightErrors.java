package dev.l2c.api;

import dev.l2c.pipeline.WeightComparison;
import java.util.List;

/**
 * How far each float tensor of a {@code .l2c} file lies from the model it was made from
 * ({@link L2cFile#compareWith}, {@code l2c compare}): the relative error
 * {@code ||W - Ŵ||² / ||W||²}, the data-free objective's term, and their sum.
 *
 * <p><b>Thread safety:</b> immutable.
 */
public final class WeightErrors {
    /**
     * One tensor's error.
     *
     * @param name the tensor
     * @param elements its elements
     * @param relativeError {@code ||W - Ŵ||² / ||W||²} (0 for a tensor stored exactly)
     */
    public record TensorError(String name, long elements, double relativeError) {
    }

    private final WeightComparison.Result result;

    WeightErrors(WeightComparison.Result result) {
        this.result = result;
    }

    /**
     * Every float tensor of the original, in its order.
     *
     * @return the errors
     */
    public List<TensorError> tensors() {
        return result.tensors().stream().map(r -> new TensorError(r.name(), r.elements(), r.relativeError())).toList();
    }

    /**
     * The sum of the relative errors: the data-free distortion.
     *
     * @return the sum
     */
    public double distortion() {
        return result.distortion();
    }

    /**
     * The table {@code l2c compare} prints, as text or JSON.
     *
     * @return the report
     */
    public Report report() {
        return new Report(out -> WeightComparison.print(out, result), result);
    }
}
