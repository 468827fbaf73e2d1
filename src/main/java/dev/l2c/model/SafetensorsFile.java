package dev.l2c.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.l2c.L2cException;
import dev.l2c.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file: an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range {@code data_offsets} (relative to the data section that follows the
 * header), then the tensor bytes.
 *
 * <p>{@link #open} validates the whole header before returning and memory-maps the tensors: one
 * mapping of the file when it is under 2 GiB, else one mapping per tensor, so files of any size
 * open as long as each tensor is under 2 GiB. Mapped tensors stay readable after {@link #close}.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The format's own bound on the header, which keeps a corrupt length from allocating gigabytes. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final String METADATA_KEY = "__metadata__";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final FileChannel channel;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;
    private final List<Range> ranges;

    private SafetensorsFile(Path path, FileChannel channel, Map<String, Tensor> tensors, Map<String, String> metadata,
            List<Range> ranges) {
        this.path = path;
        this.channel = channel;
        this.tensors = tensors;
        this.metadata = metadata;
        this.ranges = ranges;
    }

    /** Where a tensor's bytes lie in the file: [begin, end) counted from the file's first byte. */
    public record Range(String name, long begin, long end) {}

    /** Opens and validates {@code path}; every problem is an L2cException naming the file (and tensor). */
    public static SafetensorsFile open(Path path) throws L2cException {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new L2cException(path + ": cannot open: " + e.getMessage(), e);
        }
        try {
            SafetensorsFile file = read(path, channel);
            channel = null; // owned by the file now
            return file;
        } catch (IOException e) {
            throw new L2cException(path + ": cannot read: " + e.getMessage(), e);
        } finally {
            if (channel != null) closeQuietly(channel);
        }
    }

    private static SafetensorsFile read(Path path, FileChannel channel) throws IOException, L2cException {
        long size = channel.size();
        if (size == 0) throw new L2cException(path + ": not a safetensors file: empty file");
        if (size < 8) {
            throw new L2cException(path + ": not a safetensors file: " + size + " bytes, shorter than the 8-byte header length");
        }
        long headerLength = readLong(channel, 0);
        // The length is an unsigned 64-bit number: 2^63 and above read as negative here.
        if (headerLength < 0 || headerLength > size - 8) {
            throw new L2cException(path + ": safetensors header length " + Long.toUnsignedString(headerLength)
                    + " runs past the end of the file (" + size + " bytes)");
        }
        if (headerLength < 2) {
            throw new L2cException(path + ": safetensors header length " + headerLength
                    + " is too short for the JSON object the header must be");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new L2cException(path + ": safetensors header of " + headerLength + " bytes exceeds the format's "
                    + MAX_HEADER_BYTES + "-byte limit");
        }
        ByteBuffer header = ByteBuffer.allocate((int) headerLength);
        readFully(channel, header, 8);
        Header parsed = parseHeader(path, header.array());
        long dataStart = 8 + headerLength;
        long dataLength = size - dataStart;
        checkRanges(path, parsed.entries, dataLength);
        Map<String, Tensor> tensors = mapTensors(channel, size, dataStart, parsed.entries);
        List<Range> ranges = new ArrayList<>();
        for (Entry e : parsed.entries) ranges.add(new Range(e.name, dataStart + e.begin, dataStart + e.end));
        ranges.sort(Comparator.comparingLong(Range::begin).thenComparingLong(Range::end));
        return new SafetensorsFile(path, channel, Collections.unmodifiableMap(tensors),
                Collections.unmodifiableMap(parsed.metadata), List.copyOf(ranges));
    }

    /** One header entry before its bytes are mapped. */
    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private record Header(List<Entry> entries, Map<String, String> metadata) {}

    private static Header parseHeader(Path path, byte[] bytes) throws L2cException {
        if (bytes[0] != '{') {
            throw new L2cException(path + ": not a safetensors file: header does not start with '{'");
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        try (JsonParser p = JSON.getFactory().createParser(bytes)) {
            p.nextToken(); // START_OBJECT, checked above
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                JsonNode value = p.readValueAsTree();
                if (!seen.add(name)) {
                    throw new L2cException(path + ": safetensors header names \"" + name + "\" twice");
                }
                if (name.equals(METADATA_KEY)) {
                    metadata = parseMetadata(path, value);
                } else {
                    entries.add(parseEntry(path, name, value));
                }
            }
            if (token != JsonToken.END_OBJECT) {
                throw new L2cException(path + ": safetensors header is not a JSON object");
            }
            // Only space padding may follow the header object.
            if (p.nextToken() != null) {
                throw new L2cException(path + ": safetensors header has data after its JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new L2cException(path + ": safetensors header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new L2cException(path + ": cannot parse safetensors header: " + e.getMessage(), e);
        }
        return new Header(entries, metadata);
    }

    private static Map<String, String> parseMetadata(Path path, JsonNode value) throws L2cException {
        if (!value.isObject()) {
            throw new L2cException(path + ": safetensors " + METADATA_KEY + " is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            if (!e.getValue().isTextual()) {
                throw new L2cException(path + ": safetensors " + METADATA_KEY + " value of \"" + e.getKey() + "\" is not a string");
            }
            metadata.put(e.getKey(), e.getValue().textValue());
        }
        return metadata;
    }

    private static Entry parseEntry(Path path, String name, JsonNode value) throws L2cException {
        String where = path + ": tensor " + name + ": ";
        if (!value.isObject()) throw new L2cException(where + "header entry is not a JSON object");
        JsonNode dtypeNode = value.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) throw new L2cException(where + "missing or non-string \"dtype\"");
        DType dtype = DType.fromSafetensorsName(dtypeNode.textValue())
                .orElseThrow(() -> new L2cException(where + "unknown dtype \"" + dtypeNode.textValue() + "\""));
        long[] shape = longArray(where, value.get("shape"), "shape", -1);
        long[] offsets = longArray(where, value.get("data_offsets"), "data_offsets", 2);
        if (offsets[0] > offsets[1]) {
            throw new L2cException(where + "data_offsets [" + offsets[0] + ", " + offsets[1] + "] begin after they end");
        }
        int bytes;
        try {
            bytes = Tensor.byteLength(name, dtype, shape);
        } catch (L2cException e) {
            throw new L2cException(path + ": " + e.getMessage(), e);
        }
        if (offsets[1] - offsets[0] != bytes) {
            throw new L2cException(where + dtype + Arrays.toString(shape) + " needs " + bytes
                    + " bytes but data_offsets span " + (offsets[1] - offsets[0]));
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** A JSON array of non-negative integers; {@code length} -1 allows any length. */
    private static long[] longArray(String where, JsonNode node, String key, int length) throws L2cException {
        if (node == null || !node.isArray()) throw new L2cException(where + "missing or non-array \"" + key + "\"");
        if (length >= 0 && node.size() != length) {
            throw new L2cException(where + "\"" + key + "\" has " + node.size() + " values, expected " + length);
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new L2cException(where + "\"" + key + "\" holds " + v + ", not a non-negative 64-bit integer");
            }
            out[i] = v.longValue();
        }
        return out;
    }

    /** Every range lies inside the data section and no two non-empty ranges share a byte. */
    private static void checkRanges(Path path, List<Entry> entries, long dataLength) throws L2cException {
        for (Entry e : entries) {
            if (e.end > dataLength) {
                throw new L2cException(path + ": tensor " + e.name + ": data_offsets [" + e.begin + ", " + e.end
                        + "] run past the data section (" + dataLength + " bytes)");
            }
        }
        List<Entry> byBegin = new ArrayList<>(entries);
        byBegin.removeIf(e -> e.begin == e.end);
        byBegin.sort(Comparator.comparingLong(Entry::begin));
        for (int i = 1; i < byBegin.size(); i++) {
            Entry prev = byBegin.get(i - 1);
            Entry cur = byBegin.get(i);
            if (cur.begin < prev.end) {
                throw new L2cException(path + ": tensors " + prev.name + " and " + cur.name + " overlap: ["
                        + prev.begin + ", " + prev.end + ") and [" + cur.begin + ", " + cur.end + ")");
            }
        }
    }

    private static Map<String, Tensor> mapTensors(FileChannel channel, long size, long dataStart, List<Entry> entries)
            throws IOException {
        MappedByteBuffer whole = size <= Integer.MAX_VALUE ? channel.map(FileChannel.MapMode.READ_ONLY, 0, size) : null;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            long at = dataStart + e.begin;
            int length = (int) (e.end - e.begin);
            ByteBuffer bytes;
            if (whole != null) {
                bytes = whole.slice((int) at, length);
            } else if (length == 0) {
                bytes = ByteBuffer.allocate(0);
            } else {
                bytes = channel.map(FileChannel.MapMode.READ_ONLY, at, length);
            }
            tensors.put(e.name, new Tensor(e.name, e.dtype, e.shape, bytes));
        }
        return tensors;
    }

    public Path path() {
        return path;
    }

    /** The tensors in header order. */
    public List<Tensor> tensors() {
        return List.copyOf(tensors.values());
    }

    /** The names in header order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** The tensor called {@code name}; an error naming the file when there is none. */
    public Tensor tensor(String name) throws L2cException {
        Tensor t = tensors.get(name);
        if (t == null) throw new L2cException(path + ": no tensor named " + name);
        return t;
    }

    /**
     * Every tensor's byte range in the file, in file order (empty tensors before a non-empty one
     * that starts where they do); ranges of non-empty tensors never overlap.
     */
    public List<Range> ranges() {
        return ranges;
    }

    /** The {@code __metadata__} string map (empty when the header has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    /**
     * Writes {@code tensors} in list order, contiguous, after a header that carries
     * {@code metadata} (omitted when empty) and is padded with spaces to a multiple of 8 bytes.
     * Tensor bytes are streamed from their buffers; the output appears only when complete.
     */
    public static void write(Path out, List<Tensor> tensors, Map<String, String> metadata, boolean force)
            throws L2cException {
        byte[] header = headerBytes(out, tensors, metadata);
        try (AtomicFile file = AtomicFile.create(out, force)) {
            FileChannel ch = file.channel();
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(ch, prefix);
            writeFully(ch, ByteBuffer.wrap(header));
            for (Tensor t : tensors) writeFully(ch, t.data());
            file.commit();
        } catch (IOException e) {
            throw new L2cException(out + ": cannot write: " + e.getMessage(), e);
        }
    }

    private static byte[] headerBytes(Path out, List<Tensor> tensors, Map<String, String> metadata) throws L2cException {
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject(METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Tensor t : tensors) {
            if (t.name().equals(METADATA_KEY)) {
                throw new L2cException(out + ": a tensor may not be called " + METADATA_KEY);
            }
            if (root.has(t.name())) throw new L2cException(out + ": tensor " + t.name() + " is listed twice");
            ObjectNode entry = root.putObject(t.name());
            entry.put("dtype", t.dtype().safetensorsName());
            var shape = entry.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            long end = offset + t.byteSize();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new L2cException(out + ": cannot encode safetensors header: " + e.getOriginalMessage(), e);
        }
        int padded = (json.length + 7) & ~7;
        byte[] header = new byte[padded];
        System.arraycopy(json, 0, header, 0, json.length);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static long readLong(FileChannel ch, long at) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, b, at);
        return b.getLong(0);
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long at) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, at + dst.position());
            if (n < 0) throw new IOException("unexpected end of file");
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) ch.write(src);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Read-only channel: nothing was pending.
        }
    }
}
