package dev.l2c.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.l2c.model.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BiasLayersTest {
    @Test
    void pairsBiasesWithTheWeightOfTheirLayerByNameAndShape() throws Exception {
        List<Tensor> tensors = List.of(
                Tensor.ofFloats("conv.weight", new long[] {2, 1, 1, 2}, new float[] {1, 2, 3, 4}),
                Tensor.ofFloats("conv.bias", new long[] {2}, new float[] {0.5f, 0.5f}),
                Tensor.ofFloats("proj_weight", new long[] {3, 2}, new float[] {1, 1, 1, 1, 1, 1}),
                Tensor.ofFloats("proj_bias", new long[] {2}, new float[] {1, 1}),
                Tensor.ofFloats("odd.weight", new long[] {4, 4}, new float[16]),
                Tensor.ofFloats("odd.bias", new long[] {3}, new float[] {1, 1, 1}),
                Tensor.ofFloats("lonely.bias", new long[] {2}, new float[] {1, 1}));
        Map<String, Double> energies = BiasLayers.energies(tensors);
        // conv: output channels first; proj: a MatMul weight, outputs last; odd: no dimension of 3
        // (and all zeros); lonely: no weight.
        assertEquals(Map.of("conv.bias", 30.0, "proj_bias", 6.0), energies);
    }
}
