package dev.l2c.model;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.l2c.L2cException;
import dev.l2c.io.AtomicFile;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.ModelProto;
import dev.l2c.model.onnx.proto.StringStringEntryProto;
import dev.l2c.model.onnx.proto.TensorProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An ONNX model (one protobuf {@code ModelProto}) and its weights, the initializers of its main
 * graph.
 *
 * <p>The file is read into memory once and parsed with aliasing, so tensor bytes stored as
 * {@code raw_data} are read-only views of that copy, not copies of their own. Initializers stored as external data are
 * mapped from their files, which must lie inside the model's folder. {@link #write} re-serializes
 * the model with some initializers' data replaced; protobuf writes a parsed message back in its
 * canonical encoding, so a model written by a canonical writer (the ONNX tools are) comes out
 * byte-for-byte the same apart from the replaced tensors.
 */
public final class OnnxModel {
    /** A protobuf message, hence an ONNX file, holds less than 2 GiB (here: what one Java array holds). */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;
    private static final int MAX_PLAUSIBLE_IR_VERSION = 1000;
    private static final int WRITE_BUFFER = 1 << 20;
    /** The external-data location of initializers a runtime is handed from memory ({@link #toBytesWithout}). */
    public static final String IN_MEMORY_LOCATION = "l2c-in-memory-initializer";

    private final Path path;
    private final Path folder;
    private final ModelProto proto;
    /** Where each initializer's raw_data lies in the file, when {@link #readGraph} left it unread (else null). */
    private final List<OnnxStreamReader.RawSpan> unread;

    private OnnxModel(Path path, ModelProto proto, List<OnnxStreamReader.RawSpan> unread) {
        this.path = path;
        this.folder = path.toAbsolutePath().normalize().getParent();
        this.proto = proto;
        this.unread = unread;
    }

