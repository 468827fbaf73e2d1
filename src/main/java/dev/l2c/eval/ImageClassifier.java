package dev.l2c.eval;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.l2c.L2cException;
import dev.l2c.data.ImageSet;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * An image classifier run in ONNX Runtime: one float input {@code [N, channels, rows, cols]}, one
 * output of class scores {@code [N, classes]}; the prediction is the arg-max. The input's declared
 * type and shape are checked when the model is opened, so a model made for other images fails
 * before any image is run.
 */
public final class ImageClassifier implements AutoCloseable {
    public static final int DEFAULT_BATCH_SIZE = 256;

    private final Path model;
    private final ModelSession owner;
    private final OrtSession session;
    private final String input;
    private final String output;
    private final int classes;
    private final int batchSize;
    private final long[] imageShape;
    private final boolean fixedBatch;

    private ImageClassifier(ModelSession owner, String input, String output, int classes, int batchSize,
            long[] imageShape, boolean fixedBatch) {
        this.model = owner.source();
        this.owner = owner;
        this.session = owner.session();
        this.input = input;
        this.output = output;
        this.classes = classes;
        this.batchSize = batchSize;
        this.imageShape = imageShape;
        this.fixedBatch = fixedBatch;
    }

    /**
     * Opens {@code onnxModel} for images of {@code imageShape} ({@code {channels, rows, cols}})
     * and {@code classes} classes; {@code threads} is ONNX Runtime's intra-op thread count. A model
     * whose batch dimension is fixed is run with batches of that size.
     */
    public static ImageClassifier open(Path onnxModel, long[] imageShape, int classes, int batchSize, int threads)
            throws L2cException {
        if (batchSize < 1) throw new L2cException("batch size must be at least 1, got " + batchSize);
        if (threads < 1) throw new L2cException("--threads must be at least 1, got " + threads);
        if (!Files.isRegularFile(onnxModel)) throw new L2cException(onnxModel + ": ONNX model not found");
        return open(ModelSession.open(onnxModel, threads), imageShape, classes, batchSize);
    }

    /**
     * A classifier on an open session, which it takes over: closing the classifier (or a failure
     * here) closes it.
     */
    public static ImageClassifier open(ModelSession model, long[] imageShape, int classes, int batchSize) throws L2cException {
        Path onnxModel = model.source();
        OrtSession session = model.session();
        try {
            if (batchSize < 1) throw new L2cException("batch size must be at least 1, got " + batchSize);
            Map<String, NodeInfo> inputs = session.getInputInfo();
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            String expected = "float " + shapeText(-1, imageShape);
            if (inputs.size() != 1) {
                throw new L2cException(onnxModel + ": the model takes " + inputs.size() + " inputs " + inputs.keySet()
                        + "; an image classifier takes one, " + expected);
            }
            var in = inputs.entrySet().iterator().next();
            long batch = checkInput(onnxModel, in.getKey(), in.getValue(), imageShape, expected);
            if (outputs.isEmpty()) throw new L2cException(onnxModel + ": the model has no output");
            var out = outputs.entrySet().iterator().next();
            checkOutput(onnxModel, out.getKey(), out.getValue(), classes);
            int size = batch > 0 ? (int) batch : batchSize;
            return new ImageClassifier(model, in.getKey(), out.getKey(), classes, size, imageShape.clone(), batch > 0);
        } catch (OrtException e) {
            model.closeQuietly();
            throw new L2cException(onnxModel + ": ONNX Runtime cannot describe the model's inputs (" + e.getMessage() + ")", e);
        } catch (L2cException | RuntimeException e) {
            model.closeQuietly();
            throw e;
        }
    }

    /** Checks the declared input; returns its fixed batch size, or -1 when the batch is free. */
    private static long checkInput(Path model, String name, NodeInfo info, long[] imageShape, String expected)
            throws L2cException {
        if (!(info.getInfo() instanceof TensorInfo t)) {
            throw new L2cException(model + ": input '" + name + "' is not a tensor; expected " + expected);
        }
        long[] shape = t.getShape();
        boolean fits = t.type == OnnxJavaType.FLOAT && shape.length == imageShape.length + 1;
        for (int i = 0; fits && i < imageShape.length; i++) {
            // A symbolic dimension (-1) is accepted: ONNX Runtime checks it on the first batch.
            fits = shape[i + 1] == imageShape[i] || shape[i + 1] < 0;
        }
        if (!fits) {
            throw new L2cException(model + ": input '" + name + "' is " + t.type.name().toLowerCase(java.util.Locale.ROOT)
                    + " " + shapeText(shape[0], Arrays.copyOfRange(shape, 1, shape.length)) + ", expected " + expected);
        }
        return shape[0];
    }

