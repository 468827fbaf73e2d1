package dev.l2c.zoo;

import dev.l2c.graph.GraphBuilder;
import dev.l2c.model.onnx.proto.ModelProto;
import java.util.List;

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
    public static final String INPUT = ZooGraph.INPUT;
    public static final String OUTPUT = ZooGraph.OUTPUT;
    public static final int CLASSES = ZooGraph.CLASSES;
    /** Blocks per stage of the reference model. */
    public static final int DEFAULT_BLOCKS = 1;
    private static final int[] WIDTHS = {16, 32, 64};

    private final ZooGraph graph;

    private FmnistResNet(long seed) {
        this.graph = new ZooGraph(NAME, seed);
    }

    /** The untrained network with {@code blocksPerStage} blocks per stage, weights drawn by {@code seed}. */
    public static ModelProto build(int blocksPerStage, long seed) {
        if (blocksPerStage < 1) throw new IllegalArgumentException("blocks per stage must be >= 1, got " + blocksPerStage);
        return new FmnistResNet(seed).network(blocksPerStage);
    }

    private ModelProto network(int blocks) {
        String x = graph.convBn("stem", INPUT, 1, WIDTHS[0], 3, 1, false);
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
        graph.gemm("fc", x, channels, CLASSES, OUTPUT);
        return graph.build();
    }

    /** A basic residual block; the shortcut is a 1x1 conv + BN where the shape changes. */
    private String block(String name, String x, int in, int out, int stride) {
        String y = graph.convBn(name + ".conv1", x, in, out, 3, stride, 1, false, name + ".bn1");
        y = graph.node("Relu", List.of(y));
        // The last BN of a block starts at scale 0, so each block starts as the identity (Goyal et al.).
        y = graph.convBn(name + ".conv2", y, out, out, 3, 1, 1, true, name + ".bn2");
        String shortcut = x;
        if (stride != 1 || in != out) {
            shortcut = graph.convBn(name + ".shortcut.conv", x, in, out, 1, stride, 1, false, name + ".shortcut.bn");
        }
        return graph.node("Relu", List.of(graph.node("Add", List.of(y, shortcut))));
    }
}
