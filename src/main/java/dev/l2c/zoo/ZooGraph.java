package dev.l2c.zoo;

import dev.l2c.graph.GraphBuilder;
import dev.l2c.model.DType;
import dev.l2c.model.onnx.proto.AttributeProto;
import dev.l2c.model.onnx.proto.ModelProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The graph-building steps the zoo's networks share: seeded initializers, Conv + BatchNormalization,
 * dense layers and scalar constants, on one {@link GraphBuilder}. Every zoo network reads a
 * Fashion-MNIST image {@code image [N,1,28,28]} and writes {@code logits [N,10]}.
 */
final class ZooGraph {
    static final String INPUT = "image";
    static final String OUTPUT = "logits";
    static final int CLASSES = 10;
    static final int SIDE = 28;
    private static final float BN_EPSILON = 1e-5f;
    /** ONNX's momentum: running = momentum * running + (1 - momentum) * batch (torch's 0.1). */
    private static final float BN_MOMENTUM = 0.9f;

    private final GraphBuilder graph;
    private final SplittableRandom random;

    /** A graph named {@code name} with the image input declared, weights drawn by {@code seed}. */
    ZooGraph(String name, long seed) {
        this.graph = new GraphBuilder(name);
        this.random = new SplittableRandom(seed);
        graph.input(INPUT, DType.F32, -1, 1, SIDE, SIDE);
    }

    GraphBuilder graph() {
        return graph;
    }

    /** A node with one output (see {@link GraphBuilder#node(String, List, AttributeProto...)}). */
    String node(String opType, List<String> inputs, AttributeProto... attributes) {
        return graph.node(opType, inputs, attributes);
    }

    /**
     * A bias-free Conv ({@code conv.weight}, He-initialized in fan-out mode as torchvision does),
     * padded to keep the size at stride 1, then BatchNormalization ({@code bn.scale/bias/mean/var});
     * {@code zeroScale} starts the BN scale at 0 (a residual branch that starts as nothing).
     */
    String convBn(String conv, String x, int in, int out, int kernel, int stride, int groups, boolean zeroScale, String bn) {
        String w = conv + ".weight";
        graph.initializer(w, normal(out * (in / groups) * kernel * kernel, Math.sqrt(2.0 / (out * kernel * kernel))),
                out, in / groups, kernel, kernel);
        int pad = kernel / 2;
        List<AttributeProto> attrs = new ArrayList<>(List.of(GraphBuilder.ints("kernel_shape", kernel, kernel),
                GraphBuilder.ints("strides", stride, stride), GraphBuilder.ints("pads", pad, pad, pad, pad)));
        if (groups != 1) attrs.add(GraphBuilder.attr("group", (long) groups)); // absent means 1
        String y = graph.node("Conv", List.of(x, w), attrs.toArray(AttributeProto[]::new));
        graph.initializer(bn + ".scale", filled(out, zeroScale ? 0f : 1f), out);
        graph.initializer(bn + ".bias", filled(out, 0f), out);
        graph.initializer(bn + ".mean", filled(out, 0f), out);
        graph.initializer(bn + ".var", filled(out, 1f), out);
        return graph.node("BatchNormalization", List.of(y, bn + ".scale", bn + ".bias", bn + ".mean", bn + ".var"),
                GraphBuilder.attr("epsilon", BN_EPSILON), GraphBuilder.attr("momentum", BN_MOMENTUM));
    }

    /** {@link #convBn} with {@code name.conv} and {@code name.bn}, not grouped. */
    String convBn(String name, String x, int in, int out, int kernel, int stride, boolean zeroScale) {
        return convBn(name + ".conv", x, in, out, kernel, stride, 1, zeroScale, name + ".bn");
    }

    /**
     * {@code x [N, in] -> [N, out]} as Gemm with {@code name.weight [out, in]} (transB) and {@code
     * name.bias}, initialized as torch's Linear.
     */
    String gemm(String name, String x, int in, int out, String output) {
        float bound = (float) (1 / Math.sqrt(in));
        graph.initializer(name + ".weight", uniform(out * in, bound), out, in);
        graph.initializer(name + ".bias", uniform(out, bound), out);
        graph.node("Gemm", List.of(x, name + ".weight", name + ".bias"), List.of(output), GraphBuilder.attr("transB", 1L));
        return output;
    }

    /** A float scalar as a Constant node named {@code name}: fixed, so training never makes it a parameter. */
    String scalar(String name, float value) {
        graph.node("Constant", List.of(), List.of(name), GraphBuilder.attr("value", GraphBuilder.floatTensor(name, new float[] {value})));
        return name;
    }

    /** An int64 vector initializer (a Reshape target, say); not a float, so never trained. */
    String longs(String name, long... values) {
        graph.initializer(name, values, values.length);
        return name;
    }

    /** Declares the logits output and returns the model. */
    ModelProto build() {
        graph.output(OUTPUT, DType.F32, -1, CLASSES);
        return graph.build();
    }

    float[] normal(int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (random.nextGaussian() * std);
        return v;
    }

    float[] uniform(int n, float bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        return v;
    }

    static float[] filled(int n, float value) {
        float[] v = new float[n];
        Arrays.fill(v, value);
        return v;
    }
}
