package dev.l2c.api;

import dev.l2c.L2cException;
import dev.l2c.calib.CalibrationSource;
import dev.l2c.calib.NetworkCalibrationSettings;
import java.nio.file.Path;

/**
 * Calibration through the network on real data, for {@link Compression#calibration}: the learned
 * transform (method {@link Compression.Method#L2}) optimized against the network's outputs
 * ({@link Objective#KD}) or its layers' input statistics ({@link Objective#LAYERWISE}), or GPTQ's
 * rounding (method {@link Compression.Method#GPTQ}) from those statistics (docs/DESIGN.md,
 * "Objective and ratio control"). The model must be ONNX and its inputs must fit the data set.
 * Every setting left unset takes the data set's default ({@code l2c compress --help} lists them;
 * text gets its own, measured on all-MiniLM-L6-v2).
 *
 * <pre>{@code
 * Compression.ratio(10).calibration(Calibration.on(Calibration.DataSet.WORDNET).samples(256))
 * }</pre>
 *
 * <p><b>Thread safety:</b> a mutable description, not thread-safe; {@link Compression} reads it
 * when it compresses.
 */
public final class Calibration {
    /** The calibration data sets l2c knows (each drawn from its calibration split only). */
    public enum DataSet {
        /** Fashion-MNIST training images (28x28 grey), labelled: for image classifiers. */
        FMNIST("fmnist"),
        /** WordNet glosses and lemma names of the calibration half of the synsets: for text encoders. */
        WORDNET("wordnet");

        private final String label;

        DataSet(String label) {
            this.label = label;
        }
    }

    /** What the learned transform is optimized against. */
    public enum Objective {
        /**
         * Knowledge distillation: the compressed network's outputs (and some features) against the
         * original's, alternated with weight reconstruction in rounds.
         */
        KD,
        /** Each layer's output error from its inputs' statistics (one pass over the data). */
        LAYERWISE
    }

    private final DataSet data;
    private Path dataDir;
    private Path tokenizer;
    private Objective objective;
    private Integer samples;
    private Integer batch;
    private Integer kdSteps;
    private Integer reconSteps;
    private Integer rounds;
    private Double kdLearningRate;
    private Double reconLearningRate;

    private Calibration(DataSet data) {
        this.data = data;
    }

    /**
     * Calibration on a data set, with the KD objective.
     *
     * @param data the data set
     * @return a calibration to set up further
     */
    public static Calibration on(DataSet data) {
        if (data == null) throw new IllegalArgumentException("a calibration data set is required");
        return new Calibration(data);
    }

    /**
     * Where the data set's files are.
     *
     * @param dir its folder (null: the folder the project's scripts install it in)
     * @return this
     */
    public Calibration dataDir(Path dir) {
        this.dataDir = dir;
        return this;
    }

    /**
     * The tokenizer of a text model ({@link DataSet#WORDNET} only).
     *
     * @param tokenizer the model's {@code tokenizer.json} (null: {@code <stem>-tokenizer.json} or
     *     {@code tokenizer.json} next to the model)
     * @return this
     */
    public Calibration tokenizer(Path tokenizer) {
        if (tokenizer != null && data != DataSet.WORDNET) throw new IllegalArgumentException("a tokenizer needs the WORDNET data set");
        this.tokenizer = tokenizer;
        return this;
    }

    /**
     * The objective of the L2 method (not for GPTQ, whose rounding has one).
     *
     * @param objective KD (the default) or LAYERWISE
     * @return this
     */
    public Calibration objective(Objective objective) {
        if (objective == null) throw new IllegalArgumentException("objective is null");
        this.objective = objective;
        return this;
    }

    /**
     * How many samples are drawn from the data set (seeded by {@link Compression#seed}).
     *
     * @param samples 1 to 10,000,000
     * @return this
     */
    public Calibration samples(int samples) {
        this.samples = checked("samples", samples, 1, 10_000_000);
        return this;
    }

    /**
     * The minibatch size of the KD and reconstruction steps (L2 only).
     *
     * @param batch 1 to 65536
     * @return this
     */
    public Calibration batch(int batch) {
        this.batch = checked("batch", batch, 1, 1 << 16);
        return this;
    }

    /**
     * The transform-phase Adam steps per round (KD only).
     *
     * @param steps 0 to 1,000,000
     * @return this
     */
    public Calibration kdSteps(int steps) {
        this.kdSteps = checked("kdSteps", steps, 0, 1_000_000);
        return this;
    }

    /**
     * The weight-reconstruction Adam steps per round (KD only).
     *
     * @param steps 0 to 1,000,000
     * @return this
     */
    public Calibration reconSteps(int steps) {
        this.reconSteps = checked("reconSteps", steps, 0, 1_000_000);
        return this;
    }

    /**
     * The transform + reconstruction rounds (KD only).
     *
     * @param rounds 1 to 1000
     * @return this
     */
    public Calibration rounds(int rounds) {
        this.rounds = checked("rounds", rounds, 1, 1000);
        return this;
    }

    /**
     * The transform phase's Adam rate on the log-parameters (KD only).
     *
     * @param rate in (0, 10]
     * @return this
     */
    public Calibration kdLearningRate(double rate) {
        this.kdLearningRate = checkedRate("kdLearningRate", rate);
        return this;
    }

    /**
     * The reconstruction's Adam rate, in quantization steps (KD only).
     *
     * @param rate in (0, 10]
     * @return this
     */
    public Calibration reconLearningRate(double rate) {
        this.reconLearningRate = checkedRate("reconLearningRate", rate);
        return this;
    }

    private static int checked(String name, int value, int min, int max) {
        if (value < min || value > max) throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        return value;
    }

    private static double checkedRate(String name, double rate) {
        if (!(rate > 0 && rate <= 10)) throw new IllegalArgumentException(name + " must be in (0, 10], got " + rate);
        return rate;
    }

    /**
     * The pipeline's settings for the L2 method, or for GPTQ's statistics ({@code gptq}): one pass
     * over the data, so the training settings would be ignored and are refused instead.
     */
    NetworkCalibrationSettings settings(boolean gptq) throws L2cException {
        if (gptq) {
            if (objective != null || batch != null || trainsKd()) {
                throw new IllegalArgumentException("the GPTQ method takes only the data set, its folder, tokenizer and samples "
                        + "from its calibration (objective, batch and the KD settings apply to the L2 method)");
            }
        } else if (objective == Objective.LAYERWISE && trainsKd()) {
            throw new IllegalArgumentException("kdSteps, reconSteps, rounds and the learning rates need the KD objective");
        }
        NetworkCalibrationSettings.Kind kind = gptq || objective == Objective.LAYERWISE ? NetworkCalibrationSettings.Kind.LAYERWISE
                : NetworkCalibrationSettings.Kind.KD;
        NetworkCalibrationSettings d = NetworkCalibrationSettings.defaults(CalibrationSource.named(data.label, dataDir, tokenizer), kind);
        return new NetworkCalibrationSettings(d.source(), kind, or(samples, d.calibSize()), or(batch, d.batch()), or(kdSteps, d.kdSteps()),
                or(reconSteps, d.reconSteps()), or(rounds, d.rounds()), kdLearningRate != null ? kdLearningRate : d.kdLearningRate(),
                reconLearningRate != null ? reconLearningRate : d.reconLearningRate(), d.features());
    }

    private boolean trainsKd() {
        return kdSteps != null || reconSteps != null || rounds != null || kdLearningRate != null || reconLearningRate != null;
    }

    private static int or(Integer value, int fallback) {
        return value != null ? value : fallback;
    }
}