    /**
     * The model serialized in {@code bytes} (an ONNX graph stored in a {@code .l2c} file), named
     * {@code where} in messages; errors as {@link #read}. Its external data, if any, is resolved
     * against the folder of {@code where}.
     */
    public static OnnxModel parse(Path where, byte[] bytes) throws L2cException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setSizeLimit(Integer.MAX_VALUE);
            ModelProto proto = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
            return checked(where, proto);
        } catch (IOException e) {
            throw notOnnx(where, e);
        }
    }

    /** The file's content is no ONNX model at all (as opposed to an ONNX model with a fault). */
    public static final class NotOnnxException extends L2cException {
        NotOnnxException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Reads and parses {@code path}; a non-ONNX file or one over 2 GiB is a {@link NotOnnxException}
     * naming it, a fault of an ONNX model (two initializers of one name) an L2cException.
     */
    public static OnnxModel read(Path path) throws L2cException {
        byte[] bytes = readFile(path);
        ModelProto proto;
        try {
            // A ByteString's reader marks the bytes immutable, the condition for aliasing. (A
            // mapped buffer would gain nothing: protobuf copies a direct buffer to the heap.)
            CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
            in.enableAliasing(true);
            in.setSizeLimit(Integer.MAX_VALUE);
            proto = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
        } catch (IOException e) {
            throw notOnnx(path, e);
        }
        return checked(path, proto);
    }

    /**
     * The main graph's floating-point initializers of the ONNX model {@code path}, as
     * {@link #floatInitializers}, with the file streamed rather than read whole: each
     * {@code raw_data} is read from the file straight into a native buffer of its own (writable,
     * little-endian), and neither the file's bytes nor their parse are ever held. Other data
     * (external, typed fields) comes as {@link #floatInitializers} gives it. Errors as {@link #read}.
     */
    public static List<Tensor> readFloatInitializers(Path path) throws L2cException {
        try (FileChannel ch = open(path)) {
            OnnxStreamReader.Parsed parsed = parseStreamed(path, ch);
            OnnxModel model = checked(path, parsed.model());
            List<Tensor> out = new ArrayList<>();
            List<TensorProto> inits = parsed.model().getGraph().getInitializerList();
            for (int i = 0; i < inits.size(); i++) {
                TensorProto t = inits.get(i);
                Optional<DType> dtype = DType.fromOnnxCode(t.getDataType());
                OnnxStreamReader.RawSpan span = parsed.raw().get(i);
                RawData raw = span == null ? null : new RawData(span.length(), () -> readSpan(ch, span));
                if (dtype.isPresent() && dtype.get().isFloat()) out.add(model.toTensor(t, dtype.get(), raw));
            }
            return out;
        } catch (IOException e) {
            throw new L2cException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * The model {@code path} without its initializers' {@code raw_data}: only the graph's structure
     * is read (a few kB of a file that may hold gigabytes of weights), for {@link #toBytes} with
     * weights from elsewhere, such as a {@code .l2c} file. An initializer left unreplaced there
     * has its data read from this file then. The other accessors of tensor data refuse such a
     * model. Errors as {@link #read}.
     */
    public static OnnxModel readGraph(Path path) throws L2cException {
        try (FileChannel ch = open(path)) {
            OnnxStreamReader.Parsed parsed = parseStreamed(path, ch);
            checked(path, parsed.model());
            return new OnnxModel(path, parsed.model(), parsed.raw());
        } catch (IOException e) {
            throw new L2cException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The model in {@code ch} with its raw_data left in the file; a protobuf error is a NotOnnxException naming {@code path}. */
    private static OnnxStreamReader.Parsed parseStreamed(Path path, FileChannel ch) throws IOException, NotOnnxException {
        try {
            return OnnxStreamReader.parse(ch);
        } catch (InvalidProtocolBufferException e) {
            throw notOnnx(path, e);
        }
    }

    private static ByteBuffer readSpan(FileChannel ch, OnnxStreamReader.RawSpan span) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(span.length()).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (ch.read(buf, span.offset() + buf.position()) < 0) throw new IOException("file shrank while being read");
        }
        return buf.flip();
    }

    private static NotOnnxException notOnnx(Path path, IOException e) {
        return new NotOnnxException(path + ": not an ONNX model (protobuf parse failed: " + e.getMessage() + ")", e);
    }

    private static OnnxModel checked(Path path, ModelProto proto) throws L2cException {
        if (!proto.hasIrVersion() || proto.getIrVersion() < 1 || proto.getIrVersion() > MAX_PLAUSIBLE_IR_VERSION
                || !proto.hasGraph()) {
            throw new NotOnnxException(path + ": not an ONNX model (no ir_version or no graph)", null);
        }
        checkUniqueInitializers(path, proto.getGraph());
        return new OnnxModel(path, proto, null);
    }

    /** Names identify initializers (replacements, container entries): two with one name are the model's fault. */
    private static void checkUniqueInitializers(Path path, GraphProto graph) throws L2cException {
        Set<String> seen = new HashSet<>();
        for (TensorProto t : graph.getInitializerList()) {
            if (!seen.add(t.getName())) throw new L2cException(path + ": duplicate initializer '" + t.getName() + "'");
        }
    }

    private static byte[] readFile(Path path) throws L2cException {
        try (FileChannel ch = open(path)) {
            ByteBuffer buf = ByteBuffer.allocate((int) ch.size());
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) throw new IOException("file shrank while being read");
            }
            return buf.array();
        } catch (IOException e) {
            throw new L2cException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Opens the model file, refusing an empty one and one over protobuf's 2 GiB limit. */
    private static FileChannel open(Path path) throws L2cException {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
            long size = ch.size();
            if (size > MAX_FILE_BYTES) {
                throw new NotOnnxException(path + ": ONNX file of " + size + " bytes is over protobuf's 2 GiB message limit; "
                        + "models this large keep their weights in external data files", null);
            }
            if (size == 0) throw new NotOnnxException(path + ": not an ONNX model (empty file)", null);
            return ch;
        } catch (IOException e) {
            closeQuietly(ch);
            throw new L2cException(path + ": cannot read: " + e.getMessage(), e);
        } catch (L2cException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // The error being reported matters more.
        }
    }

    public Path path() {
        return path;
    }

    /** The parsed model, for code that works on the graph itself. */
    public ModelProto proto() {
        return proto;
    }

    /** The main graph's initializers of a floating-point type (F32, F64, F16, BF16), in graph order. */
    public List<Tensor> floatInitializers() throws L2cException {
        List<Tensor> out = new ArrayList<>();
        for (TensorProto t : proto.getGraph().getInitializerList()) {
            Optional<DType> dtype = DType.fromOnnxCode(t.getDataType());
            if (dtype.isPresent() && dtype.get().isFloat()) out.add(toTensor(t, dtype.get()));
        }
        return out;
    }

    /**
     * The main graph's initializers, in graph order. Those whose data type has no {@link DType}
     * (strings, complex numbers, 8- and 4-bit floats, 4-bit integers) are left out; {@link #proto()}
     * still has them.
     */
    public List<Tensor> allInitializers() throws L2cException {
        List<Tensor> out = new ArrayList<>();
        for (TensorProto t : proto.getGraph().getInitializerList()) {
            Optional<DType> dtype = DType.fromOnnxCode(t.getDataType());
            if (dtype.isPresent()) out.add(toTensor(t, dtype.get()));
        }
        return out;
    }

    /**
     * Decodes any tensor of this model (a Constant node's value, say) as initializers are
     * decoded: raw, typed or external data, checked against its shape.
     */
    public Tensor tensor(TensorProto t) throws L2cException {
        Optional<DType> dtype = DType.fromOnnxCode(t.getDataType());
        if (dtype.isEmpty()) throw fail(t.getName(), "ONNX data type " + t.getDataType() + " is not supported");
        return toTensor(t, dtype.get());
    }

    /** An initializer's raw_data: its length, and its bytes when wanted. */
    private record RawData(int length, Bytes bytes) {
        interface Bytes {
            ByteBuffer read() throws IOException;
        }
    }

    private Tensor toTensor(TensorProto t, DType dtype) throws L2cException {
        requireData();
        ByteString raw = t.getRawData();
        return toTensor(t, dtype, t.hasRawData() ? new RawData(raw.size(), () -> raw.asReadOnlyByteBuffer().slice()) : null);
    }

    /** {@code raw}: the tensor's raw_data, or null when it has none. */
    private Tensor toTensor(TensorProto t, DType dtype, RawData raw) throws L2cException {
        String name = t.getName();
        long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int bytes;
        try {
            bytes = Tensor.byteLength(name, dtype, shape);
        } catch (L2cException e) {
            throw new L2cException(path + ": initializer " + e.getMessage(), e);
        }
        if (t.hasSegment()) throw fail(name, "segmented tensors are not supported");
        ByteBuffer data;
        if (isExternal(t)) {
            data = readExternal(t, bytes);
        } else if (raw != null) {
            if (raw.length() != bytes) {
                throw fail(name, dtype + Arrays.toString(shape) + " needs " + bytes + " bytes, raw_data holds " + raw.length());
            }
            try {
                data = raw.bytes().read();
            } catch (IOException e) {
                throw fail(name, "cannot read raw_data: " + e.getMessage());
            }
        } else {
            data = fromTypedFields(t, dtype, bytes / dtype.byteSize());
        }
        return new Tensor(name, dtype, shape, data);
    }

    private static boolean isExternal(TensorProto t) {
        return t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
    }

    /** Decodes the typed repeated fields, checking their count against the shape. */
    private ByteBuffer fromTypedFields(TensorProto t, DType dtype, int numel) throws L2cException {
        ByteBuffer out = ByteBuffer.allocate(numel * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> {
                checkCount(t, "float_data", t.getFloatDataCount(), numel);
                for (int i = 0; i < numel; i++) out.putFloat(t.getFloatData(i));
            }
            case F64 -> {
                checkCount(t, "double_data", t.getDoubleDataCount(), numel);
                for (int i = 0; i < numel; i++) out.putDouble(t.getDoubleData(i));
            }
            case I32 -> {
                checkCount(t, "int32_data", t.getInt32DataCount(), numel);
                for (int i = 0; i < numel; i++) out.putInt(t.getInt32Data(i));
            }
            // 16-bit types, FLOAT16 and BFLOAT16 included, keep their bit pattern in the low half.
            case F16, BF16, I16, U16 -> {
                checkCount(t, "int32_data", t.getInt32DataCount(), numel);
                for (int i = 0; i < numel; i++) out.putShort((short) t.getInt32Data(i));
            }
            case I8, U8, BOOL -> {
                checkCount(t, "int32_data", t.getInt32DataCount(), numel);
                for (int i = 0; i < numel; i++) out.put((byte) t.getInt32Data(i));
            }
            case I64 -> {
                checkCount(t, "int64_data", t.getInt64DataCount(), numel);
                for (int i = 0; i < numel; i++) out.putLong(t.getInt64Data(i));
            }
            case U32 -> {
                checkCount(t, "uint64_data", t.getUint64DataCount(), numel);
                for (int i = 0; i < numel; i++) out.putInt((int) t.getUint64Data(i));
            }
            case U64 -> {
                checkCount(t, "uint64_data", t.getUint64DataCount(), numel);
                for (int i = 0; i < numel; i++) out.putLong(t.getUint64Data(i));
            }
        }
        return out.flip();
    }

    private void checkCount(TensorProto t, String field, int count, int numel) throws L2cException {
        if (count != numel) {
            throw fail(t.getName(), "shape " + t.getDimsList() + " has " + numel + " elements, " + field + " holds " + count
                    + (count == 0 ? " (no raw_data either)" : ""));
        }
    }

    /** Maps an initializer's bytes from its external file, checking location, offset and length. */
    private ByteBuffer readExternal(TensorProto t, int bytes) throws L2cException {
        String name = t.getName();
        Map<String, String> info = externalInfo(t);
        Path file = externalFile(name, info.get("location"));
        long offset = parseNonNegative(name, info, "offset", 0);
        long length = parseNonNegative(name, info, "length", bytes);
        if (length != bytes) {
            throw fail(name, "external data length " + length + " differs from the " + bytes + " bytes its shape needs");
        }
        // NOFOLLOW_LINKS: a link put in place of the checked real path after the check is refused.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            if (offset > size || length > size - offset) {
                throw fail(name, "external data [" + offset + ", " + (offset + length) + ") runs past the end of "
                        + file + " (" + size + " bytes)");
            }
            if (length == 0) return ByteBuffer.allocate(0);
            return ch.map(FileChannel.MapMode.READ_ONLY, offset, length);
        } catch (IOException e) {
            throw fail(name, "cannot read external data file " + file + ": " + e.getMessage());
        }
    }

    /**
     * Checks where every external initializer of the main graph keeps its data, as reading it
     * would (inside the model's folder, links followed), for callers that hand the model file to
     * another reader (ONNX Runtime) that follows links without asking.
     */
    public void checkExternalLocations() throws L2cException {
        for (TensorProto t : proto.getGraph().getInitializerList()) {
            if (isExternal(t)) checkExternalLocation(t);
        }
    }

    private static Map<String, String> externalInfo(TensorProto t) {
        Map<String, String> info = new HashMap<>();
        for (StringStringEntryProto e : t.getExternalDataList()) info.put(e.getKey(), e.getValue());
        return info;
    }

    /** Checks where an external initializer's data lies, as reading it would. */
    private void checkExternalLocation(TensorProto t) throws L2cException {
        externalFile(t.getName(), externalInfo(t).get("location"));
    }

    /**
     * The external file, which must be a relative path that stays inside the model's folder, also
     * after symbolic links are followed: a link inside the folder must not expose a file outside
     * it. Returns the real path, so that the file opened is the one checked.
     */
    private Path externalFile(String name, String location) throws L2cException {
        if (location == null || location.isEmpty()) throw fail(name, "external data has no location");
        Path rel;
        try {
            rel = Path.of(location);
        } catch (RuntimeException e) {
            throw fail(name, "external data location \"" + location + "\" is not a valid path");
        }
        Path file = folder.resolve(rel).normalize();
        if (rel.isAbsolute() || !file.startsWith(folder)) {
            throw fail(name, "external data location \"" + location + "\" is outside the model's folder " + folder);
        }
        if (!Files.isRegularFile(file)) throw fail(name, "external data file " + file + " does not exist");
        Path real;
        Path realFolder;
        try {
            real = file.toRealPath();
            realFolder = folder.toRealPath();
        } catch (IOException e) {
            throw fail(name, "cannot resolve external data location \"" + location + "\": " + e.getMessage());
        }
        if (!real.startsWith(realFolder)) {
            throw fail(name, "external data location \"" + location + "\" links to " + real
                    + ", outside the model's folder " + realFolder);
        }
        return real;
    }

    private long parseNonNegative(String name, Map<String, String> info, String key, long absent) throws L2cException {
        String v = info.get(key);
        if (v == null) return absent;
        try {
            long n = Long.parseLong(v.trim());
            if (n >= 0) return n;
        } catch (NumberFormatException ignored) {
            // Reported below with the offending text.
        }
        throw fail(name, "external data " + key + " \"" + v + "\" is not a non-negative integer");
    }

    private L2cException fail(String tensor, String what) {
        return new L2cException(path + ": initializer " + tensor + ": " + what);
    }

    /**
     * Writes this model to {@code out} with the data of the named initializers replaced by the given
     * tensors' bytes (name, dims and data type stay, and must match the tensor). A replaced
     * initializer that the model kept inline is written as raw_data; every initializer it kept in
     * external data (replaced or not) is written to {@code out}'s own external data file,
     * {@code <out name>.data} beside it, so a model past protobuf's 2 GiB stays under it, as its
     * original did, and the output needs none of the input's files. All else is kept as it was
     * (external data of a type l2c cannot read is still referenced relative to the output's folder,
     * which must then be the model's folder). The data file is in place before the model that
     * refers to it; each appears only when complete.
     */
    public void write(Path out, Map<String, Tensor> replacements, boolean force) throws L2cException {
        requireData();
        List<Tensor> external = new ArrayList<>();
        ModelProto model = withReplacements(out, replacements, external);
        if (!external.isEmpty()) writeExternal(externalDataFile(out), external, force);
        try (AtomicFile file = AtomicFile.create(out, force)) {
            OutputStream stream = Channels.newOutputStream(file.channel());
            CodedOutputStream coded = CodedOutputStream.newInstance(stream, WRITE_BUFFER);
            model.writeTo(coded);
            coded.flush();
            file.commit();
        } catch (IOException e) {
            throw new L2cException(out + ": cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * This model with the data of the named initializers replaced, serialized in memory (for
     * {@code OrtEnvironment.createSession(byte[])}, with no file written). Replaced initializers
     * are inlined; an initializer left in an external data file is refused (a model in memory has
     * no folder to resolve it against), as is a model over protobuf's 2 GiB.
     */
    public byte[] toBytes(Map<String, Tensor> replacements) throws L2cException {
        return inMemory(replacements, Set.of(), Set.of());
    }

    /**
     * This model serialized without the data of the initializers named in {@code suppliedElsewhere}:
     * their names, types and shapes stay, and their data is marked external at
     * {@value #IN_MEMORY_LOCATION}, a place that is no file, for a runtime that is handed those
     * tensors from memory (ONNX Runtime's {@code SessionOptions.addInitializer}, or
     * {@code addExternalInitializers}, which replaces only initializers marked external). Every
     * other initializer keeps its data. A name the model does not have, or another initializer in
     * an external data file, is refused.
     */
    public byte[] toBytesWithout(Set<String> suppliedElsewhere) throws L2cException {
        return inMemory(Map.of(), suppliedElsewhere, Set.of());
    }

    /**
     * This model's graph for a {@code .l2c} file that holds the initializers named in {@code held}
     * (docs/FORMAT.md, "ONNX graphs"): each of them without its data (name, type and shape only;
     * one that this model keeps in an external data file is marked external at
     * {@value #IN_MEMORY_LOCATION}, so that decompression puts it in an external data file again),
     * every other initializer with its data inline, read from its external file where it has one.
     */
    public byte[] graphWithout(Set<String> held) throws L2cException {
        Map<String, Tensor> inlined = new LinkedHashMap<>();
        Set<String> external = new HashSet<>();
        Set<String> dropped = new HashSet<>();
        for (TensorProto init : proto.getGraph().getInitializerList()) {
            String name = init.getName();
            if (held.contains(name)) {
                (isExternal(init) ? external : dropped).add(name);
            } else if (isExternal(init)) {
                Optional<DType> dtype = DType.fromOnnxCode(init.getDataType());
                if (dtype.isEmpty()) {
                    throw fail(name, "ONNX data type " + init.getDataType() + " in an external data file cannot be "
                            + "stored with the graph (compress with --no-graph)");
                }
                inlined.put(name, toTensor(init, dtype.get(), null)); // external data: no raw_data to have read
            }
        }
        return inMemory(inlined, external, dropped);
    }

    /**
     * The names of the initializers that have no data of their own: those {@link #graphWithout}
     * left without data (an empty tensor needs none), and those marked external at
     * {@value #IN_MEMORY_LOCATION}.
     */
    public Set<String> initializersWithoutData() {
        Set<String> out = new LinkedHashSet<>();
        for (TensorProto init : proto.getGraph().getInitializerList()) {
            boolean inMemory = isExternal(init) && IN_MEMORY_LOCATION.equals(externalInfo(init).get("location"));
            boolean empty = init.getDimsList().stream().anyMatch(d -> d == 0);
            if (inMemory || (!isExternal(init) && !hasData(init) && !empty)) out.add(init.getName());
        }
        return out;
    }

    /** The names of the initializers whose data lies in an external file (not at {@value #IN_MEMORY_LOCATION}). */
    public Set<String> initializersInFiles() {
        Set<String> out = new LinkedHashSet<>();
        for (TensorProto init : proto.getGraph().getInitializerList()) {
            if (isExternal(init) && !IN_MEMORY_LOCATION.equals(externalInfo(init).get("location"))) out.add(init.getName());
        }
        return out;
    }

    private static boolean hasData(TensorProto t) {
        return t.hasRawData() || t.getFloatDataCount() > 0 || t.getDoubleDataCount() > 0 || t.getInt32DataCount() > 0
                || t.getInt64DataCount() > 0 || t.getUint64DataCount() > 0 || t.getStringDataCount() > 0;
    }

    /**
     * The model serialized in memory with the initializers in {@code replacements} given their
     * data, those in {@code suppliedElsewhere} marked external at {@value #IN_MEMORY_LOCATION},
     * and the rest as they are (data that {@link #readGraph} left unread is read from the file,
     * opened once).
     */
    private byte[] inMemory(Map<String, Tensor> replacements, Set<String> suppliedElsewhere, Set<String> dropped)
            throws L2cException {
        String where = path + " (in memory)";
        GraphProto graph = proto.getGraph();
        Set<String> pending = new HashSet<>(replacements.keySet());
        pending.addAll(suppliedElsewhere);
        pending.addAll(dropped);
        GraphProto.Builder newGraph = graph.toBuilder();
        FileChannel source = null;
        try {
            for (int i = 0; i < graph.getInitializerCount(); i++) {
                TensorProto init = graph.getInitializer(i);
                String name = init.getName();
                Tensor replacement = replacements.get(name);
                if (replacement != null) {
                    checkReplacement(Path.of(where), init, replacement);
                    newGraph.setInitializer(i, replaced(init, replacement));
                } else if (suppliedElsewhere.contains(name)) {
                    newGraph.setInitializer(i, externalized(init, IN_MEMORY_LOCATION, 0, dataBytes(init)));
                } else if (dropped.contains(name)) {
                    newGraph.setInitializer(i, withoutData(init).build());
                } else if (isExternal(init)) {
                    throw new L2cException(where + ": initializer " + name + " is in an external data file and not "
                            + "among the replacements; a model in memory cannot refer to files");
                } else if (unread != null && unread.get(i) != null) {
                    if (source == null) source = open(path);
                    newGraph.setInitializer(i, init.toBuilder().setRawData(ByteString.copyFrom(readSpan(source, unread.get(i)))).build());
                }
                pending.remove(name);
            }
        } catch (IOException e) {
            throw new L2cException(path + ": cannot read an initializer's data: " + e.getMessage(), e);
        } finally {
            closeQuietly(source);
        }
        if (!pending.isEmpty()) throw new L2cException(where + ": model has no initializer named " + pending.iterator().next());
        ModelProto model = proto.toBuilder().setGraph(newGraph).build();
        checkSerializedSize(Path.of(where), model);
        return model.toByteArray();
    }

    /** The bytes of {@code init}'s data, from its type and shape. */
    private long dataBytes(TensorProto init) throws L2cException {
        Optional<DType> dtype = DType.fromOnnxCode(init.getDataType());
        if (dtype.isEmpty()) throw fail(init.getName(), "ONNX data type " + init.getDataType() + " is not supported");
        long[] dims = init.getDimsList().stream().mapToLong(Long::longValue).toArray();
        return Tensor.byteLength(init.getName(), dtype.get(), dims);
    }

    private void requireData() {
        if (unread != null) throw new IllegalStateException(path + ": read without its initializers' data (readGraph)");
    }

    /** Where {@link #write} puts the external data of {@code out}: {@code <out name>.data} beside it. */
    public static Path externalDataFile(Path out) {
        return out.resolveSibling(out.getFileName() + ".data");
    }

    /** Tensors at least this large start at a multiple of it in an external data file (as ONNX's own tools align them). */
    private static final int EXTERNAL_ALIGNMENT = 4096;

    private static long externalOffset(long at, long bytes) {
        return bytes >= EXTERNAL_ALIGNMENT ? (at + EXTERNAL_ALIGNMENT - 1) / EXTERNAL_ALIGNMENT * EXTERNAL_ALIGNMENT : at;
    }

    /** Writes {@code tensors} one after another at the offsets {@link #externalOffset} gives, zero-padded. */
    private static void writeExternal(Path data, List<Tensor> tensors, boolean force) throws L2cException {
        try (AtomicFile file = AtomicFile.create(data, force)) {
            FileChannel ch = file.channel();
            long at = 0;
            for (Tensor t : tensors) {
                ByteBuffer bytes = t.data();
                at = externalOffset(at, bytes.remaining());
                while (bytes.hasRemaining()) at += ch.write(bytes, at);
            }
            file.commit();
        } catch (IOException e) {
            throw new L2cException(data + ": cannot write: " + e.getMessage(), e);
        }
    }

    private ModelProto withReplacements(Path out, Map<String, Tensor> replacements, List<Tensor> external)
            throws L2cException {
        GraphProto graph = proto.getGraph();
        Set<String> pending = new HashSet<>(replacements.keySet());
        GraphProto.Builder newGraph = graph.toBuilder();
        boolean keepsExternal = false;
        String dataName = externalDataFile(out).getFileName().toString();
        long dataAt = 0;
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto init = graph.getInitializer(i);
            Tensor replacement = replacements.get(init.getName());
            if (isExternal(init) && dataName.equals(externalInfo(init).get("location"))) {
                throw new L2cException(out + ": model " + path + " keeps initializer " + init.getName() + " in " + dataName
                        + ", the file this output's external data would replace; name the output otherwise");
            }
            if (replacement == null) {
                if (isExternal(init) && DType.fromOnnxCode(init.getDataType()).isEmpty()) {
                    // A type l2c cannot read is referenced where it is: it must pass the reader's checks.
                    checkExternalLocation(init);
                    keepsExternal = true;
                    continue;
                }
                if (!isExternal(init)) continue;
                // Copied into the output's data file, so that the output does not depend on the input's files.
                replacement = tensor(init);
            } else {
                pending.remove(init.getName());
                checkReplacement(out, init, replacement);
            }
            if (isExternal(init)) {
                long bytes = replacement.data().remaining();
                dataAt = externalOffset(dataAt, bytes);
                newGraph.setInitializer(i, externalized(init, dataName, dataAt, bytes));
                external.add(replacement);
                dataAt += bytes;
            } else {
                newGraph.setInitializer(i, replaced(init, replacement));
            }
        }
        if (!pending.isEmpty()) {
            throw new L2cException(out + ": model " + path + " has no initializer named " + pending.iterator().next());
        }
        Path outFolder = out.toAbsolutePath().normalize().getParent();
        if (keepsExternal && !outFolder.equals(folder)) {
            throw new L2cException(out + ": model " + path + " keeps initializers in external data files relative to "
                    + folder + "; write the output into that folder");
        }
        ModelProto model = proto.toBuilder().setGraph(newGraph).build();
        checkSerializedSize(out, model);
        return model;
    }

    private void checkReplacement(Path out, TensorProto init, Tensor t) throws L2cException {
        String where = out + ": replacement for initializer " + init.getName() + ": ";
        if (!t.name().equals(init.getName())) throw new L2cException(where + "tensor is named " + t.name());
        Optional<DType> dtype = DType.fromOnnxCode(init.getDataType());
        if (dtype.isEmpty() || dtype.get() != t.dtype()) {
            throw new L2cException(where + "dtype " + t.dtype() + " differs from the model's ONNX data type "
                    + init.getDataType() + dtype.map(d -> " (" + d + ")").orElse(""));
        }
        long[] dims = init.getDimsList().stream().mapToLong(Long::longValue).toArray();
        if (!Arrays.equals(dims, t.shape())) {
            throw new L2cException(where + "shape " + Arrays.toString(t.shape()) + " differs from the model's "
                    + Arrays.toString(dims));
        }
    }

    /** {@code init} with every data field cleared: name, type and shape. */
    private static TensorProto.Builder withoutData(TensorProto init) {
        return init.toBuilder()
                .clearFloatData().clearDoubleData().clearInt32Data().clearInt64Data().clearUint64Data()
                .clearStringData().clearRawData().clearExternalData().clearDataLocation();
    }

    /** {@code init} with its data at [offset, offset + length) of the external file {@code location}. */
    private static TensorProto externalized(TensorProto init, String location, long offset, long length) {
        return withoutData(init)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(Long.toString(offset)))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(Long.toString(length)))
                .build();
    }

    /** The initializer with only its data changed: typed fields and external references cleared. */
    private static TensorProto replaced(TensorProto init, Tensor t) {
        // The tensor's buffer is read-only and not changed while the model is written.
        ByteString raw = UnsafeByteOperations.unsafeWrap(t.data());
        return init.toBuilder()
                .clearFloatData().clearDoubleData().clearInt32Data().clearInt64Data().clearUint64Data()
                .clearStringData().clearExternalData().clearDataLocation()
                .setRawData(raw)
                .build();
    }

    /** Refuses a model that would exceed protobuf's 2 GiB limit (its int sizes would overflow). */
    private void checkSerializedSize(Path out, ModelProto model) throws L2cException {
        GraphProto graph = model.getGraph();
        long total = model.toBuilder().setGraph(graph.toBuilder().clearInitializer()).build().getSerializedSize();
        for (TensorProto t : graph.getInitializerList()) {
            long size = t.getSerializedSize();
            if (size < 0) size = MAX_FILE_BYTES + 1; // protobuf's int size overflowed
            total += 1 + CodedOutputStream.computeUInt64SizeNoTag(size) + size;
        }
        total += 10; // the graph's length prefix may grow by up to this much
        if (total > MAX_FILE_BYTES) {
            throw new L2cException(out + ": the model would be about " + total + " bytes, over protobuf's 2 GiB limit");
        }
    }
}
