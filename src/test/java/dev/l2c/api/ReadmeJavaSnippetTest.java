package dev.l2c.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.l2c.testing.TinyCnn;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java snippet ("Use l2c from code") is the body of {@link #snippet} below, line for
 * line, and it runs here on a small ONNX network: what the README shows compiles and works.
 */
class ReadmeJavaSnippetTest {
    private static final Path SOURCE = Path.of("src/test/java/dev/l2c/api/ReadmeJavaSnippetTest.java");

    @Test
    void theReadmeSnippetIsThisTestsCode() throws Exception {
        assertEquals(marked(Files.readAllLines(SOURCE)), readmeBlock(Files.readAllLines(Path.of("README.md"))));
    }

    @Test
    void theSnippetRuns(@TempDir Path dir) throws Exception {
        Path model = TinyCnn.write(dir.resolve("model.onnx"), 3);
        Path l2c = dir.resolve("model.l2c");
        snippet(model, l2c);
        assertTrue(Files.size(dir.resolve("model-bf16.safetensors")) > 0);
    }

    @SuppressWarnings("unused")
    private static void snippet(Path model, Path l2c) throws Exception {
        // README:begin
        // Compress: lossless(), bits(B) or ratio(R) (data-free, calibrated on data, or a baseline method).
        CompressionResult r = Compression.ratio(8).seed(1).threads(2)
                .listener((stage, done, total) -> { if (done == total) System.err.println(stage + " done"); })
                .compress(model, l2c);   // an ONNX or safetensors model, or a Hugging Face folder
        System.out.println(r.report().text());   // what `l2c compress` prints; r.target(): the ratio reached

        // Read: list the tensors, decode one into a new buffer, your own, or a libtorch tensor.
        try (L2cFile file = L2cFile.open(l2c)) {
            for (TensorEntry t : file.tensors()) {
                ByteBuffer bf16 = file.decode(t.name(), t.type().isFloat() ? ElementType.BF16 : null);
            }
            file.decodeInto("fc_w", ElementType.F32, ByteBuffer.allocateDirect(10 * 32 * 4));
            try (Tensor fc = file.decodeTensor("fc_w", ElementType.F16)) {   // CPU; or a Device such as cuda:0
                System.out.println(fc.sizes().vec().get().length + "-d libtorch tensor");
            }
            byte[] onnx = file.onnxModel();   // the stored graph with the decoded weights, no temporary file
            try (OrtSession session = OrtEnvironment.getEnvironment().createSession(onnx, new OrtSession.SessionOptions())) {
                System.out.println(session.getInputNames());
            }
            file.verify(ProgressListener.NONE);   // every checksum, every tensor
        }

        // Write a model back out: safetensors (here as bf16), ONNX (the stored graph), or a folder.
        Decompression.toSafetensors().floatsAs(ElementType.BF16).decompress(l2c, l2c.resolveSibling("model-bf16.safetensors"));
        // README:end
    }

    /** The lines between the markers, their common indentation removed. */
    private static List<String> marked(List<String> source) {
        int begin = source.indexOf("        // README:begin");
        int end = source.indexOf("        // README:end");
        assertTrue(begin >= 0 && end > begin, "the markers are in " + SOURCE);
        List<String> out = new ArrayList<>();
        for (String line : source.subList(begin + 1, end)) out.add(line.isEmpty() ? line : line.substring(8));
        return out;
    }

    /** The first java block after the README's "### Java" heading. */
    private static List<String> readmeBlock(List<String> readme) {
        int heading = readme.indexOf("### Java");
        assertTrue(heading >= 0, "README has a ### Java section");
        int begin = readme.subList(heading, readme.size()).indexOf("```java") + heading;
        int end = readme.subList(begin + 1, readme.size()).indexOf("```") + begin + 1;
        return readme.subList(begin + 1, end);
    }
}
