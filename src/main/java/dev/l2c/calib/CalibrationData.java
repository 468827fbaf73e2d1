package dev.l2c.calib;

import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Calibration samples bound to one model's inputs. Samples are addressed by index in [0, size());
 * the tensors returned belong to the caller (they join its PointerScope when one is open).
 */
public interface CalibrationData {
    /** Short name for reports ("fmnist", "wordnet"). */
    String name();

    int size();

    /** The model inputs for the samples at {@code indices}, by graph input name, batch first. */
    Map<String, Tensor> inputs(int[] indices);

    /** Class labels of the samples as int64 [B], or null when the data has none. */
    Tensor labels(int[] indices);

    /**
     * Weights of the output positions for the samples, broadcastable against the model's outputs
     * and features after their batch dimension (e.g. an attention mask [B, S] for [B, S, H]
     * hidden states), or null when every position counts.
     */
    default Tensor positionWeights(int[] indices) {
        return null;
    }
}
