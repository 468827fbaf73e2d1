package dev.l2c.graph;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import dev.l2c.model.DType;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.onnx.proto.ModelProto;
import dev.l2c.model.onnx.proto.NodeProto;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed graphs are refused when the executor is built; failing nodes are named when it runs. */
class OnnxExecutorErrorsTest {
    @TempDir
    Path dir;

    private static NodeProto node(String op, String name, List<String> in, List<String> out) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out).build();
    }

    private String buildError(ModelProto model, String file) throws L2cException {
        Path path = GraphBuilder.write(model, dir.resolve(file));
        return assertThrows(L2cException.class, () -> OnnxExecutor.of(OnnxModel.read(path))).getMessage();
    }

    @Test
    void malformedGraphsAreRefused() throws Exception {
        GraphBuilder cycle = new GraphBuilder("cycle");
        cycle.input("X", DType.F32, 2);
        cycle.node(node("Add", "a", List.of("X", "c"), List.of("b")));
        cycle.node(node("Relu", "r", List.of("b"), List.of("c")));
        cycle.output("c", DType.F32, 2);
        String m = buildError(cycle.build(), "cycle.onnx");
        assertTrue(m.contains("cycle"), m);

        GraphBuilder undefined = new GraphBuilder("undefined");
        undefined.input("X", DType.F32, 2);
        undefined.node(node("Add", "adder", List.of("X", "ghost"), List.of("Y")));
        undefined.output("Y", DType.F32, 2);
        m = buildError(undefined.build(), "undefined.onnx");
        assertTrue(m.contains("adder") && m.contains("ghost"), m);

        GraphBuilder foreign = new GraphBuilder("foreign");
        foreign.input("X", DType.F32, 2);
        foreign.node(NodeProto.newBuilder().setOpType("FusedGelu").setDomain("com.microsoft").setName("fused")
                .addInput("X").addOutput("Y").build());
        foreign.output("Y", DType.F32, 2);
        m = buildError(foreign.build(), "foreign.onnx");
        assertTrue(m.contains("com.microsoft::FusedGelu") && m.contains("fused"), m);

        GraphBuilder attr = new GraphBuilder("attr");
        attr.input("X", DType.F32, 1, 1, 4, 4);
        attr.node("AveragePool", List.of("X"), GraphBuilder.ints("kernel_shape", 2, 2), GraphBuilder.ints("dilations", 2, 2));
        m = buildError(attr.build(), "attr.onnx");
        assertTrue(m.contains("AveragePool_0") && m.contains("dilations"), m);

        ModelProto noOpset = new GraphBuilder("noopset").build().toBuilder().clearOpsetImport().build();
        m = buildError(noOpset, "noopset.onnx");
        assertTrue(m.contains("opset"), m);
    }

    @Test
    void aNodeThatFailsWhileRunningIsNamed() throws Exception {
        GraphBuilder b = new GraphBuilder("runtime");
        b.input("A", DType.F32, -1, 3);
        b.input("B", DType.F32, -1, 4);
        b.node(node("MatMul", "product", List.of("A", "B"), List.of("Y")));
        b.output("Y", DType.F32);
        Path path = b.write(dir.resolve("runtime.onnx"));
        try (OnnxExecutor exec = OnnxExecutor.of(OnnxModel.read(path)); PointerScope scope = new PointerScope()) {
            L2cException e = assertThrows(L2cException.class, () -> exec.run(Map.of(
                    "A", Tensors.fromFloats(new float[6], 2, 3), "B", Tensors.fromFloats(new float[8], 2, 4)), List.of("Y")));
            String m = e.getMessage();
            assertTrue(m.contains("product") && m.contains("MatMul") && m.contains("f32[2, 3] f32[2, 4]")
                    && !m.contains("Exception raised from"), m);
        }
    }
}
