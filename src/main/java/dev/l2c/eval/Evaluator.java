package dev.l2c.eval;

import dev.l2c.L2cException;
import dev.l2c.io.TempFiles;
import dev.l2c.backend.Backend;
import dev.l2c.data.FashionMnist;
import dev.l2c.data.ImageSet;
import dev.l2c.data.SynsetSelection;
import dev.l2c.data.WordNet;
import dev.l2c.pipeline.DecompressOptions;
import dev.l2c.pipeline.Decompressor;
import dev.l2c.pipeline.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Judges a model against its original in ONNX Runtime: a .l2c file is decoded to a temporary ONNX
 * model (deleted afterwards) through the original graph; an .onnx file is run as it is.
 */
public final class Evaluator {
    private final Backend backend;
    private final Progress progress;
    private final int threads;

    /** {@code threads}: ONNX Runtime intra-op threads. */
    public Evaluator(Backend backend, Progress progress, int threads) {
        this.backend = backend;
        this.progress = progress;
        this.threads = threads;
    }

    /** The WordNet retrieval task over the evaluation half of the synsets in {@code wordnetDir}. */
    public static RetrievalTask wordNetTask(Path wordnetDir, int n, long seed) throws L2cException {
        WordNet wordnet = WordNet.load(wordnetDir);
        return new RetrievalTask(SynsetSelection.select(wordnet.synsets(), SynsetSelection.Split.EVALUATION, n, seed));
    }

    /**
     * Evaluates {@code model} (.l2c or .onnx) against {@code original} on {@code data}.
     *
     * @param tokenizer the tokenizer.json; null finds it next to the original
     * @param dataDir where the data set lives; null for its default place
     */
    public EvalReport evaluate(Path model, Path original, Path tokenizer, EvalData data, Path dataDir, int n, long seed)
            throws L2cException {
        long start = System.nanoTime();
        if (data != EvalData.WORDNET) {
            throw new L2cException("--data " + data.name().toLowerCase(Locale.ROOT) + " is an image set; it takes no tokenizer");
        }
        boolean compressed = isL2c(model);
        if (!compressed && !model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            throw new L2cException(model + ": expected a .l2c or an .onnx model");
        }
        Path tokenizerJson = tokenizer != null ? tokenizer : TextTokenizer.locateFor(original);
        long modelBytes = size(model);
        long originalBytes = size(original);
        RetrievalTask task = wordNetTask(dataDir != null ? dataDir : WordNet.DEFAULT_DIR, n, seed);

        // A .l2c file is decoded first, so a damaged file fails before minutes of embedding.
        Path tempDir = compressed ? createTempDir(model) : null;
        try {
            Path onnx = model;
            double decompressSeconds = 0;
            if (compressed) {
                onnx = tempDir.resolve("decoded.onnx");
                decompressSeconds = new Decompressor(backend, progress)
                        .decompress(model, onnx, new DecompressOptions(null, original, true)).seconds();
            }
            RetrievalTask.Embeddings reference;
            RetrievalResult originalResult;
            try (SentenceEncoder encoder = open(original, tokenizerJson)) {
                long t = System.nanoTime();
                reference = task.embed(encoder, progress);
                originalResult = task.score(reference, reference, (System.nanoTime() - t) / 1e9);
            }
            // The original judged against itself: its figures are the baseline row.
            RetrievalResult modelResult = !compressed && isSameFile(model, original)
                    ? originalResult
                    : run(task, onnx, tokenizerJson, reference);
            return new EvalReport(data, task.size(), seed, model.toString(), modelBytes, original.toString(), originalBytes,
                    originalResult, modelResult, decompressSeconds, (System.nanoTime() - start) / 1e9);
        } finally {
            if (tempDir != null) deleteTree(tempDir);
        }
    }

