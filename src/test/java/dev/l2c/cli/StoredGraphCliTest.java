package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.format.L2cReader;
import dev.l2c.format.L2cWriter;
import dev.l2c.format.RawDeflate;
import dev.l2c.format.TensorInfo;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.StoredGraph;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.ModelProto;
import dev.l2c.model.onnx.proto.StringStringEntryProto;
import dev.l2c.model.onnx.proto.TensorProto;
import dev.l2c.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A .l2c made from an ONNX model holds its graph (docs/FORMAT.md, "ONNX graphs"): decompression to
 * ONNX needs no original model and writes the same bytes as with it; {@code --no-graph} leaves it
 * out; a damaged graph is refused by name. Also: the CLI's reports reach a real stdout.
 */
class StoredGraphCliTest {
    private static final Path RESNET = Path.of("src/test/resources/models/fmnist-resnet.onnx");

    @TempDir
    Path dir;

    @Test
    void decompressionToOnnxNeedsNoOriginalModel() throws Exception {
        Path l2c = dir.resolve("r.l2c");
        assertEquals(0, CliRunner.run("compress", RESNET.toString(), "-o", l2c.toString(), "--bits", "4").exit());
        Path stored = dir.resolve("stored.onnx");
        Path original = dir.resolve("original.onnx");
        CliRunner a = CliRunner.run("decompress", l2c.toString(), "-o", stored.toString());
        assertEquals(0, a.exit(), a.err());
        CliRunner b = CliRunner.run("decompress", l2c.toString(), "-o", original.toString(), "--model", RESNET.toString());
        assertEquals(0, b.exit(), b.err());
        assertEquals(-1, Files.mismatch(stored, original));
        // Safetensors output does not carry the graph in its metadata.
        Path st = dir.resolve("r.safetensors");
        assertEquals(0, CliRunner.run("decompress", l2c.toString(), "-o", st.toString()).exit());
        assertFalse(new String(Files.readAllBytes(st), 0, 4096, java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains(StoredGraph.ATTRIBUTE));
    }

    @Test
    void noGraphLeavesItOutAndOnnxOutputThenNeedsTheModel() throws Exception {
        Path with = dir.resolve("with.l2c");
        Path without = dir.resolve("without.l2c");
        assertEquals(0, CliRunner.run("compress", RESNET.toString(), "-o", with.toString(), "--bits", "4").exit());
        assertEquals(0, CliRunner.run("compress", RESNET.toString(), "-o", without.toString(), "--bits", "4", "--no-graph").exit());
        assertTrue(Files.size(without) < Files.size(with), Files.size(without) + " vs " + Files.size(with));
        assertFalse(CliRunner.run("inspect", without.toString()).out().contains("ONNX graph"));
        CliRunner r = CliRunner.run("decompress", without.toString(), "-o", dir.resolve("x.onnx").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no ONNX graph") && r.err().contains("--model"), r.err());
        assertFalse(Files.exists(dir.resolve("x.onnx")));
    }

    @Test
    void aDamagedGraphIsRefusedByName() throws Exception {
        Path good = dir.resolve("good.l2c");
        assertEquals(0, CliRunner.run("compress", RESNET.toString(), "-o", good.toString(), "--bits", "4").exit());
        // The graph names a tensor the file does not hold: copy every tensor but the first.
        Path missing = dir.resolve("missing.l2c");
        String dropped;
        try (L2cReader reader = L2cReader.open(good); L2cWriter writer = L2cWriter.create(missing, false, reader.attributes())) {
            List<TensorInfo> tensors = reader.tensors();
            dropped = tensors.get(0).name();
            for (TensorInfo t : tensors.subList(1, tensors.size())) writer.copyTensor(reader, t);
            writer.finish();
        }
        CliRunner r = CliRunner.run("decompress", missing.toString(), "-o", dir.resolve("m.onnx").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(StoredGraph.ATTRIBUTE) && r.err().contains(dropped) && r.err().contains("damaged"), r.err());
        // Not base64.
        Path garbled = dir.resolve("garbled.l2c");
        try (L2cReader reader = L2cReader.open(good)) {
            Map<String, String> attributes = new LinkedHashMap<>(reader.attributes());
            attributes.put(StoredGraph.ATTRIBUTE, "{\"version\":1,\"bytes\":10,\"deflate\":\"%%%\"}");
            try (L2cWriter writer = L2cWriter.create(garbled, false, attributes)) {
                for (TensorInfo t : reader.tensors()) writer.copyTensor(reader, t);
                writer.finish();
            }
        }
        r = CliRunner.run("decompress", garbled.toString(), "-o", dir.resolve("g.onnx").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(garbled.toString()) && r.err().contains("not base64"), r.err());
        // A graph whose other initializer points into a file beside the .l2c (which would be copied out).
        Files.writeString(dir.resolve("secret.bin"), "x".repeat(64));
        Path pointing = dir.resolve("pointing.l2c");
        try (L2cReader reader = L2cReader.open(good)) {
            Set<String> held = new HashSet<>();
            for (TensorInfo t : reader.tensors()) held.add(t.name());
            ModelProto graph = ModelProto.parseFrom(OnnxModel.readGraph(RESNET).graphWithout(held));
            GraphProto.Builder g = graph.getGraph().toBuilder();
            g.addInitializer(TensorProto.newBuilder().setName("stolen").setDataType(2).addDims(64)
                    .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("secret.bin")));
            byte[] forged = graph.toBuilder().setGraph(g).build().toByteArray();
            Map<String, String> attributes = new LinkedHashMap<>(reader.attributes());
            attributes.put(StoredGraph.ATTRIBUTE, "{\"version\":1,\"bytes\":" + forged.length + ",\"deflate\":\""
                    + Base64.getEncoder().encodeToString(RawDeflate.deflate(forged)) + "\"}");
            try (L2cWriter writer = L2cWriter.create(pointing, false, attributes)) {
                for (TensorInfo t : reader.tensors()) writer.copyTensor(reader, t);
                writer.finish();
            }
        }
        r = CliRunner.run("decompress", pointing.toString(), "-o", dir.resolve("p.onnx").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("stolen") && r.err().contains("external data file"), r.err());
        assertFalse(Files.exists(dir.resolve("p.onnx")));
    }

    @Test
    void reportsReachTheProcessStdout() throws Exception {
        // print() on an auto-flushing PrintWriter does not flush: main must, before it exits.
        Path l2c = dir.resolve("p.l2c");
        ChildJvm.Result c = ChildJvm.l2c(dir, List.of(), List.of("compress", RESNET.toString(), "-o", l2c.toString(), "--bits",
                "4", "--no-progress"), 120);
        assertEquals(0, c.exit(), c.output());
        assertTrue(c.output().contains("bits/weight") || c.output().contains("tensors"), c.output());
        ChildJvm.Result i = ChildJvm.l2c(dir, List.of(), List.of("inspect", l2c.toString()), 120);
        assertEquals(0, i.exit(), i.output());
        assertTrue(i.output().contains("conv") && i.output().contains("ONNX graph: stored"), i.output());
    }
}
