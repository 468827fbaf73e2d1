package dev.l2c.format;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The exact byte size of the .l2c file {@link L2cWriter} writes for given file attributes and
 * tensors, without writing it: header, aligned payloads, index and footer are laid out as the
 * writer lays them out (checksums have a fixed width, so their values do not matter). Lets a rate
 * controller close on the written size cheaply.
 */
public final class ContainerSize {
    private ContainerSize() {}

    /**
     * What each tensor adds to the file beside its payload bytes: its index entry and the zero
     * padding that aligns its payloads.
     */
    public record Overhead(long[] indexBytes, long[] paddingBytes) {
        /** Index and padding bytes of tensor i. */
        public long of(int i) {
            return indexBytes[i] + paddingBytes[i];
        }
    }

    /** Bytes of the file holding {@code tensors} in this order; arguments as for {@link L2cWriter}. */
    public static long of(Map<String, String> fileAttributes, List<TensorInfo> tensors) {
        return layout(fileAttributes, tensors, null);
    }

    /** Each tensor's index entry and payload padding in the file holding {@code tensors} in this order. */
    public static Overhead overhead(List<TensorInfo> tensors) {
        Overhead o = new Overhead(new long[tensors.size()], new long[tensors.size()]);
        layout(Map.of(), tensors, o);
        return o;
    }

    private static long layout(Map<String, String> fileAttributes, List<TensorInfo> tensors, Overhead overhead) {
        long position = Layout.HEADER_BYTES;
        List<StoredTensor> stored = new ArrayList<>(tensors.size());
        long emptyIndex = IndexEncoder.encode(Map.of(), List.of()).length;
        for (TensorInfo t : tensors) {
            List<StoredStream> streams = new ArrayList<>(t.streams().size());
            for (StreamInfo s : t.streams()) {
                long length = s.payloadLength();
                long offset = 0;
                if (length > 0) {
                    long aligned = Layout.payloadStart(position, length);
                    if (overhead != null) overhead.paddingBytes[stored.size()] += aligned - position;
                    position = aligned;
                    offset = position;
                    position += length;
                }
                boolean rans = s.coding() == StreamCoding.RANS;
                long pieces = rans ? s.chunkCount() : (length + Layout.RAW_CRC_BLOCK - 1) / Layout.RAW_CRC_BLOCK;
                streams.add(new StoredStream(offset, length, rans ? 0 : Layout.RAW_CRC_BLOCK, new int[(int) pieces]));
            }
            StoredTensor entry = new StoredTensor(t, streams, 0);
            if (overhead != null) overhead.indexBytes[stored.size()] = IndexEncoder.encode(Map.of(), List.of(entry)).length - emptyIndex;
            stored.add(entry);
        }
        byte[] index = IndexEncoder.encode(fileAttributes == null ? Map.of() : fileAttributes, stored);
        return position + index.length + Layout.FOOTER_BYTES;
    }
}
