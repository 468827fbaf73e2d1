package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.ModelProto;
import dev.l2c.model.onnx.proto.StringStringEntryProto;
import dev.l2c.model.onnx.proto.TensorProto;
import dev.l2c.testing.MiniLm;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MiniLM with its weights in external data files (two of them, as exporters split large models),
 * through compress and decompress to ONNX: the output keeps its weights in its own external data
 * file (OUT.onnx.data), so a model kept under protobuf's 2 GiB this way stays under it, and ONNX
 * Runtime runs it with the embeddings of the weights l2c decoded.
 */
@Tag("slow")
class OnnxExternalDataCliTest {
    @TempDir
    Path dir;

    /** MiniLM with every raw_data initializer of 1 KiB or more moved to a.bin or b.bin, alternately. */
    private Path externalMiniLm() throws Exception {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(MiniLm.onnx()));
        GraphProto.Builder graph = model.getGraph().toBuilder();
        Path folder = Files.createDirectories(dir.resolve("external"));
        long[] at = new long[2];
        try (OutputStream a = Files.newOutputStream(folder.resolve("a.bin")); OutputStream b = Files.newOutputStream(folder.resolve("b.bin"))) {
            OutputStream[] files = {a, b};
            int moved = 0;
            for (int i = 0; i < graph.getInitializerCount(); i++) {
                TensorProto t = graph.getInitializer(i);
                if (t.getRawData().size() < 1024) continue;
                int f = moved++ % 2;
                ByteString raw = t.getRawData();
                raw.writeTo(files[f]);
                graph.setInitializer(i, t.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                        .addExternalData(entry("location", f == 0 ? "a.bin" : "b.bin"))
                        .addExternalData(entry("offset", Long.toString(at[f])))
                        .addExternalData(entry("length", Integer.toString(raw.size()))).build());
                at[f] += raw.size();
            }
            assertTrue(moved > 50, "moved " + moved);
        }
        Path onnx = folder.resolve("minilm.onnx");
        Files.write(onnx, model.toBuilder().setGraph(graph).build().toByteArray());
        assertTrue(Files.size(onnx) < 1_000_000, "the graph alone: " + Files.size(onnx));
        return onnx;
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    @Test
    void externalDataComesBackAsTheOutputsOwnExternalData() throws Exception {
        Path onnx = externalMiniLm();
        List<String> sentences = MiniLm.sentences().subList(0, 32);
        float[][] reference = MiniLm.embed(onnx, sentences);
        assertArrayEquals(MiniLm.embed(MiniLm.onnx(), sentences)[0], reference[0], "the external model is MiniLM");
        for (String[] mode : new String[][] {{"--lossless"}, {"--bits", "8"}}) {
            String name = mode.length == 1 ? "lossless" : "bits8";
            Path l2c = dir.resolve(name + ".l2c");
            String[] args = new String[4 + mode.length];
            System.arraycopy(new String[] {"compress", onnx.toString(), "-o", l2c.toString()}, 0, args, 0, 4);
            System.arraycopy(mode, 0, args, 4, mode.length);
            CliRunner c = CliRunner.run(args);
            assertEquals(0, c.exit(), c.err());
            Path out = dir.resolve("out").resolve(name + ".onnx");
            CliRunner d = CliRunner.run("decompress", l2c.toString(), "-o", out.toString(), "--model", onnx.toString());
            assertEquals(0, d.exit(), d.err());
            assertTrue(Files.size(out) < 1_000_000, "weights are not inlined: " + Files.size(out));
            assertTrue(Files.size(dir.resolve("out").resolve(name + ".onnx.data")) > 80_000_000);
            float[][] back = MiniLm.embed(out, sentences);
            double cosine = MiniLm.meanCosine(reference, back);
            if (mode.length == 1) {
                for (int i = 0; i < back.length; i++) assertArrayEquals(reference[i], back[i], "sentence " + i);
            } else {
                assertTrue(cosine > 0.96, name + ": mean cosine " + cosine);
            }
        }
    }
}
