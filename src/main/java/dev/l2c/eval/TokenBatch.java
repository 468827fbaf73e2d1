package dev.l2c.eval;

/**
 * Token ids of a batch of sentences, padded on the right to the longest, row-major
 * {@code [size, length]}, ready to become ONNX Runtime int64 tensors.
 *
 * @param size sentences in the batch
 * @param length tokens per row, padding included
 * @param ids token ids, 0 ([PAD]) in padding
 * @param attentionMask 1 for real tokens (special tokens included), 0 for padding
 * @param typeIds segment ids, all 0 for single sentences
 */
public record TokenBatch(int size, int length, long[] ids, long[] attentionMask, long[] typeIds) {
    public TokenBatch {
        long cells = (long) size * length;
        if (ids.length != cells || attentionMask.length != cells || typeIds.length != cells) {
            throw new IllegalArgumentException("token arrays do not match " + size + " x " + length);
        }
    }

    /** ONNX tensor shape of each array. */
    public long[] shape() {
        return new long[] {size, length};
    }

    /** The ids of sentence {@code row} without padding. */
    public long[] idsOf(int row) {
        int n = tokensOf(row);
        long[] out = new long[n];
        System.arraycopy(ids, row * length, out, 0, n);
        return out;
    }

    /** Real tokens (attention mask 1) of sentence {@code row}. */
    public int tokensOf(int row) {
        int n = 0;
        for (int t = 0; t < length; t++) n += (int) attentionMask[row * length + t];
        return n;
    }
}
