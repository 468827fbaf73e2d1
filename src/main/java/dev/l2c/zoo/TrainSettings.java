package dev.l2c.zoo;

/**
 * How the reference CNN is trained: SGD with Nesterov momentum, weight decay on the convolution and
 * Gemm weights only (not on BN scales or biases), the learning rate on a cosine from {@code
 * learningRate} to 0 over all steps, batches drawn from a seeded shuffle of the training set, and
 * (optionally) a random shift of up to {@code shift} pixels and a horizontal flip per image.
 *
 * @param epochs passes over the training set
 * @param batchSize images per step
 * @param seed seeds the weights, the shuffles and the augmentation
 * @param threads libtorch intra-op threads (0: all cores)
 * @param blocksPerStage residual blocks in each of the three stages
 * @param learningRate peak learning rate
 * @param momentum SGD momentum
 * @param weightDecay L2 penalty on weights of rank 2 and up
 * @param shift maximum random shift in pixels (0: none); the uncovered border is background
 * @param flip random horizontal flips
 */
public record TrainSettings(int epochs, int batchSize, long seed, int threads, int blocksPerStage, double learningRate,
        double momentum, double weightDecay, int shift, boolean flip) {
    public static final int DEFAULT_EPOCHS = 15;
    public static final int DEFAULT_BATCH = 128;
    public static final long DEFAULT_SEED = 0;

    public TrainSettings {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        if (batchSize < 2) throw new IllegalArgumentException("--batch must be at least 2 (BatchNorm needs a batch), got " + batchSize);
        if (threads < 0) throw new IllegalArgumentException("--threads must be >= 0, got " + threads);
        if (blocksPerStage < 1) throw new IllegalArgumentException("blocks per stage must be at least 1, got " + blocksPerStage);
        if (!(learningRate > 0) || !(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("learning rate " + learningRate + ", momentum " + momentum + ", weight decay "
                    + weightDecay + " out of range");
        }
        if (shift < 0 || shift > 8) throw new IllegalArgumentException("shift must be in [0, 8], got " + shift);
    }

    /**
     * The recipe of the committed fixture with the given epochs, batch, seed, threads and depth: peak
     * learning rate 0.1 per 128 images, momentum 0.9, weight decay 5e-4, shifts of up to 2 pixels
     * and flips.
     */
    public static TrainSettings reference(int epochs, int batchSize, long seed, int threads, int blocksPerStage) {
        return new TrainSettings(epochs, batchSize, seed, threads, blocksPerStage, 0.1 * batchSize / 128, 0.9, 5e-4, 2, true);
    }
}
