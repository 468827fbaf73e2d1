package dev.l2c.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.l2c.L2cException;
import dev.l2c.format.JsonAttribute;
import dev.l2c.format.RawDeflate;
import dev.l2c.io.Printable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX model's graph stored in the {@code .l2c} file made from it (docs/FORMAT.md, "ONNX
 * graphs"), so that the file alone gives the model back: the file attribute {@value #ATTRIBUTE},
 * a JSON object {@code {"version": 1, "bytes": N, "deflate": "<base64>"}} whose {@code deflate}
 * inflates to exactly N bytes, the serialized model of {@link OnnxModel#graphWithout}: every
 * initializer the file holds without its data.
 */
public final class StoredGraph {
    /** The file attribute that holds the graph. */
    public static final String ATTRIBUTE = "onnx-graph";
    private static final int VERSION = 1;

    private StoredGraph() {}

    /** The attribute value for {@code model} compressed into a file holding the initializers {@code held}. */
    public static String encode(OnnxModel model, Set<String> held) throws L2cException {
        byte[] graph = model.graphWithout(held);
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("version", VERSION);
        root.put("bytes", graph.length);
        root.put("deflate", Base64.getEncoder().encodeToString(RawDeflate.deflate(graph)));
        return root.toString();
    }

    /**
     * The graph stored among the attributes of the {@code .l2c} file {@code file}, or null where it
     * has none. The model's initializers without data must be exactly among {@code tensors} (the
     * file's tensor names), and each of those an initializer: otherwise the file is refused as
     * damaged, naming the initializer.
     */
    public static OnnxModel read(Path file, Map<String, String> attributes, Collection<String> tensors) throws L2cException {
        String text = attributes.get(ATTRIBUTE);
        if (text == null) return null;
        String where = file + ": attribute " + ATTRIBUTE + ": ";
        JsonNode root = JsonAttribute.parse(where, text, VERSION);
        JsonNode bytes = root.get("bytes");
        JsonNode deflate = root.get("deflate");
        if (bytes == null || !bytes.canConvertToInt() || bytes.intValue() < 0 || deflate == null || !deflate.isTextual()) {
            throw new L2cException(where + "needs \"bytes\" (a non-negative int) and \"deflate\" (base64 text)");
        }
        byte[] packed;
        try {
            packed = Base64.getDecoder().decode(deflate.textValue());
        } catch (IllegalArgumentException e) {
            throw new L2cException(where + "\"deflate\" is not base64: " + e.getMessage(), e);
        }
        byte[] graph = RawDeflate.inflate(ByteBuffer.wrap(packed), bytes.intValue(), what -> new L2cException(where + what));
        OnnxModel model = OnnxModel.parse(Path.of(file + " (stored graph)"), graph);
        Set<String> inFiles = model.initializersInFiles();
        if (!inFiles.isEmpty()) {
            // A stored graph has its data inline: a reference to a file beside the .l2c could copy
            // that file into the output.
            throw new L2cException(where + "initializer " + Printable.escape(inFiles.iterator().next())
                    + " refers to an external data file (file damaged)");
        }
        Set<String> dataless = model.initializersWithoutData();
        Set<String> held = new HashSet<>(tensors);
        for (String name : dataless) {
            if (!held.contains(name)) {
                throw new L2cException(where + "initializer " + Printable.escape(name)
                        + " has no data and the file holds no tensor of that name (file damaged)");
            }
        }
        Set<String> initializers = new HashSet<>();
        model.proto().getGraph().getInitializerList().forEach(t -> initializers.add(t.getName()));
        for (String name : tensors) {
            if (!initializers.contains(name)) {
                throw new L2cException(where + "the file's tensor " + Printable.escape(name)
                        + " is no initializer of the stored graph (file damaged)");
            }
        }
        return model;
    }
}
