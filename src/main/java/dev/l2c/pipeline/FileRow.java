package dev.l2c.pipeline;

/**
 * One file of the model folder a .l2c file was made from, as {@code inspect} shows it.
 *
 * @param path the file's path in the folder
 * @param shard whether it is a safetensors shard (its tensors are listed as tensors too)
 * @param originalBytes the file's size
 * @param storedBytes what it takes in the .l2c file: its blob and, for a shard, its tensors
 * @param tensors the shard's tensors (0 for any other file)
 */
public record FileRow(String path, boolean shard, long originalBytes, long storedBytes, int tensors) {
    public double ratio() {
        return storedBytes == 0 ? 0 : (double) originalBytes / storedBytes;
    }
}
