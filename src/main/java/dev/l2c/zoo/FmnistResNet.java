package dev.l2c.zoo;

import dev.l2c.graph.GraphBuilder;
import dev.l2c.model.DType;
import dev.l2c.model.onnx.proto.ModelProto;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The reference Fashion-MNIST classifier: a small ResNet with BatchNorm, as an ONNX graph.
 *
 * <pre>
 * image [N,1,28,28] -> Conv3x3(1->16) BN Relu
 *   -> stage1: blocks of 16 channels, 28x28
 *   -> stage2: blocks of 32 channels, 14x14 (first block stride 2, 1x1 conv + BN shortcut)
 *   -> stage3: blocks of 64 channels, 7x7   (likewise)
 *   -> GlobalAveragePool, Flatten, Gemm(64->10) -> logits [N,10]
 * basic block: Conv3x3 BN Relu Conv3x3 BN, + shortcut, Relu
 * </pre>
 *
 * Convolutions carry no bias (the BN after them has one). Initializers are named after their
 * place ({@code stage2.block1.conv1.weight}, {@code stage2.block1.bn1.mean}, ...), so a report
 * that lists tensors reads like the architecture.
 */
public final class FmnistResNet {
    public static final String NAME = "fmnist-resnet";
    public static final String INPUT = "image";
    public static final String OUTPUT = "logits";
    public static final int CLASSES = 10;
    /** Blocks per stage of the reference model. */
    public static final int DEFAULT_BLOCKS = 1;
    private static final int[] WIDTHS = {16, 32, 64};
    private static final float BN_EPSILON = 1e-5f;
    /** ONNX's momentum: running = momentum * running + (1 - momentum) * batch (torch's 0.1). */
    private static final float BN_MOMENTUM = 0.9f;

    private final GraphBuilder graph = new GraphBuilder(NAME);
    private final SplittableRandom random;

    private FmnistResNet(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The untrained network with {@code blocksPerStage} blocks per stage, weights drawn by {@code seed}. */
    public static ModelProto build(int blocksPerStage, long seed) {
        if (blocksPerStage < 1) throw new IllegalArgumentException("blocks per stage must be >= 1, got " + blocksPerStage);
        return new FmnistResNet(seed).network(blocksPerStage);
    }

    private ModelProto network(int blocks) {
        graph.input(INPUT, DType.F32, -1, 1, 28, 28);
        String x = convBn("stem", INPUT, 1, WIDTHS[0], 3, 1, false);
        x = graph.node("Relu", List.of(x));
        int channels = WIDTHS[0];
        for (int s = 0; s < WIDTHS.length; s++) {
            for (int b = 0; b < blocks; b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                x = block("stage" + (s + 1) + ".block" + (b + 1), x, channels, WIDTHS[s], stride);
                channels = WIDTHS[s];
            }
        }
        x = graph.node("GlobalAveragePool", List.of(x));
        x = graph.node("Flatten", List.of(x), GraphBuilder.attr("axis", 1L));
        float bound = (float) (1 / Math.sqrt(channels)); // torch's Linear initialization
        graph.initializer("fc.weight", uniform(CLASSES * channels, bound), CLASSES, channels);
        graph.initializer("fc.bias", uniform(CLASSES, bound), CLASSES);
        graph.node("Gemm", List.of(x, "fc.weight", "fc.bias"), List.of(OUTPUT), GraphBuilder.attr("transB", 1L));
        graph.output(OUTPUT, DType.F32, -1, CLASSES);
        return graph.build();
    }

    /** A basic residual block; the shortcut is a 1x1 conv + BN where the shape changes. */
    private String block(String name, String x, int in, int out, int stride) {
        String y = convBn(name + ".conv1", x, in, out, 3, stride, false, name + ".bn1");
        y = graph.node("Relu", List.of(y));
        // The last BN of a block starts at scale 0, so each block starts as the identity (Goyal et al.).
        y = convBn(name + ".conv2", y, out, out, 3, 1, true, name + ".bn2");
        String shortcut = x;
        if (stride != 1 || in != out) {
            shortcut = convBn(name + ".shortcut.conv", x, in, out, 1, stride, false, name + ".shortcut.bn");
        }
        return graph.node("Relu", List.of(graph.node("Add", List.of(y, shortcut))));
    }

    private String convBn(String name, String x, int in, int out, int kernel, int stride, boolean zeroScale) {
        return convBn(name + ".conv", x, in, out, kernel, stride, zeroScale, name + ".bn");
    }

    private String convBn(String conv, String x, int in, int out, int kernel, int stride, boolean zeroScale, String bn) {
        String w = conv + ".weight";
        // He initialization for ReLU networks, fan-out mode as torchvision's ResNet.
        graph.initializer(w, normal(out * in * kernel * kernel, Math.sqrt(2.0 / (out * kernel * kernel))), out, in, kernel, kernel);
        int pad = kernel / 2;
        String y = graph.node("Conv", List.of(x, w), GraphBuilder.ints("kernel_shape", kernel, kernel),
                GraphBuilder.ints("strides", stride, stride), GraphBuilder.ints("pads", pad, pad, pad, pad));
        graph.initializer(bn + ".scale", filled(out, zeroScale ? 0f : 1f), out);
        graph.initializer(bn + ".bias", filled(out, 0f), out);
        graph.initializer(bn + ".mean", filled(out, 0f), out);
        graph.initializer(bn + ".var", filled(out, 1f), out);
        return graph.node("BatchNormalization", List.of(y, bn + ".scale", bn + ".bias", bn + ".mean", bn + ".var"),
                GraphBuilder.attr("epsilon", BN_EPSILON), GraphBuilder.attr("momentum", BN_MOMENTUM));
    }

    private float[] normal(int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (random.nextGaussian() * std);
        return v;
    }

    private float[] uniform(int n, float bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        return v;
    }

    private static float[] filled(int n, float value) {
        float[] v = new float[n];
        Arrays.fill(v, value);
        return v;
    }
}
