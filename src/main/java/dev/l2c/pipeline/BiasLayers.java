package dev.l2c.pipeline;

import dev.l2c.L2cException;
import dev.l2c.model.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pairs each bias with the weight whose output it feeds, for the data-free objective (which measures
 * a bias's error against that layer's output, not against the bias alone). Paired by name, as
 * PyTorch, Keras and most exporters write them: {@code X.bias} with {@code X.weight} (also {@code
 * X_bias} / {@code X_weight}), when the weight is a float tensor with a dimension as long as the bias
 * (its output channels, first for Conv/Gemm, last for MatMul). A bias with no such weight stays unpaired
 * and is treated as a weight tensor of its own.
 */
final class BiasLayers {
    private BiasLayers() {}

    /** For each paired bias name, ||W||^2 of its weight. */
    static Map<String, Double> energies(List<Tensor> tensors) throws L2cException {
        return energies(tensors, tensors);
    }

    /**
     * For each paired bias among {@code biases}, ||W||^2 of its weight, looked up in {@code all}
     * (a part of a model pairs its biases with weights that may lie in other parts).
     */
    static Map<String, Double> energies(List<Tensor> biases, List<Tensor> all) throws L2cException {
        Map<String, Tensor> byName = new HashMap<>();
        for (Tensor t : all) byName.put(t.name(), t);
        Map<String, Double> out = new HashMap<>();
        for (Tensor bias : biases) {
            String name = bias.name();
            if (!name.endsWith("bias") || !bias.dtype().isFloat() || bias.shape().length != 1) continue;
            Tensor weight = byName.get(name.substring(0, name.length() - "bias".length()) + "weight");
            if (weight == null || !weight.dtype().isFloat() || weight.shape().length < 2) continue;
            long channels = bias.shape()[0];
            long[] shape = weight.shape();
            if (shape[0] != channels && shape[shape.length - 1] != channels) continue;
            double sq = 0;
            for (float v : weight.toFloatArray()) sq += (double) v * v;
            if (sq > 0 && Double.isFinite(sq)) out.put(name, sq);
        }
        return out;
    }
}
