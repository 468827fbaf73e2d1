package dev.l2c.api;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.l2c.L2cException;
import dev.l2c.data.SynsetSelection;
import dev.l2c.eval.Evaluator;
import dev.l2c.eval.ModelSession;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How to judge a compressed model against its original on a real task in ONNX Runtime
 * ({@code l2c eval}), built in steps, then run with {@link #evaluate}. A {@code .l2c} file is
 * decoded in memory straight into its ONNX Runtime session ({@link OnnxRuntimeModel}) through the
 * original's graph; nothing is written to disk. An ONNX file is run as it is.
 *
 * <pre>{@code
 * RetrievalEvaluation r = (RetrievalEvaluation) Evaluation.wordNet().synsets(500)
 *         .evaluate(Path.of("model.l2c"), Path.of("model.onnx"));
 * double lost = r.originalScores().accuracyAt1() - r.scores().accuracyAt1();
 * }</pre>
 *
 * <p><b>Thread safety:</b> a mutable description, not thread-safe; it may run {@link #evaluate}
 * for one model after another.
 */
public final class Evaluation {
    private enum Task { WORDNET, FMNIST }

    private final Task task;
    private Path dataDir;
    private int synsets = SynsetSelection.DEFAULT_COUNT;
    private long seed = SynsetSelection.DEFAULT_SEED;
    private Path tokenizer;
    private int threads;
    private ComputeDevice device = ComputeDevice.CPU;
    private ProgressListener listener = ProgressListener.NONE;

    private Evaluation(Task task) {
        this.task = task;
    }

    /**
     * Sentence encoders on WordNet gloss → lemma retrieval: each gloss of the evaluation half of
     * the synsets (disjoint from the calibration half) must find its own lemma among all of them;
     * the result is a {@link RetrievalEvaluation}.
     *
     * @return an evaluation to set up further or run
     */
    public static Evaluation wordNet() {
        return new Evaluation(Task.WORDNET);
    }

    /**
     * Image classifiers ({@code [N, 1, 28, 28]} in, 10 class scores out) on the 10,000
     * Fashion-MNIST test images; the result is a {@link ClassificationEvaluation}.
     *
     * @return an evaluation to set up further or run
     */
    public static Evaluation fashionMnist() {
        return new Evaluation(Task.FMNIST);
    }

    /**
     * Where the data set lives.
     *
     * @param dir the folder (null: /usr/share/wordnet or /usr/share/datasets/fashion-mnist)
     * @return this
     */
    public Evaluation dataDir(Path dir) {
        this.dataDir = dir;
        return this;
    }

    /**
     * How many synsets the retrieval task draws (WordNet only).
     *
     * @param n at least 1 (default 500)
     * @return this
     */
    public Evaluation synsets(int n) {
        wordNetOnly("synsets");
        if (n < 1) throw new IllegalArgumentException("synsets must be at least 1, got " + n);
        this.synsets = n;
        return this;
    }

    /**
     * The seed that draws the synsets (WordNet only).
     *
     * @param seed the seed (default 0)
     * @return this
     */
    public Evaluation seed(long seed) {
        wordNetOnly("seed");
        this.seed = seed;
        return this;
    }

    /**
     * The model's tokenizer (WordNet only).
     *
     * @param tokenizerJson a tokenizer.json (null, the default: {@code <stem>-tokenizer.json} or
     *     {@code tokenizer.json} next to the original model)
     * @return this
     */
    public Evaluation tokenizer(Path tokenizerJson) {
        wordNetOnly("tokenizer");
        this.tokenizer = tokenizerJson;
        return this;
    }

    /**
     * The CPU threads of ONNX Runtime and of the decoder.
     *
     * @param threads 1 to 1024, or 0 (the default) for all cores
     * @return this
     */
    public Evaluation threads(int threads) {
        this.threads = BackendChoice.checkThreads(threads);
        return this;
    }

    /**
     * Where a {@code .l2c} file's rANS decoder runs; the models run in ONNX Runtime on the CPU.
     *
     * @param device the device (default CPU)
     * @return this
     */
    public Evaluation device(ComputeDevice device) {
        if (device == null) throw new IllegalArgumentException("device is null");
        this.device = device;
        return this;
    }

    /**
     * Who hears how the work advances (embedding or classifying, per model), and the notes.
     *
     * @param listener the listener (null: none)
     * @return this
     */
    public Evaluation listener(ProgressListener listener) {
        this.listener = listener == null ? ProgressListener.NONE : listener;
        return this;
    }

    /**
     * Runs both models on the task.
     *
     * @param model the {@code .l2c} or {@code .onnx} model to judge
     * @param originalModel the original ONNX model ({@code .l2c} files are decoded through its graph)
     * @return the figures of both: a {@link RetrievalEvaluation} or a {@link ClassificationEvaluation}
     * @throws L2cException a missing or damaged file, a model that does not fit the task, missing
     *     data; the message names the file at fault
     */
    public EvaluationResult evaluate(Path model, Path originalModel) throws L2cException {
        if (model == null || originalModel == null) throw new IllegalArgumentException("model and originalModel must not be null");
        String name = model.getFileName() == null ? "" : model.getFileName().toString().toLowerCase(Locale.ROOT);
        Evaluator.Candidate candidate;
        if (name.endsWith(".l2c")) {
            candidate = new Evaluator.Candidate(model, ortThreads -> decodeIntoSession(model, originalModel, ortThreads), true);
        } else if (name.endsWith(".onnx")) {
            candidate = Evaluator.Candidate.onnx(model);
        } else {
            throw new L2cException(model + ": expected a .l2c or an .onnx model");
        }
        Evaluator evaluator = new Evaluator(ProgressAdapter.of(listener), threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
        return switch (task) {
            case WORDNET -> new RetrievalEvaluation(evaluator.evaluate(candidate, originalModel, tokenizer, dataDir, synsets, seed));
            case FMNIST -> new ClassificationEvaluation(evaluator.evaluateImages(candidate, originalModel, dataDir));
        };
    }

    private ModelSession decodeIntoSession(Path model, Path originalModel, int ortThreads) throws L2cException {
        try (L2cFile file = L2cFile.open(model, device, threads, listener)) {
            OnnxRuntimeModel session = OnnxRuntimeModel.open(file, originalModel, OrtEnvironment.getEnvironment(),
                    options -> options.setIntraOpNumThreads(ortThreads));
            return ModelSession.of(model, session.session(), session);
        } catch (OrtException e) {
            throw new L2cException(model + ": ONNX Runtime cannot load it decoded into the graph of " + originalModel + " ("
                    + e.getMessage() + ")", e);
        }
    }

    private void wordNetOnly(String setting) {
        if (task != Task.WORDNET) throw new IllegalArgumentException(setting + " applies to the WordNet task only");
    }
}
