package dev.l2c.eval;

import dev.l2c.L2cException;
import dev.l2c.data.FashionMnist;
import dev.l2c.data.ImageSet;
import dev.l2c.data.SynsetSelection;
import dev.l2c.data.WordNet;
import dev.l2c.pipeline.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Judges a model against its original in ONNX Runtime. The model judged comes with the way its
 * session opens ({@link Candidate}): an ONNX file is read as it is, a .l2c file is decoded in
 * memory by its caller's opener. Its session is opened first, so a damaged file fails before
 * minutes of inference.
 */
public final class Evaluator {
    /**
     * The model judged.
     *
     * @param file the file evaluated (its size is the report's; errors name it)
     * @param opener opens its ONNX Runtime session
     * @param decoded whether opening it decodes it (a .l2c file), so that the report gives the time
     */
    public record Candidate(Path file, ModelSession.Opener opener, boolean decoded) {
        /** An ONNX model file, run as it is. */
        public static Candidate onnx(Path file) {
            return new Candidate(file, threads -> ModelSession.open(file, threads), false);
        }
    }

    private final Progress progress;
    private final int threads;

    /** {@code threads}: ONNX Runtime intra-op threads. */
    public Evaluator(Progress progress, int threads) {
        this.progress = progress;
        this.threads = threads;
    }

    /** The WordNet retrieval task over the evaluation half of the synsets in {@code wordnetDir}. */
    public static RetrievalTask wordNetTask(Path wordnetDir, int n, long seed) throws L2cException {
        WordNet wordnet = WordNet.load(wordnetDir);
        return new RetrievalTask(SynsetSelection.select(wordnet.synsets(), SynsetSelection.Split.EVALUATION, n, seed));
    }

    /**
     * Evaluates {@code model} against {@code original} on the WordNet retrieval task.
     *
     * @param tokenizer the tokenizer.json; null finds it next to the original
     * @param dataDir where WordNet lives; null for its default place
     */
    public EvalReport evaluate(Candidate model, Path original, Path tokenizer, Path dataDir, int n, long seed)
            throws L2cException {
        long start = System.nanoTime();
        Path tokenizerJson = tokenizer != null ? tokenizer : TextTokenizer.locateFor(original);
        long modelBytes = size(model.file());
        long originalBytes = size(original);
        RetrievalTask task = wordNetTask(dataDir != null ? dataDir : WordNet.DEFAULT_DIR, n, seed);
        // The original judged against itself: its figures are the baseline row.
        boolean same = !model.decoded() && isSameFile(model.file(), original);
        long t = System.nanoTime();
        try (SentenceEncoder evaluated = same ? null
                : SentenceEncoder.open(model.opener().open(threads), tokenizerJson, SentenceEncoder.DEFAULT_BATCH_SIZE)) {
            double decodeSeconds = model.decoded() ? (System.nanoTime() - t) / 1e9 : 0;
            RetrievalTask.Embeddings reference;
            RetrievalResult originalResult;
            try (SentenceEncoder encoder = SentenceEncoder.open(original, tokenizerJson, SentenceEncoder.DEFAULT_BATCH_SIZE, threads)) {
                t = System.nanoTime();
                reference = task.embed(encoder, progress);
                originalResult = task.score(reference, reference, (System.nanoTime() - t) / 1e9);
            }
            RetrievalResult modelResult = originalResult;
            if (!same) {
                t = System.nanoTime();
                RetrievalTask.Embeddings e = task.embed(evaluated, progress);
                modelResult = task.score(e, reference, (System.nanoTime() - t) / 1e9);
            }
            return new EvalReport(EvalData.WORDNET, task.size(), seed, model.file().toString(), modelBytes, original.toString(),
                    originalBytes, originalResult, modelResult, decodeSeconds, (System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * Top-1 accuracy of {@code model} and of {@code original} on the Fashion-MNIST test images,
     * and how often the two predict the same class. Both models' inputs are checked before any
     * image is run.
     *
     * @param dataDir where the data set lives; null for its default place
     */
    public ClassificationReport evaluateImages(Candidate model, Path original, Path dataDir) throws L2cException {
        long start = System.nanoTime();
        long modelBytes = size(model.file());
        long originalBytes = size(original);
        ImageSet test = FashionMnist.test(dataDir != null ? dataDir : FashionMnist.DEFAULT_DIR);
        long[] imageShape = {1, test.rows(), test.cols()};
        boolean same = !model.decoded() && isSameFile(model.file(), original);
        long t = System.nanoTime();
        try (ImageClassifier evaluated = same ? null
                : ImageClassifier.open(model.opener().open(threads), imageShape, ImageSet.CLASSES, ImageClassifier.DEFAULT_BATCH_SIZE)) {
            double decodeSeconds = model.decoded() ? (System.nanoTime() - t) / 1e9 : 0;
            try (ImageClassifier reference = ImageClassifier.open(original, imageShape, ImageSet.CLASSES,
                    ImageClassifier.DEFAULT_BATCH_SIZE, threads)) {
                t = System.nanoTime();
                int[] expected = classify(reference, test, "original");
                ClassificationResult originalResult = score(test, expected, expected, (System.nanoTime() - t) / 1e9);
                ClassificationResult modelResult = originalResult;
                if (!same) {
                    t = System.nanoTime();
                    int[] predicted = classify(evaluated, test, "evaluated");
                    modelResult = score(test, predicted, expected, (System.nanoTime() - t) / 1e9);
                }
                return new ClassificationReport(EvalData.FMNIST, test.count(), model.file().toString(), modelBytes,
                        original.toString(), originalBytes, originalResult, modelResult, decodeSeconds,
                        (System.nanoTime() - start) / 1e9);
            }
        }
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
}
