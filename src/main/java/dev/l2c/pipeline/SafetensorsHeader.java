package dev.l2c.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.l2c.L2cException;
import dev.l2c.model.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The head of a safetensors file (8-byte length, JSON header padded with spaces to 8 bytes) for
 * tensors known by name, type and shape before their bytes exist, so that decompress can write
 * the tensors one after another without holding them all.
 */
final class SafetensorsHeader {
    private static final String METADATA_KEY = "__metadata__";

    /** One tensor to come: its bytes are {@code shape}'s element count times the type's size. */
    record Entry(String name, DType dtype, long[] shape, long bytes) {
    }

    private SafetensorsHeader() {
    }

    /** The length prefix and header for {@code entries}, in this order; {@code output} names errors. */
    static ByteBuffer of(String output, List<Entry> entries, Map<String, String> metadata) throws L2cException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        if (!metadata.isEmpty()) metadata.forEach(root.putObject(METADATA_KEY)::put);
        long offset = 0;
        for (Entry e : entries) {
            if (e.name().equals(METADATA_KEY) || root.has(e.name())) {
                throw new L2cException(output + ": a safetensors file cannot hold a second tensor named " + e.name());
            }
            ObjectNode entry = root.putObject(e.name());
            entry.put("dtype", e.dtype().safetensorsName());
            var shape = entry.putArray("shape");
            for (long d : e.shape()) shape.add(d);
            entry.putArray("data_offsets").add(offset).add(offset + e.bytes());
            offset += e.bytes();
        }
        byte[] text;
        try {
            text = json.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new L2cException(output + ": cannot encode the safetensors header: " + e.getOriginalMessage(), e);
        }
        int padded = (text.length + 7) & ~7;
        byte[] header = Arrays.copyOf(text, padded);
        Arrays.fill(header, text.length, padded, (byte) ' ');
        return ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).put(header).flip();
    }
}
