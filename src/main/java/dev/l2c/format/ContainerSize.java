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

    /** Bytes of the file holding {@code tensors} in this order; arguments as for {@link L2cWriter}. */
    public static long of(Map<String, String> fileAttributes, List<TensorInfo> tensors) {
        long position = Layout.HEADER_BYTES;
        List<StoredTensor> stored = new ArrayList<>(tensors.size());
        for (TensorInfo t : tensors) {
            List<StoredStream> streams = new ArrayList<>(t.streams().size());
            for (StreamInfo s : t.streams()) {
                long length = s.payloadLength();
                long offset = 0;
                if (length > 0) {
                    position = Layout.alignUp(position);
                    offset = position;
                    position += length;
                }
                boolean rans = s.coding() == StreamCoding.RANS;
                long pieces = rans ? s.chunkCount() : (length + Layout.RAW_CRC_BLOCK - 1) / Layout.RAW_CRC_BLOCK;
                streams.add(new StoredStream(offset, length, rans ? 0 : Layout.RAW_CRC_BLOCK, new int[(int) pieces]));
            }
            stored.add(new StoredTensor(t, streams, 0));
        }
        byte[] index = IndexEncoder.encode(fileAttributes == null ? Map.of() : fileAttributes, stored);
        return position + index.length + Layout.FOOTER_BYTES;
    }
}
