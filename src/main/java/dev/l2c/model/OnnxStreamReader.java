package dev.l2c.model;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.ModelProto;
import dev.l2c.model.onnx.proto.TensorProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses an ONNX file from its channel without holding its bytes: every field but the
 * initializers' {@code raw_data} is parsed as protobuf parses the whole message (so a broken file
 * fails the same way), while each {@code raw_data} is skipped and only its place in the file kept,
 * for the caller to read straight into a buffer of its own.
 */
final class OnnxStreamReader {
    private static final int BUFFER = 1 << 16;
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int TENSOR_RAW_DATA = 9;

    /** Where an initializer's raw_data lies in the file. */
    record RawSpan(long offset, int length) {}

    /** The model with its initializers' raw_data left out, and their spans in initializer order (null: none). */
    record Parsed(ModelProto model, List<RawSpan> raw) {}

    private final CodedInputStream in;
    private final ByteArrayOutputStream graphBytes = new ByteArrayOutputStream();
    private final CodedOutputStream graphOut = CodedOutputStream.newInstance(graphBytes);
    private final List<TensorProto> initializers = new ArrayList<>();
    private final List<RawSpan> raw = new ArrayList<>();
    private boolean hasGraph;

    private OnnxStreamReader(FileChannel channel) {
        in = CodedInputStream.newInstance(new SeekingInput(channel), BUFFER);
        in.setSizeLimit(Integer.MAX_VALUE);
    }

    /** Parses the model in {@code channel} (from its start); protobuf's errors as IOException. */
    static Parsed parse(FileChannel channel) throws IOException {
        return new OnnxStreamReader(channel).model();
    }

    private Parsed model() throws IOException {
        ByteArrayOutputStream restBytes = new ByteArrayOutputStream();
        CodedOutputStream restOut = CodedOutputStream.newInstance(restBytes);
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (isMessage(tag, MODEL_GRAPH)) {
                // Repeated occurrences of a message field merge: their fields are gathered in order.
                hasGraph = true;
                int old = in.pushLimit(length());
                graph();
                popLimit(old);
            } else {
                skip(tag, restOut);
            }
        }
        restOut.flush();
        ModelProto.Builder model = ModelProto.newBuilder().mergeFrom(parseInput(restBytes.toByteArray()));
        if (hasGraph) {
            graphOut.flush();
            GraphProto graph = GraphProto.newBuilder().mergeFrom(parseInput(graphBytes.toByteArray()))
                    .addAllInitializer(initializers).build();
            model.setGraph(graph);
        }
        return new Parsed(model.build(), raw);
    }

    private void graph() throws IOException {
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (isMessage(tag, GRAPH_INITIALIZER)) {
                int old = in.pushLimit(length());
                initializer();
                popLimit(old);
            } else {
                skip(tag, graphOut);
            }
        }
    }

    private void initializer() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        RawSpan span = null;
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (isMessage(tag, TENSOR_RAW_DATA)) {
                int n = length();
                long offset = in.getTotalBytesRead();
                in.skipRawBytes(n);
                span = new RawSpan(offset, n); // a bytes field seen twice: the last one counts
            } else {
                skip(tag, out);
            }
        }
        out.flush();
        initializers.add(TensorProto.parseFrom(parseInput(bytes.toByteArray())));
        raw.add(span);
    }

    private static CodedInputStream parseInput(byte[] bytes) {
        CodedInputStream c = CodedInputStream.newInstance(bytes);
        c.setSizeLimit(Integer.MAX_VALUE);
        return c;
    }

    /** Ends a field's message, which must have filled its length (a file cut inside it did not). */
    private void popLimit(int old) throws IOException {
        if (in.getBytesUntilLimit() != 0) {
            throw new InvalidProtocolBufferException("While parsing a protocol message, the input ended unexpectedly in the middle "
                    + "of a field.  This could mean either that the input has been truncated or that an embedded message "
                    + "misreported its own length.");
        }
        in.popLimit(old);
    }

    private int length() throws IOException {
        int n = in.readRawVarint32();
        if (n < 0) throw new InvalidProtocolBufferException("a field's length is negative");
        return n;
    }

    private void skip(int tag, CodedOutputStream out) throws IOException {
        // An end-group tag without its group ends a whole-message parse early; ModelProto.parseFrom
        // followed by checkLastTagWas(0) refused it, and so does this.
        if (!in.skipField(tag, out)) throw new InvalidProtocolBufferException("unexpected end-group tag");
    }

    private static boolean isMessage(int tag, int field) {
        return WireFormat.getTagFieldNumber(tag) == field && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }

    /** The channel as a stream whose skip moves the position instead of reading the bytes skipped. */
    private static final class SeekingInput extends InputStream {
        private final FileChannel channel;

        SeekingInput(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return channel.read(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public long skip(long n) throws IOException {
            long position = channel.position();
            long skipped = Math.max(0, Math.min(n, channel.size() - position));
            channel.position(position + skipped);
            return skipped;
        }
    }
}
