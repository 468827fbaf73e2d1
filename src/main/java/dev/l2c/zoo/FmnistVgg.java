package dev.l2c.zoo;

import dev.l2c.graph.GraphBuilder;
import dev.l2c.model.onnx.proto.ModelProto;
import java.util.List;

/**
 * A VGG-style Fashion-MNIST classifier: a plain stack of 3x3 convolutions without shortcuts, as
 * an ONNX graph.
 *
 * <pre>
 * image [N,1,28,28]
 *   -> stage1: Conv3x3(1->12) BN Relu, Conv3x3(12->12) BN Relu, MaxPool2x2     28x28 -> 14x14
 *   -> stage2: Conv3x3(12->24) BN Relu, Conv3x3(24->24) BN Relu, MaxPool2x2    14x14 -> 7x7
 *   -> stage3: Conv3x3(24->48) BN Relu, Conv3x3(48->48) BN Relu, MaxPool2x2    7x7 -> 3x3
 *   -> Flatten (432), Gemm(432->64) Relu, Gemm(64->10) -> logits [N,10]
 * </pre>
 *
 * Initializers are named after their place ({@code stage2.conv1.weight}, {@code stage2.bn1.var},
 * {@code classifier.fc1.weight}, ...).
 */
public final class FmnistVgg {
    public static final String NAME = "fmnist-vgg";
    private static final int[] WIDTHS = {12, 24, 48};
    private static final int CONVS_PER_STAGE = 2;
    private static final int HIDDEN = 64;

    private final ZooGraph graph;

    private FmnistVgg(long seed) {
        this.graph = new ZooGraph(NAME, seed);
    }

    /** The untrained network, weights drawn by {@code seed}. */
    public static ModelProto build(long seed) {
        return new FmnistVgg(seed).network();
    }

    private ModelProto network() {
        String x = ZooGraph.INPUT;
        int channels = 1;
        int side = ZooGraph.SIDE;
        for (int s = 0; s < WIDTHS.length; s++) {
            String stage = "stage" + (s + 1);
            for (int c = 1; c <= CONVS_PER_STAGE; c++) {
                x = graph.convBn(stage + ".conv" + c, x, channels, WIDTHS[s], 3, 1, 1, false, stage + ".bn" + c);
                x = graph.node("Relu", List.of(x));
                channels = WIDTHS[s];
            }
            x = graph.node("MaxPool", List.of(x), GraphBuilder.ints("kernel_shape", 2, 2), GraphBuilder.ints("strides", 2, 2));
            side /= 2;
        }
        int features = channels * side * side;
        x = graph.node("Flatten", List.of(x), GraphBuilder.attr("axis", 1L));
        x = graph.node("Relu", List.of(graph.gemm("classifier.fc1", x, features, HIDDEN, "classifier.fc1.out")));
        graph.gemm("classifier.fc2", x, HIDDEN, ZooGraph.CLASSES, ZooGraph.OUTPUT);
        return graph.build();
    }
}
