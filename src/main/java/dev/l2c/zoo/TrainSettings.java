package dev.l2c.zoo;

/**
 * How a zoo model is trained: SGD with Nesterov momentum or AdamW, weight decay on the weights of
 * rank 2 and up only (not on BN or LayerNorm scales, not on biases), the learning rate on a cosine
 * from {@code learningRate} to 0 over all steps, batches drawn from a seeded shuffle of the
 * training set, and (optionally) a random shift of up to {@code shift} pixels and a horizontal
 * flip per image.
 *
 * @param epochs passes over the training set
 * @param batchSize images per step
 * @param seed seeds the weights, the shuffles and the augmentation
 * @param threads libtorch intra-op threads (0: all cores)
 * @param optimizer the update rule
 * @param learningRate peak learning rate
 * @param momentum SGD momentum (AdamW: torch's betas 0.9, 0.999 instead)
 * @param weightDecay penalty on weights of rank 2 and up (AdamW: decoupled)
 * @param shift maximum random shift in pixels (0: none); the uncovered border is background
 * @param flip random horizontal flips
 */
public record TrainSettings(int epochs, int batchSize, long seed, int threads, Optimizer optimizer, double learningRate,
        double momentum, double weightDecay, int shift, boolean flip) {
    public static final int DEFAULT_BATCH = 128;
    public static final long DEFAULT_SEED = 0;

    /** The update rule. */
    public enum Optimizer {
        /** SGD with Nesterov momentum (plain SGD at momentum 0). */
        SGD,
        /** Adam with decoupled weight decay, the usual choice for transformers. */
        ADAMW
    }

    public TrainSettings {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        if (batchSize < 2) throw new IllegalArgumentException("--batch must be at least 2 (BatchNorm needs a batch), got " + batchSize);
        if (threads < 0) throw new IllegalArgumentException("--threads must be >= 0, got " + threads);
        if (optimizer == null) throw new IllegalArgumentException("no optimizer");
        if (!(learningRate > 0) || !(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("learning rate " + learningRate + ", momentum " + momentum + ", weight decay "
                    + weightDecay + " out of range");
        }
        if (shift < 0 || shift > 8) throw new IllegalArgumentException("shift must be in [0, 8], got " + shift);
    }
}
