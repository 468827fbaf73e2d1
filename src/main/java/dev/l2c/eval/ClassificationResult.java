package dev.l2c.eval;

/**
 * Figures of one model on an image classification test set.
 *
 * @param n images classified
 * @param correct images whose predicted class is the label
 * @param accuracy top-1 accuracy, {@code correct / n}
 * @param agreement fraction of images on which the prediction equals the original model's (1 for
 *     the original itself)
 * @param seconds wall time of the classification
 */
public record ClassificationResult(int n, int correct, double accuracy, double agreement, double seconds) {}