    private static void checkOutput(Path model, String name, NodeInfo info, int classes) throws L2cException {
        if (!(info.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT || t.getShape().length != 2
                || (t.getShape()[1] >= 0 && t.getShape()[1] != classes)) {
            throw new L2cException(model + ": output '" + name + "' is " + info.getInfo() + ", expected float [N, " + classes
                    + "] class scores");
        }
    }

    /** "[N, 1, 28, 28]" for a free batch. */
    static String shapeText(long batch, long[] imageShape) {
        StringBuilder s = new StringBuilder("[").append(batch < 0 ? "N" : Long.toString(batch));
        for (long d : imageShape) s.append(", ").append(d < 0 ? "?" : Long.toString(d));
        return s.append(']').toString();
    }

    public String inputName() {
        return input;
    }

    public int batchSize() {
        return batchSize;
    }

    /**
     * The predicted class of every image, in order; {@code progress} hears how many images each
     * finished batch held.
     */
    public int[] predict(ImageSet images, IntConsumer progress) throws L2cException {
        long perImage = 1;
        for (long d : imageShape) perImage *= d;
        if (images.pixelsPerImage() != perImage) {
            throw new L2cException(model + ": images of " + images.rows() + "x" + images.cols() + " do not fit input '" + input
                    + "' " + shapeText(-1, imageShape));
        }
        int[] predictions = new int[images.count()];
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int px = images.pixelsPerImage();
        for (int from = 0; from < images.count(); from += batchSize) {
            int n = Math.min(batchSize, images.count() - from);
            float[] pixels = images.images();
            FloatBuffer buffer = FloatBuffer.wrap(pixels, from * px, n * px).slice();
            long[] shape = new long[imageShape.length + 1];
            shape[0] = n;
            System.arraycopy(imageShape, 0, shape, 1, imageShape.length);
            if (n < batchSize && fixedBatch) {
                // A fixed-batch model gets a zero-padded last batch; only the real rows are read.
                float[] padded = new float[batchSize * px];
                System.arraycopy(pixels, from * px, padded, 0, n * px);
                buffer = FloatBuffer.wrap(padded);
                shape[0] = batchSize;
            }
            try (OnnxTensor x = OnnxTensor.createTensor(env, buffer, shape);
                    OrtSession.Result result = session.run(Map.of(input, x))) {
                OnnxValue value = result.get(output).orElseThrow();
                argmax(value, (int) shape[0], predictions, from, n);
            } catch (OrtException e) {
                throw new L2cException(model + ": ONNX Runtime failed on images " + from + ".." + (from + n - 1) + " ("
                        + e.getMessage() + ")", e);
            }
            progress.accept(n);
        }
        return predictions;
    }

    private void argmax(OnnxValue value, int rows, int[] predictions, int from, int n) throws L2cException {
        if (!(value instanceof OnnxTensor scores) || scores.getInfo().type != OnnxJavaType.FLOAT) {
            throw new L2cException(model + ": output '" + output + "' is not a float tensor");
        }
        long[] shape = scores.getInfo().getShape();
        if (shape.length != 2 || shape[0] != rows || shape[1] != classes) {
            throw new L2cException(model + ": output '" + output + "' has shape " + Arrays.toString(shape) + ", expected ["
                    + rows + ", " + classes + "]");
        }
        FloatBuffer s = scores.getFloatBuffer();
        for (int i = 0; i < n; i++) {
            int best = 0;
            float top = s.get(i * classes);
            boolean nan = Float.isNaN(top);
            for (int c = 1; c < classes; c++) {
                float v = s.get(i * classes + c);
                nan |= Float.isNaN(v);
                if (v > top) {
                    top = v;
                    best = c;
                }
            }
            if (nan) throw new L2cException(model + ": class scores of image " + (from + i) + " include NaN");
            predictions[from + i] = best;
        }
    }

    @Override
    public void close() throws L2cException {
        owner.close();
    }
}
