/**
 * The l2c API for code that embeds l2c: open a {@code .l2c} file and decode its tensors into
 * buffers ({@link dev.l2c.api.L2cFile}), or compress a model file or folder
 * ({@link dev.l2c.api.Compression}). Nothing here prints or exits the JVM; every failure is a
 * {@link dev.l2c.L2cException} whose message names the file, tensor or option at fault, and bad
 * arguments are {@link java.lang.IllegalArgumentException}s. The other packages of l2c are its
 * implementation and may change between versions; this one keeps its signatures.
 *
 * <pre>{@code
 * try (L2cFile file = L2cFile.open(Path.of("model.l2c"))) {
 *     for (TensorEntry t : file.tensors()) {
 *         ByteBuffer bf16 = file.decode(t.name(), ElementType.BF16);
 *         ...
 *     }
 * }
 * CompressionResult r = Compression.ratio(10).seed(1).compress(Path.of("model.onnx"), Path.of("model.l2c"));
 * }</pre>
 */
package dev.l2c.api;
