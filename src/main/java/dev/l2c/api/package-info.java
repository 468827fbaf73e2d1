/**
 * The l2c API for code that embeds l2c, and the way the {@code l2c} command line itself works:
 * open a {@code .l2c} file and decode its tensors into buffers or libtorch tensors
 * ({@link dev.l2c.api.L2cFile}), compress a model file or folder with any of the command line's
 * settings ({@link dev.l2c.api.Compression}, {@link dev.l2c.api.Calibration}), or write one back
 * out as a model ({@link dev.l2c.api.Decompression}); judge it against its original in ONNX
 * Runtime ({@link dev.l2c.api.Evaluation}, {@link dev.l2c.api.L2cFile#compareWith}); train the
 * reference models ({@link dev.l2c.api.ZooTraining}) and chart results ({@link dev.l2c.api.Chart}).
 * Nothing here prints or exits the JVM; every
 * failure is a {@link dev.l2c.L2cException} whose message names the file, tensor or option at
 * fault (two with types of their own: {@link dev.l2c.RatioOutOfReachException} and
 * {@link dev.l2c.OutputExistsException}), and bad arguments are
 * {@link java.lang.IllegalArgumentException}s. The other packages of l2c are its implementation
 * (docs/DESIGN.md, "Architecture") and may change between versions; this one keeps its
 * signatures.
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
