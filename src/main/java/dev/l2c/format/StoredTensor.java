package dev.l2c.format;

import java.util.List;

/** A tensor's index entry with the file locations of its streams and the size of its index record. */
record StoredTensor(TensorInfo info, List<StoredStream> streams, long indexRecordBytes) {
}
