package dev.l2c.testing;

import static dev.l2c.graph.GraphBuilder.attr;
import static dev.l2c.graph.GraphBuilder.ints;

import dev.l2c.L2cException;
import dev.l2c.graph.GraphBuilder;
import dev.l2c.model.DType;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * A small residual CNN for Fashion-MNIST-shaped input with seeded random (He-scaled) weights:
 * image [N,1,28,28] -> Conv 3x3 (16) + BN + Relu -> residual block (two 3x3 convs, Add, Relu)
 * -> strided 3x3 conv (32) + Relu -> residual block -> GlobalAveragePool -> Flatten -> Gemm
 * (transB) -> logits [N,10]. Untrained: for the plumbing and the objectives, not for accuracy.
 */
public final class TinyCnn {
    private TinyCnn() {}

    public static Path write(Path file, long seed) throws L2cException {
        Random rnd = new Random(seed);
        GraphBuilder b = new GraphBuilder("tiny-cnn");
        b.input("image", DType.F32, -1, 1, 28, 28);
        String x = conv(b, rnd, "stem", "image", 1, 16, 1);
        x = bn(b, rnd, "stem_bn", x, 16);
        x = b.node("Relu", List.of(x));
        x = block(b, rnd, "b1", x, 16);
        x = conv(b, rnd, "down", x, 16, 32, 2);
        x = b.node("Relu", List.of(x));
        x = block(b, rnd, "b2", x, 32);
        x = b.node("GlobalAveragePool", List.of(x));
        x = b.node("Flatten", List.of(x), attr("axis", 1L));
        b.initializer("fc_w", gaussian(rnd, 10 * 32, Math.sqrt(1.0 / 32)), 10, 32);
        b.initializer("fc_b", gaussian(rnd, 10, 0.1), 10);
        b.node("Gemm", List.of(x, "fc_w", "fc_b"), List.of("logits"), attr("transB", 1L));
        b.output("logits", DType.F32, -1, 10);
        return b.write(file);
    }

    private static String block(GraphBuilder b, Random rnd, String name, String in, int c) {
        String y = conv(b, rnd, name + "_c1", in, c, c, 1);
        y = b.node("Relu", List.of(y));
        y = conv(b, rnd, name + "_c2", y, c, c, 1);
        y = b.node("Add", List.of(y, in));
        return b.node("Relu", List.of(y));
    }

    private static String conv(GraphBuilder b, Random rnd, String name, String in, int cin, int cout, int stride) {
        b.initializer(name + "_w", gaussian(rnd, cout * cin * 9, Math.sqrt(2.0 / (cin * 9))), cout, cin, 3, 3);
        b.initializer(name + "_b", gaussian(rnd, cout, 0.05), cout);
        return b.node("Conv", List.of(in, name + "_w", name + "_b"), ints("pads", 1, 1, 1, 1), ints("strides", stride, stride),
                ints("kernel_shape", 3, 3));
    }

    private static String bn(GraphBuilder b, Random rnd, String name, String in, int c) {
        float[] scale = new float[c];
        float[] var = new float[c];
        for (int i = 0; i < c; i++) {
            scale[i] = (float) (0.8 + 0.4 * rnd.nextDouble());
            var[i] = (float) (0.5 + rnd.nextDouble());
        }
        b.initializer(name + "_scale", scale, c);
        b.initializer(name + "_bias", gaussian(rnd, c, 0.1), c);
        b.initializer(name + "_mean", gaussian(rnd, c, 0.1), c);
        b.initializer(name + "_var", var, c);
        return b.node("BatchNormalization", List.of(in, name + "_scale", name + "_bias", name + "_mean", name + "_var"),
                attr("epsilon", 1e-5f));
    }

    private static float[] gaussian(Random rnd, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * std);
        return v;
    }
}
