package dev.l2c.folder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.l2c.L2cException;
import dev.l2c.format.JsonAttribute;
import dev.l2c.io.Printable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How the files of a model folder map onto the entries of a .l2c file (docs/FORMAT.md, "Model
 * folders"). Every file of the folder is one {@link FileEntry}: a safetensors shard is its
 * tensors, each an entry of the container at its byte range, plus a <em>skeleton</em> (the
 * shard's bytes outside those ranges: the length prefix, the JSON header exactly as it was, any
 * gap); any other file is stored whole. Skeletons and other files are DEFLATE-compressed into one
 * U8 entry each (a <em>blob</em>). The layout travels as the JSON file attribute {@link #ATTRIBUTE}.
 *
 * <p>A layout read from a file is untrusted: {@link #parse} checks every path and range before
 * anything is written from it.
 */
public record FolderLayout(List<FileEntry> files) {
    /** The file attribute that holds the layout; a .l2c without it was made from one model file. */
    public static final String ATTRIBUTE = "folder";
    /** The layout's own version, so that a later l2c can change it and an older one refuse it. */
    static final int VERSION = 1;
    /** Limits that keep a forged layout from describing absurd trees. */
    static final int MAX_PATH_CHARS = 4096;
    static final int MAX_DEPTH = 64;

    public FolderLayout {
        files = List.copyOf(files);
    }

    /**
     * One file of the folder.
     *
     * @param path relative, '/'-separated (see {@link #checkPath})
     * @param bytes the file's size
     * @param sha256 the file's SHA-256 as lowercase hex, as it was compressed
     * @param blob the container entry holding the file (or, for a shard, its skeleton), deflated
     * @param tensors a shard's tensors in file order; empty for any other file
     * @param shard whether the file is a safetensors shard (rebuilt from its skeleton and tensors)
     */
    public record FileEntry(String path, long bytes, String sha256, String blob, List<Placement> tensors, boolean shard) {
        public FileEntry {
            tensors = List.copyOf(tensors);
        }

        /** The bytes of the skeleton (a shard) or of the file (anything else) that the blob inflates to. */
        public long blobBytes() {
            long inTensors = 0;
            for (Placement p : tensors) inTensors += p.end() - p.begin();
            return bytes - inTensors;
        }
    }

    /** A tensor of a shard: its container entry and its bytes [begin, end) in the shard file. */
    public record Placement(String entry, long begin, long end) {
    }

    /** Every container entry the layout names (blobs and tensors). */
    public Set<String> entries() {
        Set<String> names = new HashSet<>();
        for (FileEntry f : files) {
            names.add(f.blob());
            for (Placement p : f.tensors()) names.add(p.entry());
        }
        return names;
    }

    /** The blob entries (which are not model tensors). */
    public Set<String> blobs() {
        Set<String> names = new HashSet<>();
        for (FileEntry f : files) names.add(f.blob());
        return names;
    }

    /** The attribute value. */
    public String toJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", VERSION);
        ArrayNode list = root.putArray("files");
        for (FileEntry f : files) {
            ObjectNode o = list.addObject();
            o.put("path", f.path());
            o.put("bytes", f.bytes());
            o.put("sha256", f.sha256());
            o.put("blob", f.blob());
            if (f.shard()) {
                ArrayNode ts = o.putArray("tensors");
                for (Placement p : f.tensors()) ts.addArray().add(p.entry()).add(p.begin()).add(p.end());
            }
        }
        try {
            return json.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a folder layout", e);
        }
    }

    /**
     * The layout among a .l2c file's attributes (checked as {@link #parse} checks it), or null for
     * a file made from one model file.
     */
    public static FolderLayout of(String file, java.util.Map<String, String> attributes) throws L2cException {
        String json = attributes.get(ATTRIBUTE);
        return json == null ? null : parse(file, json);
    }

    /**
     * Reads and checks a layout from a .l2c file named {@code file}: paths safe and distinct,
     * ranges ordered, disjoint and inside their file, each entry named once.
     */
    public static FolderLayout parse(String file, String text) throws L2cException {
        String where = file + ": folder layout: ";
        JsonNode root = JsonAttribute.parse(where, text, VERSION);
        JsonNode list = root.get("files");
        if (list == null || !list.isArray()) throw new L2cException(where + "missing \"files\" array");
        List<FileEntry> files = new ArrayList<>();
        Set<String> paths = new HashSet<>();
        Set<String> entries = new HashSet<>();
        for (JsonNode o : list) {
            if (!o.isObject()) throw new L2cException(where + "a file is not a JSON object");
            String path = text(where, o, "path");
            checkPath(where, path);
            String shown = where + "file " + Printable.escape(path) + ": ";
            if (!paths.add(path)) throw new L2cException(shown + "named twice");
            long bytes = count(shown, o, "bytes");
            String sha = text(shown, o, "sha256");
            if (!sha.matches("[0-9a-f]{64}")) throw new L2cException(shown + "sha256 is not 64 lowercase hex digits");
            String blob = text(shown, o, "blob");
            if (!entries.add(blob)) throw new L2cException(shown + "entry " + Printable.escape(blob) + " is used twice");
            JsonNode ts = o.get("tensors");
            List<Placement> placements = new ArrayList<>();
            if (ts != null) {
                if (!ts.isArray()) throw new L2cException(shown + "\"tensors\" is not an array");
                long previousEnd = 0;
                for (JsonNode t : ts) {
                    if (!t.isArray() || t.size() != 3 || !t.get(0).isTextual()) {
                        throw new L2cException(shown + "a tensor is not [entry, begin, end]");
                    }
                    String entry = t.get(0).textValue();
                    long begin = nonNegative(shown, t.get(1));
                    long end = nonNegative(shown, t.get(2));
                    if (begin < previousEnd || end < begin || end > bytes) {
                        throw new L2cException(shown + "tensor " + Printable.escape(entry) + " at [" + begin + ", " + end
                                + ") is out of order or outside the file's " + bytes + " bytes");
                    }
                    if (!entries.add(entry)) throw new L2cException(shown + "entry " + Printable.escape(entry) + " is used twice");
                    placements.add(new Placement(entry, begin, end));
                    previousEnd = end;
                }
            }
            files.add(new FileEntry(path, bytes, sha, blob, placements, ts != null));
        }
        checkNoFileIsAFolder(where, paths);
        return new FolderLayout(files);
    }

    /**
     * A path a folder may hold: relative, '/'-separated, no empty, "." or ".." component, no
     * backslash or NUL; so that resolved against an output folder it stays inside it.
     */
    public static void checkPath(String where, String path) throws L2cException {
        String shown = where + "path \"" + Printable.escape(path) + "\" ";
        if (path.isEmpty() || path.length() > MAX_PATH_CHARS) throw new L2cException(shown + "is empty or too long");
        if (path.startsWith("/")) throw new L2cException(shown + "is absolute");
        if (path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) throw new L2cException(shown + "holds a backslash or NUL");
        String[] parts = path.split("/", -1);
        if (parts.length > MAX_DEPTH) throw new L2cException(shown + "is more than " + MAX_DEPTH + " folders deep");
        for (String part : parts) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new L2cException(shown + "has an empty, '.' or '..' component");
            }
        }
    }

    /** "a" and "a/b" cannot both be files. */
    private static void checkNoFileIsAFolder(String where, Set<String> paths) throws L2cException {
        for (String p : paths) {
            for (int slash = p.indexOf('/'); slash >= 0; slash = p.indexOf('/', slash + 1)) {
                String parent = p.substring(0, slash);
                if (paths.contains(parent)) {
                    throw new L2cException(where + "\"" + Printable.escape(parent) + "\" is both a file and the folder of \""
                            + Printable.escape(p) + "\"");
                }
            }
        }
    }

    private static String text(String where, JsonNode o, String key) throws L2cException {
        JsonNode v = o.get(key);
        if (v == null || !v.isTextual()) throw new L2cException(where + "missing or non-string \"" + key + "\"");
        return v.textValue();
    }

    private static long count(String where, JsonNode o, String key) throws L2cException {
        JsonNode v = o.get(key);
        if (v == null) throw new L2cException(where + "missing \"" + key + "\"");
        return nonNegative(where, v);
    }

    private static long nonNegative(String where, JsonNode v) throws L2cException {
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
            throw new L2cException(where + v + " is not a non-negative 64-bit integer");
        }
        return v.longValue();
    }
}
