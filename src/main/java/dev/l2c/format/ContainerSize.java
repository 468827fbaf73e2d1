package dev.l2c.format;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The exact byte size of the .l2c file {@link L2cWriter} writes for given file attributes and
 * tensors, without writing it: header, aligned payloads, index and footer are laid out as the
 * writer lays them out. The index is compressed (docs/FORMAT.md, version 3), so its size depends on
 * the values of the payload checksums too: they are computed from the payloads as the writer
 * computes them. Lets a rate controller close on the written size cheaply.
 */
public final class ContainerSize {
    private ContainerSize() {}

    /**
     * What each tensor adds to the file beside its payload bytes: its index entry (its share of
     * the compressed index) and the zero padding that aligns its payloads.
     */
    public record Overhead(long[] indexBytes, long[] paddingBytes) {
        /** Index and padding bytes of tensor i. */
        public long of(int i) {
            return indexBytes[i] + paddingBytes[i];
        }
    }

    /**
     * Bytes of the file holding {@code tensors} in this order, whose stream {@code s} of tensor
     * {@code i} has payload {@code payloads.get(i).get(s)} (read, not consumed); arguments as for
     * {@link L2cWriter}.
     */
    public static long of(Map<String, String> fileAttributes, List<TensorInfo> tensors, List<List<ByteBuffer>> payloads) {
        return layout(fileAttributes, tensors, (ti, si, s) -> checksums(s, payloads.get(ti).get(si)), null);
    }

    /**
     * {@link #of} for a caller that kept only the {@link #checksums} of each stream's payload, not
     * the payload: {@code checksums.get(i).get(s)} for stream s of tensor i.
     */
    public static long ofChecksums(Map<String, String> fileAttributes, List<TensorInfo> tensors, List<List<int[]>> checksums) {
        return layout(fileAttributes, tensors, (ti, si, s) -> checksums.get(ti).get(si), null);
    }

    /**
     * Bytes of the file that {@link L2cWriter#copyTensor} makes of every tensor of {@code parts},
     * part after part, with {@code fileAttributes}: from the parts' index records alone.
     */
    public static long ofParts(Map<String, String> fileAttributes, List<L2cReader> parts) {
        List<TensorInfo> infos = new ArrayList<>();
        List<List<int[]>> checksums = new ArrayList<>();
        for (L2cReader part : parts) {
            for (TensorInfo t : part.tensors()) {
                infos.add(t);
                checksums.add(part.stored(t).streams().stream().map(StoredStream::crcs).toList());
            }
        }
        return ofChecksums(fileAttributes, infos, checksums);
    }

    /** The checksums of stream {@code si} of tensor {@code ti}, described by {@code s}. */
    private interface Checksums {
        int[] of(int ti, int si, StreamInfo s);
    }

    /** Each tensor's index entry and payload padding in the file holding {@code tensors} in this order; arguments as for {@link #of}. */
    public static Overhead overhead(List<TensorInfo> tensors, List<List<ByteBuffer>> payloads) {
        Overhead o = new Overhead(new long[tensors.size()], new long[tensors.size()]);
        layout(Map.of(), tensors, (ti, si, s) -> checksums(s, payloads.get(ti).get(si)), o);
        return o;
    }

    /** {@link #overhead} for a caller that kept only the {@link #checksums} of each payload (as {@link #ofChecksums}). */
    public static Overhead overheadOfChecksums(List<TensorInfo> tensors, List<List<int[]>> checksums) {
        Overhead o = new Overhead(new long[tensors.size()], new long[tensors.size()]);
        layout(Map.of(), tensors, (ti, si, s) -> checksums.get(ti).get(si), o);
        return o;
    }

    private static long layout(Map<String, String> fileAttributes, List<TensorInfo> tensors, Checksums checksums,
            Overhead overhead) {
        long position = Layout.HEADER_BYTES;
        List<StoredTensor> stored = new ArrayList<>(tensors.size());
        long emptyIndex = IndexEncoder.encode(Map.of(), List.of()).length;
        for (int ti = 0; ti < tensors.size(); ti++) {
            TensorInfo t = tensors.get(ti);
            List<StoredStream> streams = new ArrayList<>(t.streams().size());
            for (int si = 0; si < t.streams().size(); si++) {
                StreamInfo s = t.streams().get(si);
                long length = s.payloadLength();
                long offset = 0;
                if (length > 0) {
                    long aligned = Layout.payloadStart(position, length);
                    if (overhead != null) overhead.paddingBytes[stored.size()] += aligned - position;
                    position = aligned;
                    offset = position;
                    position += length;
                }
                int[] crcs = checksums.of(ti, si, s);
                streams.add(new StoredStream(offset, length, s.coding() == StreamCoding.RAW ? Layout.RAW_CRC_BLOCK : 0, crcs));
            }
            StoredTensor entry = new StoredTensor(t, streams, 0);
            if (overhead != null) overhead.indexBytes[stored.size()] = IndexEncoder.encode(Map.of(), List.of(entry)).length - emptyIndex;
            stored.add(entry);
        }
        byte[] index = IndexEncoder.encode(fileAttributes == null ? Map.of() : fileAttributes, stored);
        long section = IndexFraming.frame(index).length;
        if (overhead != null) {
            // The index is compressed as a whole: each record is charged its share of the section.
            for (int i = 0; i < tensors.size(); i++) overhead.indexBytes[i] = overhead.indexBytes[i] * section / index.length;
        }
        return position + section + Layout.FOOTER_BYTES;
    }

    /** The CRC32C of each written piece (chunk or block) of {@code payload}, as {@link TensorSink} computes them. */
    public static int[] checksums(StreamInfo s, ByteBuffer payload) {
        if (payload.remaining() != s.payloadLength()) {
            throw new IllegalArgumentException("payload of " + payload.remaining() + " bytes, the stream declares " + s.payloadLength());
        }
        int[] crcs = new int[(int) s.writtenPieces()];
        CRC32C crc = new CRC32C();
        int start = payload.position();
        for (int k = 0; k < crcs.length; k++) {
            long from = k == 0 ? 0 : s.pieceEnd(k - 1);
            crc.reset();
            crc.update(payload.duplicate().limit(start + (int) s.pieceEnd(k)).position(start + (int) from));
            crcs[k] = (int) crc.getValue();
        }
        return crcs;
    }
}
