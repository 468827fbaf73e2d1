package dev.l2c.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.model.onnx.proto.ModelProto;
import dev.l2c.model.onnx.proto.NodeProto;
import dev.l2c.model.onnx.proto.TensorProto;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FmnistResNetTest {
    @TempDir
    Path dir;

    @Test
    void architectureAsDocumented() {
        ModelProto m = FmnistResNet.build(1, 0);
        Map<String, Long> ops = m.getGraph().getNodeList().stream()
                .collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
        // Stem + two per block + two shortcuts; a BN after each conv; a Relu after the stem and two per block.
        assertEquals(9L, ops.get("Conv"));
        assertEquals(9L, ops.get("BatchNormalization"));
        assertEquals(7L, ops.get("Relu"));
        assertEquals(3L, ops.get("Add"));
        assertEquals(1L, ops.get("GlobalAveragePool"));
        assertEquals(1L, ops.get("Gemm"));
        assertEquals("image", m.getGraph().getInput(0).getName());
        assertEquals("logits", m.getGraph().getOutput(0).getName());
        long params = 0;
        for (TensorProto t : m.getGraph().getInitializerList()) {
            params += t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
        }
        // 77,754 trained values + 672 BN running statistics: small enough to commit trained.
        assertEquals(78_426L, params);
        assertEquals(9 * 4 + 9 + 2, m.getGraph().getInitializerCount());
        assertEquals(FmnistResNet.build(2, 0).getGraph().getNodeCount(), m.getGraph().getNodeCount() + 3 * 7);
    }

    @Test
    void committedFixtureIsTheDefaultNetworkTrained() throws Exception {
        // zoo train writes the deployment form, BatchNormalization folded into the convolutions.
        ZooChecks.isTheTrainedForm(FmnistResNet.build(FmnistResNet.DEFAULT_BLOCKS, 0), dev.l2c.testing.Fmnist.model(), dir);
        assertTrue(java.nio.file.Files.size(dev.l2c.testing.Fmnist.model()) < 2_000_000);
    }

    @Test
    void seededWeights() {
        assertEquals(FmnistResNet.build(1, 5), FmnistResNet.build(1, 5));
        assertNotEquals(FmnistResNet.build(1, 5), FmnistResNet.build(1, 6));
    }

    @Test
    void executorAndOnnxRuntimeAgreeOnTheUntrainedNetwork() throws Exception {
        ZooChecks.executorAgreesWithOnnxRuntime(FmnistResNet.build(1, 11), dir.resolve("net.onnx"));
    }
}