    /**
     * Top-1 accuracy of {@code model} (.l2c or .onnx) and of {@code original} on the test images
     * of {@code data}, and how often the two predict the same class. Both models' inputs are
     * checked before any image is run.
     *
     * @param dataDir where the data set lives; null for its default place
     */
    public ClassificationReport evaluateImages(Path model, Path original, EvalData data, Path dataDir) throws L2cException {
        long start = System.nanoTime();
        if (data != EvalData.FMNIST) {
            throw new L2cException("--data " + data.name().toLowerCase(Locale.ROOT) + " is not an image classification set");
        }
        boolean compressed = isL2c(model);
        if (!compressed && !model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            throw new L2cException(model + ": expected a .l2c or an .onnx model");
        }
        long modelBytes = size(model);
        long originalBytes = size(original);
        ImageSet test = FashionMnist.test(dataDir != null ? dataDir : FashionMnist.DEFAULT_DIR);
        long[] imageShape = {1, test.rows(), test.cols()};

        Path tempDir = compressed ? createTempDir(model) : null;
        try {
            Path onnx = model;
            double decompressSeconds = 0;
            if (compressed) {
                onnx = tempDir.resolve("decoded.onnx");
                decompressSeconds = new Decompressor(backend, progress)
                        .decompress(model, onnx, new DecompressOptions(null, original, true)).seconds();
            }
            boolean same = !compressed && isSameFile(model, original);
            try (ImageClassifier reference = openClassifier(original, imageShape);
                    ImageClassifier evaluated = same ? null : openClassifier(onnx, imageShape)) {
                long t = System.nanoTime();
                int[] expected = classify(reference, test, "original");
                ClassificationResult originalResult = score(test, expected, expected, (System.nanoTime() - t) / 1e9);
                ClassificationResult modelResult = originalResult;
                if (!same) {
                    t = System.nanoTime();
                    int[] predicted = classify(evaluated, test, "evaluated");
                    modelResult = score(test, predicted, expected, (System.nanoTime() - t) / 1e9);
                }
                return new ClassificationReport(data, test.count(), model.toString(), modelBytes, original.toString(),
                        originalBytes, originalResult, modelResult, decompressSeconds, (System.nanoTime() - start) / 1e9);
            }
        } finally {
            if (tempDir != null) deleteTree(tempDir);
        }
    }

    private ImageClassifier openClassifier(Path onnx, long[] imageShape) throws L2cException {
        return ImageClassifier.open(onnx, imageShape, ImageSet.CLASSES, ImageClassifier.DEFAULT_BATCH_SIZE, threads);
    }

    private int[] classify(ImageClassifier classifier, ImageSet images, String name) throws L2cException {
        try (Progress.Task task = progress.start("classify " + name, images.count(), "images")) {
            return classifier.predict(images, task::advance);
        }
    }

    /** Accuracy of {@code predicted} against the labels, and its agreement with {@code reference}. */
    static ClassificationResult score(ImageSet images, int[] predicted, int[] reference, double seconds) {
        int correct = 0;
        int agree = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i] == images.labels()[i]) correct++;
            if (predicted[i] == reference[i]) agree++;
        }
        int n = predicted.length;
        return new ClassificationResult(n, correct, (double) correct / n, (double) agree / n, seconds);
    }

    private RetrievalResult run(RetrievalTask task, Path onnx, Path tokenizerJson, RetrievalTask.Embeddings reference)
            throws L2cException {
        try (SentenceEncoder encoder = open(onnx, tokenizerJson)) {
            long t = System.nanoTime();
            RetrievalTask.Embeddings e = task.embed(encoder, progress);
            return task.score(e, reference, (System.nanoTime() - t) / 1e9);
        }
    }

    private SentenceEncoder open(Path onnx, Path tokenizerJson) throws L2cException {
        return SentenceEncoder.open(onnx, tokenizerJson, SentenceEncoder.DEFAULT_BATCH_SIZE, threads);
    }

    private static boolean isL2c(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".l2c");
    }

    private static long size(Path p) throws L2cException {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new L2cException(p + ": cannot read the file (" + e.getMessage() + ")", e);
        }
    }

    private static boolean isSameFile(Path a, Path b) throws L2cException {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            throw new L2cException(b + ": " + e.getMessage(), e);
        }
    }

    private static Path createTempDir(Path model) throws L2cException {
        try {
            // The process id in the name tells concurrent l2c runs' folders apart.
            return TempFiles.createDirectory("l2c-eval-" + ProcessHandle.current().pid() + "-");
        } catch (IOException e) {
            throw new L2cException(model + ": cannot create a temporary folder to decode it into (" + e.getMessage() + ")", e);
        }
    }

    /** Removes the temporary folder and whatever the decoder left in it. */
    private static void deleteTree(Path dir) {
        try {
            TempFiles.delete(dir);
        } catch (IOException ignored) {
            // A leftover temporary file must not hide the evaluation's own result or error.
        }
    }
}
