package dev.l2c.zoo;

import dev.l2c.graph.GraphBuilder;
import dev.l2c.model.onnx.proto.ModelProto;
import java.util.List;

/**
 * A MobileNetV2-style Fashion-MNIST classifier: inverted residual blocks of depthwise-separable
 * convolutions with ReLU6, as an ONNX graph.
 *
 * <pre>
 * image [N,1,28,28] -> Conv3x3 stride 2 (1->16) BN ReLU6              14x14
 *   -> block1: 16 -> 16, expand x3, residual
 *   -> block2: 16 -> 32, expand x3, stride 2                         7x7
 *   -> block3: 32 -> 32, expand x3, residual
 *   -> block4: 32 -> 48, expand x3
 *   -> block5: 48 -> 48, expand x3, residual
 *   -> Conv1x1(48->128) BN ReLU6 -> GlobalAveragePool, Flatten, Gemm(128->10) -> logits [N,10]
 * inverted residual block: Conv1x1 expand BN ReLU6, depthwise Conv3x3 (group = channels) BN ReLU6,
 *   Conv1x1 project BN (linear), + input where the shapes match
 * </pre>
 *
 * ReLU6 is {@code Clip(x, 0, 6)} with the bounds as Constant nodes. Initializers are named after
 * their place ({@code block2.expand.conv.weight}, {@code block2.depthwise.bn.mean}, ...).
 */
public final class FmnistMobileNet {
    public static final String NAME = "fmnist-mobilenet";
    private static final int STEM = 16;
    private static final int EXPANSION = 3;
    /** Output channels and stride of each inverted residual block. */
    private static final int[][] BLOCKS = {{16, 1}, {32, 2}, {32, 1}, {48, 1}, {48, 1}};
    private static final int HEAD = 128;

    private final ZooGraph graph;
    private final String min;
    private final String max;

    private FmnistMobileNet(long seed) {
        this.graph = new ZooGraph(NAME, seed);
        this.min = graph.scalar("relu6.min", 0f);
        this.max = graph.scalar("relu6.max", 6f);
    }

    /** The untrained network, weights drawn by {@code seed}. */
    public static ModelProto build(long seed) {
        return new FmnistMobileNet(seed).network();
    }

    private ModelProto network() {
        // A strided stem: the 28x28 maps of a MobileNet cost more CPU time than all the rest.
        String x = relu6(graph.convBn("stem", ZooGraph.INPUT, 1, STEM, 3, 2, false));
        int channels = STEM;
        for (int b = 0; b < BLOCKS.length; b++) {
            x = invertedResidual("block" + (b + 1), x, channels, BLOCKS[b][0], BLOCKS[b][1]);
            channels = BLOCKS[b][0];
        }
        x = relu6(graph.convBn("head", x, channels, HEAD, 1, 1, false));
        x = graph.node("GlobalAveragePool", List.of(x));
        x = graph.node("Flatten", List.of(x), GraphBuilder.attr("axis", 1L));
        graph.gemm("fc", x, HEAD, ZooGraph.CLASSES, ZooGraph.OUTPUT);
        return graph.build();
    }

    private String invertedResidual(String name, String x, int in, int out, int stride) {
        int hidden = in * EXPANSION;
        String y = relu6(graph.convBn(name + ".expand", x, in, hidden, 1, 1, false));
        y = relu6(graph.convBn(name + ".depthwise.conv", y, hidden, hidden, 3, stride, hidden, false, name + ".depthwise.bn"));
        boolean residual = stride == 1 && in == out;
        // A residual block's projection BN starts at scale 0, so the block starts as the identity.
        y = graph.convBn(name + ".project", y, hidden, out, 1, 1, residual);
        return residual ? graph.node("Add", List.of(y, x)) : y;
    }

    private String relu6(String x) {
        return graph.node("Clip", List.of(x, min, max));
    }
}
