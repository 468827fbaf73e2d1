package dev.l2c.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.l2c.L2cException;

/**
 * A file attribute that holds a versioned JSON object (docs/FORMAT.md: a folder's layout, an ONNX
 * model's graph): parsed and its {@code "version"} checked, each failure an L2cException that
 * starts with {@code where}.
 */
public final class JsonAttribute {
    private JsonAttribute() {}

    /** The JSON object in {@code text}, whose {@code "version"} must be {@code version}. */
    public static JsonNode parse(String where, String text, int version) throws L2cException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new L2cException(where + "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new L2cException(where + "not a JSON object");
        JsonNode v = root.get("version");
        if (v == null || !v.isInt() || v.intValue() != version) {
            throw new L2cException(where + "version " + v + " is not " + version + " (made by a newer l2c?)");
        }
        return root;
    }
}
