package dev.l2c.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.model.OnnxModel;
import dev.l2c.model.onnx.proto.ModelProto;
import dev.l2c.model.onnx.proto.NodeProto;
import dev.l2c.model.onnx.proto.TensorProto;
import dev.l2c.testing.Fmnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The zoo's MobileNet, VGG and ViT: their layout, and the executor running them as ONNX Runtime does. */
class ZooNetworksTest {
    @TempDir
    Path dir;

    private static Map<String, Long> ops(ModelProto m) {
        return m.getGraph().getNodeList().stream().collect(Collectors.groupingBy(NodeProto::getOpType, Collectors.counting()));
    }

    private static long floatValues(ModelProto m) {
        long n = 0;
        for (TensorProto t : m.getGraph().getInitializerList()) {
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) continue;
            n += t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
        }
        return n;
    }

    @Test
    void mobileNetLayout() {
        ModelProto m = FmnistMobileNet.build(0);
        Map<String, Long> ops = ops(m);
        // Stem, three convolutions in each of five blocks, the 1x1 head; a BN after each.
        assertEquals(17L, ops.get("Conv"));
        assertEquals(17L, ops.get("BatchNormalization"));
        // ReLU6 after the stem, the head and each expansion and depthwise convolution; none after a projection.
        assertEquals(12L, ops.get("Clip"));
        assertEquals(3L, ops.get("Add")); // blocks 1, 3 and 5 keep their shape
        long depthwise = m.getGraph().getNodeList().stream()
                .filter(n -> n.getAttributeList().stream().anyMatch(a -> a.getName().equals("group") && a.getI() > 1)).count();
        assertEquals(5, depthwise);
        assertEquals(47_690L, floatValues(m)); // with the BN running statistics
    }

    @Test
    void vggLayout() {
        Map<String, Long> ops = ops(FmnistVgg.build(0));
        assertEquals(6L, ops.get("Conv"));
        assertEquals(6L, ops.get("BatchNormalization"));
        assertEquals(7L, ops.get("Relu"));
        assertEquals(3L, ops.get("MaxPool"));
        assertEquals(2L, ops.get("Gemm"));
        assertEquals(null, ops.get("Add")); // no shortcuts
        assertEquals(69_318L, floatValues(FmnistVgg.build(0)));
    }

    @Test
    void vitLayout() {
        ModelProto m = FmnistVit.build(0);
        Map<String, Long> ops = ops(m);
        assertEquals(1L, ops.get("Conv")); // the patch embedding
        assertEquals(5L, ops.get("LayerNormalization")); // two in each of the 2 blocks and the final one
        assertEquals(2L, ops.get("Softmax"));
        assertEquals(2L, ops.get("Erf"));
        assertEquals(2L * 8, ops.get("MatMul")); // per block: 4 projections, 2 in attention, 2 in the MLP
        assertEquals(null, ops.get("BatchNormalization"));
        // Patch embedding 2,400, positions 768, two blocks of 18,960, final LayerNorm 96, head 490.
        assertEquals(41_674L, floatValues(m));
    }

    @ParameterizedTest
    @ValueSource(strings = {FmnistMobileNet.NAME, FmnistVgg.NAME, FmnistVit.NAME})
    void executorAgreesWithOnnxRuntime(String name) throws Exception {
        ModelProto untrained = ZooModel.named(name).network().apply(11);
        ZooChecks.executorAgreesWithOnnxRuntime(untrained, dir.resolve("untrained.onnx"));
        // Every branch live (no zero-initialized scale hiding one).
        ZooChecks.executorAgreesWithOnnxRuntime(ZooChecks.perturbed(untrained, 3), dir.resolve("perturbed.onnx"));
    }

    @ParameterizedTest
    @ValueSource(strings = {FmnistMobileNet.NAME, FmnistVgg.NAME, FmnistVit.NAME})
    void everyParameterIsTrainedThroughTheExecutor(String name) throws Exception {
        ModelProto m = ZooChecks.perturbed(ZooModel.named(name).network().apply(11), 4);
        ZooChecks.everyParameterGetsAGradient(m, dir.resolve("m.onnx"));
    }

    @ParameterizedTest
    @ValueSource(strings = {FmnistMobileNet.NAME, FmnistVgg.NAME, FmnistVit.NAME})
    void seededWeights(String name) {
        ZooModel model = ZooModel.named(name);
        assertEquals(model.network().apply(5), model.network().apply(5));
        assertNotEquals(model.network().apply(5), model.network().apply(6));
        assertEquals(name, model.name());
        assertEquals(name, model.network().apply(5).getGraph().getName());
    }

    /** The committed fixtures: the default network at seed 0, BatchNorm folded, every value trained. */
    @ParameterizedTest
    @CsvSource({"fmnist-mobilenet, 44138", "fmnist-vgg, 68814", "fmnist-vit, 41674"})
    void committedFixtureIsTheDefaultNetworkTrained(String name, long values) throws Exception {
        Path file = Fmnist.model(name);
        ZooChecks.isTheTrainedForm(ZooModel.named(name).network().apply(0), file, dir);
        ModelProto fixture = OnnxModel.read(file).proto();
        assertEquals(values, floatValues(fixture)); // the parameter count the README gives
        assertTrue(Files.size(file) < 1_000_000);
    }

    @Test
    void unknownNamesListTheZoo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZooModel.named("fmnist-lenet"));
        for (String name : ZooModel.NAMES) assertTrue(e.getMessage().contains(name), e.getMessage());
        assertTrue(e.getMessage().contains("fmnist-lenet"), e.getMessage());
    }
}
