package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.ModelProto;
import dev.l2c.model.onnx.proto.NodeProto;
import dev.l2c.model.onnx.proto.OperatorSetIdProto;
import dev.l2c.model.onnx.proto.StringStringEntryProto;
import dev.l2c.model.onnx.proto.TensorProto;
import dev.l2c.model.onnx.proto.TensorShapeProto;
import dev.l2c.model.onnx.proto.TypeProto;
import dev.l2c.model.onnx.proto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ONNX model past protobuf's 2 GiB (2.16 GB of weights in four initializers, in two external
 * data files) through compress --lossless and decompress to ONNX, then ONNX Runtime on both.
 * A full-size run, not part of the default suite (tag "large"):
 * {@code mvn verify -Dl2c.excludedGroups=none -Dtest=LargeExternalOnnxTest}.
 */
@Tag("large")
class LargeExternalOnnxTest {
    private static final int N = 135_000_000;
    private static final int WEIGHTS = 4;

    @TempDir
    Path dir;

    private static ValueInfoProto value(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    }

    private static StringStringEntryProto entry(String k, String v) {
        return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
    }

    /** Y = ReduceSum(X + W0 + W1 + W2 + W3), X a scalar broadcast; W0, W2 in a.bin and W1, W3 in b.bin. */
    private Path model() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("model"));
        GraphProto.Builder g = GraphProto.newBuilder().setName("big").addInput(value("X", 1)).addOutput(value("Y"));
        Random rnd = new Random(11);
        long[] at = new long[2];
        String previous = "X";
        ByteBuffer chunk = ByteBuffer.allocateDirect(4 << 20).order(ByteOrder.LITTLE_ENDIAN);
        for (int w = 0; w < WEIGHTS; w++) {
            int f = w % 2;
            Path file = folder.resolve(f == 0 ? "a.bin" : "b.bin");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                long pos = at[f];
                for (int i = 0; i < N; ) {
                    chunk.clear();
                    for (; i < N && chunk.hasRemaining(); i++) chunk.putFloat((float) (0.02 * rnd.nextGaussian()));
                    chunk.flip();
                    while (chunk.hasRemaining()) pos += ch.write(chunk, pos);
                }
            }
            String name = "W" + w;
            g.addInitializer(TensorProto.newBuilder().setName(name).setDataType(1).addDims(N)
                    .setDataLocation(TensorProto.DataLocation.EXTERNAL).addExternalData(entry("location", file.getFileName().toString()))
                    .addExternalData(entry("offset", Long.toString(at[f]))).addExternalData(entry("length", Long.toString(4L * N))));
            at[f] += 4L * N;
            String out = w == WEIGHTS - 1 ? "S" : "T" + w;
            g.addNode(NodeProto.newBuilder().setOpType("Add").addInput(previous).addInput(name).addOutput(out));
            previous = out;
        }
        g.addNode(NodeProto.newBuilder().setOpType("ReduceSum").addInput("S").addOutput("Y")
                .addAttribute(dev.l2c.model.onnx.proto.AttributeProto.newBuilder().setName("keepdims").setI(0)
                        .setType(dev.l2c.model.onnx.proto.AttributeProto.AttributeType.INT)));
        ModelProto m = ModelProto.newBuilder().setIrVersion(8).setProducerName("l2c-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(g).build();
        Path onnx = folder.resolve("big.onnx");
        Files.write(onnx, m.toByteArray());
        return onnx;
    }

    private static float run(Path model) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(model.toString(), opts);
                OnnxTensor x = OnnxTensor.createTensor(env, new float[] {1f});
                OrtSession.Result r = session.run(Map.of("X", x))) {
            return (float) r.get(0).getValue();
        }
    }

    @Test
    void aModelPastTwoGigabytesRoundTripsThroughExternalData() throws Exception {
        Assumptions.assumeTrue(Files.getFileStore(dir).getUsableSpace() > 8L << 30, "needs 8 GB of free disk");
        Path onnx = model();
        long weights = 4L * N * WEIGHTS;
        assertTrue(weights > Integer.MAX_VALUE);
        float expected = run(onnx);
        Path l2c = dir.resolve("big.l2c");
        long t0 = System.nanoTime();
        CliRunner c = CliRunner.run("compress", onnx.toString(), "-o", l2c.toString(), "--lossless");
        assertEquals(0, c.exit(), c.err());
        long t1 = System.nanoTime();
        Path out = dir.resolve("out/big.onnx");
        CliRunner d = CliRunner.run("decompress", l2c.toString(), "-o", out.toString(), "--model", onnx.toString());
        assertEquals(0, d.exit(), d.err());
        long t2 = System.nanoTime();
        long aligned = (4L * N + 4095) / 4096 * 4096;
        assertEquals(aligned * (WEIGHTS - 1) + 4L * N, Files.size(out.resolveSibling("big.onnx.data")),
                "four tensors, each starting 4 KiB-aligned, nothing else");
        assertEquals(expected, run(out), "lossless: the same output, bit for bit");
        System.out.printf("ONNX past 2 GiB: %d bytes of weights -> %d bytes (%.1f %%), compress %.1f s, decompress %.1f s%n",
                weights, Files.size(l2c), 100.0 * Files.size(l2c) / weights, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }
}
