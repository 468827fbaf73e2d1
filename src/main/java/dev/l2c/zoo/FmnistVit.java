package dev.l2c.zoo;

import dev.l2c.graph.GraphBuilder;
import dev.l2c.model.onnx.proto.ModelProto;
import java.util.List;

/**
 * A small vision transformer for Fashion-MNIST, as an ONNX graph built from plain operators (as
 * PyTorch exports one at opset 17).
 *
 * <pre>
 * image [N,1,28,28] -> Conv7x7 stride 7 (1->48), the patch embedding      [N,48,4,4]
 *   -> Reshape [N,48,16], Transpose -> 16 tokens [N,16,48], + position embedding
 *   -> 2 pre-LN transformer blocks:
 *        x + Attention(LayerNorm(x)),  x + MLP(LayerNorm(x))
 *   -> LayerNorm, ReduceMean over the tokens [N,48] -> Gemm(48->10) -> logits [N,10]
 * Attention: 3 heads of 16; query, key, value and output projections as MatMul + Add;
 *   softmax(Q K^T * 1/sqrt(16)) V with Reshape/Transpose splitting and merging the heads
 * MLP: MatMul(48->96) + Add, GELU (x/2 (1 + Erf(x/sqrt 2))), MatMul(96->48) + Add
 * </pre>
 *
 * Dense weights are stored [in, out] for MatMul. Initializers are named after their place
 * ({@code block2.attention.query.weight}, {@code block2.mlp.fc1.bias}, {@code block2.norm1.scale},
 * ...); constants (the attention scale, GELU's factors) are Constant nodes and the Reshape targets
 * int64 initializers, so training never makes them parameters.
 */
public final class FmnistVit {
    public static final String NAME = "fmnist-vit";
    private static final int PATCH = 7;
    private static final int DIM = 48;
    private static final int HEADS = 3;
    private static final int HEAD_DIM = DIM / HEADS;
    private static final int MLP = 96;
    private static final int DEPTH = 2;
    private static final int TOKENS = (ZooGraph.SIDE / PATCH) * (ZooGraph.SIDE / PATCH);
    /** The usual transformer initialization of dense weights and embeddings. */
    private static final double INIT_STD = 0.02;

    private final ZooGraph graph;
    private final String attentionScale;
    private final String sqrt2;
    private final String one;
    private final String half;
    private final String headsShape;
    private final String tokensShape;

    private FmnistVit(long seed) {
        this.graph = new ZooGraph(NAME, seed);
        attentionScale = graph.scalar("attention.scale", (float) (1 / Math.sqrt(HEAD_DIM)));
        sqrt2 = graph.scalar("gelu.sqrt2", (float) Math.sqrt(2));
        one = graph.scalar("gelu.one", 1f);
        half = graph.scalar("gelu.half", 0.5f);
        // 0 keeps the batch dimension of the input.
        headsShape = graph.longs("shape.heads", 0, TOKENS, HEADS, HEAD_DIM);
        tokensShape = graph.longs("shape.tokens", 0, TOKENS, DIM);
    }

    /** The untrained network, weights drawn by {@code seed}. */
    public static ModelProto build(long seed) {
        return new FmnistVit(seed).network();
    }

    private ModelProto network() {
        String x = patches();
        for (int b = 1; b <= DEPTH; b++) {
            String name = "block" + b;
            x = graph.node("Add", List.of(x, attention(name + ".attention", layerNorm(name + ".norm1", x))));
            x = graph.node("Add", List.of(x, mlp(name + ".mlp", layerNorm(name + ".norm2", x))));
        }
        x = layerNorm("norm", x);
        x = graph.node("ReduceMean", List.of(x), GraphBuilder.ints("axes", 1), GraphBuilder.attr("keepdims", 0L));
        graph.gemm("head", x, DIM, ZooGraph.CLASSES, ZooGraph.OUTPUT);
        return graph.build();
    }

