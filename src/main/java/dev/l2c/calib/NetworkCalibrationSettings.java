package dev.l2c.calib;

/**
 * Network-aware calibration (docs/DESIGN.md, "Objective and ratio control"): which objective, on
 * which data, how long. The paper calibrates with 1000 images in batches of 16: three rounds of
 * ~300 Adam steps on the transform (lr 1e-4) then ~1000 steps reconstructing the weights
 * (lr 5e-6).
 * The defaults keep the data, batch and three rounds and scale the steps to a 2-core CPU:
 * {@value #DEFAULT_KD_STEPS} transform steps and {@value #DEFAULT_RECON_STEPS} reconstruction
 * steps per round. The transform phase starts from the data-free solution, already near the
 * target rate, so it only fine-tunes: its Adam moves the log-parameters by about
 * {@value #DEFAULT_KD_LR} per step (the data-free run uses 0.1 from a cold start). The
 * reconstruction's learning rate is in quantization steps ({@link Reconstruction}): each weight
 * moves by at most about {@value #DEFAULT_RECON_LR} of its step per Adam step, so a round can
 * move a weight across a rounding boundary but not far from where the transform put it.
 *
 * <p>Text encoders calibrated on sentences ({@link CalibrationSource#text()}) get their own
 * defaults, measured on all-MiniLM-L6-v2 at 10x (WordNet retrieval, mean cosine to fp32 over 2000
 * held-out glosses; data-free 0.954): one round of {@value #TEXT_KD_STEPS} transform steps at a
 * rate of {@value #TEXT_KD_LR} on {@value #TEXT_CALIB_SIZE} sentences, then
 * {@value #TEXT_RECON_STEPS} reconstruction steps at {@value #TEXT_RECON_LR}. The transform phase
 * gains with the distance its Adam steps travel, up to a point: 40 steps at 0.02 gave 0.965, at
 * 0.05 0.971, at 0.1 0.977, at 0.2 0.978, at 0.4 0.974; 100 steps at 0.1 0.979, 150 0.979. The
 * reconstruction has no labels there and moves 22 M weights on a few thousand tokens: at the
 * images' rate (0.02) 40 steps took the cosine from 0.965 to 0.948, at 0.005 from 0.979 to 0.984.
 * The whole run takes about three minutes, which keeps the demo under five on 2 cores.
 *
 * @param source the calibration data
 * @param objective KD (transform phase + reconstruction, alternated) or layer-wise
 * @param calibSize calibration samples drawn from the source (seeded)
 * @param batch minibatch size of the KD and reconstruction steps
 * @param kdSteps transform-phase Adam steps per round (KD)
 * @param reconSteps reconstruction Adam steps per round (KD)
 * @param rounds transform + reconstruction rounds (KD)
 * @param kdLearningRate transform-phase Adam rate on the log-parameters
 * @param reconLearningRate reconstruction Adam rate, in quantization steps
 * @param features intermediate features distilled besides the outputs
 */
public record NetworkCalibrationSettings(CalibrationSource source, Kind objective, int calibSize, int batch, int kdSteps,
        int reconSteps, int rounds, double kdLearningRate, double reconLearningRate, int features) {
    public static final int DEFAULT_CALIB_SIZE = 1000;
    public static final int DEFAULT_BATCH = 16;
    public static final int DEFAULT_KD_STEPS = 100;
    public static final int DEFAULT_RECON_STEPS = 200;
    public static final int DEFAULT_ROUNDS = 3;
    public static final double DEFAULT_KD_LR = 0.02;
    public static final double DEFAULT_RECON_LR = 0.02;
    public static final int DEFAULT_FEATURES = 3;
    public static final int TEXT_CALIB_SIZE = 512;
    public static final int TEXT_KD_STEPS = 100;
    public static final double TEXT_KD_LR = 0.1;
    public static final int TEXT_RECON_STEPS = 40;
    public static final double TEXT_RECON_LR = 0.005;
    public static final int TEXT_ROUNDS = 1;

    /** The network-aware objectives. */
    public enum Kind {
        KD("kd"),
        LAYERWISE("layerwise");

        public final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    public NetworkCalibrationSettings {
        if (source == null || objective == null) throw new IllegalArgumentException("source and objective are required");
        if (calibSize < 1) throw new IllegalArgumentException("calibration size must be >= 1, got " + calibSize);
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        if (kdSteps < 0 || reconSteps < 0) throw new IllegalArgumentException("steps must be >= 0");
        if (rounds < 0) throw new IllegalArgumentException("rounds must be >= 0, got " + rounds);
        if (!(kdLearningRate > 0) || !(reconLearningRate > 0)) throw new IllegalArgumentException("learning rates must be > 0");
        if (features < 0) throw new IllegalArgumentException("features must be >= 0, got " + features);
    }

    /** The defaults above for {@code objective} on {@code source}. */
    public static NetworkCalibrationSettings defaults(CalibrationSource source, Kind objective) {
        if (source.text()) {
            return new NetworkCalibrationSettings(source, objective, TEXT_CALIB_SIZE, DEFAULT_BATCH, TEXT_KD_STEPS,
                    TEXT_RECON_STEPS, TEXT_ROUNDS, TEXT_KD_LR, TEXT_RECON_LR, DEFAULT_FEATURES);
        }
        return new NetworkCalibrationSettings(source, objective, DEFAULT_CALIB_SIZE, DEFAULT_BATCH, DEFAULT_KD_STEPS,
                DEFAULT_RECON_STEPS, DEFAULT_ROUNDS, DEFAULT_KD_LR, DEFAULT_RECON_LR, DEFAULT_FEATURES);
    }
}