    /** Non-overlapping patches embedded by one strided Conv, as tokens [N, TOKENS, DIM] with positions added. */
    private String patches() {
        GraphBuilder g = graph.graph();
        float bound = (float) (1 / Math.sqrt(PATCH * PATCH)); // torch's Conv2d initialization
        g.initializer("patch.conv.weight", graph.uniform(DIM * PATCH * PATCH, bound), DIM, 1, PATCH, PATCH);
        g.initializer("patch.conv.bias", graph.uniform(DIM, bound), DIM);
        String x = graph.node("Conv", List.of(ZooGraph.INPUT, "patch.conv.weight", "patch.conv.bias"),
                GraphBuilder.ints("kernel_shape", PATCH, PATCH), GraphBuilder.ints("strides", PATCH, PATCH));
        x = graph.node("Reshape", List.of(x, graph.longs("shape.patches", 0, DIM, TOKENS)));
        x = graph.node("Transpose", List.of(x), GraphBuilder.ints("perm", 0, 2, 1));
        g.initializer("position.embedding", graph.normal(TOKENS * DIM, INIT_STD), 1, TOKENS, DIM);
        return graph.node("Add", List.of(x, "position.embedding"));
    }

    private String attention(String name, String x) {
        // [N,T,D] -> [N,H,T,d] (the key as [N,H,d,T], ready for Q K^T)
        String q = graph.node("Transpose", List.of(heads(dense(name + ".query", x, DIM, DIM))), GraphBuilder.ints("perm", 0, 2, 1, 3));
        String k = graph.node("Transpose", List.of(heads(dense(name + ".key", x, DIM, DIM))), GraphBuilder.ints("perm", 0, 2, 3, 1));
        String v = graph.node("Transpose", List.of(heads(dense(name + ".value", x, DIM, DIM))), GraphBuilder.ints("perm", 0, 2, 1, 3));
        String scores = graph.node("Mul", List.of(graph.node("MatMul", List.of(q, k)), attentionScale));
        String weights = graph.node("Softmax", List.of(scores), GraphBuilder.attr("axis", -1L));
        String y = graph.node("MatMul", List.of(weights, v));
        y = graph.node("Transpose", List.of(y), GraphBuilder.ints("perm", 0, 2, 1, 3));
        y = graph.node("Reshape", List.of(y, tokensShape));
        return dense(name + ".output", y, DIM, DIM);
    }

    private String heads(String x) {
        return graph.node("Reshape", List.of(x, headsShape));
    }

    private String mlp(String name, String x) {
        String h = dense(name + ".fc1", x, DIM, MLP);
        // GELU as PyTorch exports it at opset 17: x * (1 + erf(x / sqrt 2)) * 0.5.
        String erf = graph.node("Erf", List.of(graph.node("Div", List.of(h, sqrt2))));
        h = graph.node("Mul", List.of(graph.node("Mul", List.of(h, graph.node("Add", List.of(erf, one)))), half));
        return dense(name + ".fc2", h, MLP, DIM);
    }

    /** {@code x [N,T,in] -> [N,T,out]}: MatMul with {@code name.weight [in, out]}, Add {@code name.bias}. */
    private String dense(String name, String x, int in, int out) {
        GraphBuilder g = graph.graph();
        g.initializer(name + ".weight", graph.normal(in * out, INIT_STD), in, out);
        g.initializer(name + ".bias", ZooGraph.filled(out, 0f), out);
        return graph.node("Add", List.of(graph.node("MatMul", List.of(x, name + ".weight")), name + ".bias"));
    }

    private String layerNorm(String name, String x) {
        GraphBuilder g = graph.graph();
        g.initializer(name + ".scale", ZooGraph.filled(DIM, 1f), DIM);
        g.initializer(name + ".bias", ZooGraph.filled(DIM, 0f), DIM);
        return graph.node("LayerNormalization", List.of(x, name + ".scale", name + ".bias"), GraphBuilder.attr("axis", -1L),
                GraphBuilder.attr("epsilon", 1e-5f));
    }
}
