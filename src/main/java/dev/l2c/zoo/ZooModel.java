package dev.l2c.zoo;

import dev.l2c.model.onnx.proto.ModelProto;
import java.util.List;
import java.util.function.LongFunction;

/**
 * A network the zoo trains: its name, how to build it untrained from a seed, and its recorded
 * recipe (the defaults its committed fixture was trained with).
 *
 * @param name the name {@code l2c zoo train} takes
 * @param network the untrained ONNX graph for a seed ({@code image [N,1,28,28] -> logits [N,10]})
 * @param recipe the default training recipe
 */
public record ZooModel(String name, LongFunction<ModelProto> network, Recipe recipe) {
    /** Every name the zoo knows, the reference ResNet first. */
    public static final List<String> NAMES = List.of(FmnistResNet.NAME, FmnistMobileNet.NAME, FmnistVgg.NAME, FmnistVit.NAME);

    /** Every CNN shares one SGD recipe: peak learning rate 0.1 per 128 images, momentum 0.9, weight decay 5e-4. */
    private static final double SGD_RATE = 0.1;
    private static final double SGD_DECAY = 5e-4;

    /**
     * A model's training defaults; the batch size (128 unless told) scales the learning rate.
     *
     * @param epochs passes over the training set
     * @param optimizer the update rule
     * @param learningRatePer128 the peak learning rate for batches of 128 images
     * @param weightDecay penalty on weights of rank 2 and up
     */
    public record Recipe(int epochs, TrainSettings.Optimizer optimizer, double learningRatePer128, double weightDecay) {
        private static final double MOMENTUM = 0.9;
        private static final int SHIFT = 2;

        /**
         * The settings for {@code epochs} passes in batches of {@code batchSize}: this recipe's rate
         * scaled linearly with the batch, shifts of up to 2 pixels and flips.
         */
        public TrainSettings settings(int epochs, int batchSize, long seed, int threads) {
            return new TrainSettings(epochs, batchSize, seed, threads, optimizer,
                    learningRatePer128 * batchSize / TrainSettings.DEFAULT_BATCH, MOMENTUM, weightDecay, SHIFT, true);
        }
    }

    /** The reference ResNet with {@code blocksPerStage} residual blocks per stage. */
    public static ZooModel resnet(int blocksPerStage) {
        if (blocksPerStage < 1) throw new IllegalArgumentException("--blocks must be at least 1, got " + blocksPerStage);
        return new ZooModel(FmnistResNet.NAME, seed -> FmnistResNet.build(blocksPerStage, seed),
                new Recipe(15, TrainSettings.Optimizer.SGD, SGD_RATE, SGD_DECAY));
    }

    /** The model called {@code name} with its default shape, or an error that lists the zoo. */
    public static ZooModel named(String name) {
        return switch (name) {
            case FmnistResNet.NAME -> resnet(FmnistResNet.DEFAULT_BLOCKS);
            case FmnistMobileNet.NAME -> new ZooModel(name, FmnistMobileNet::build,
                    new Recipe(2, TrainSettings.Optimizer.SGD, SGD_RATE, SGD_DECAY));
            case FmnistVgg.NAME -> new ZooModel(name, FmnistVgg::build, new Recipe(5, TrainSettings.Optimizer.SGD, SGD_RATE, SGD_DECAY));
            // Transformers train poorly with SGD; AdamW at the usual small-ViT rate and decay.
            case FmnistVit.NAME -> new ZooModel(name, FmnistVit::build, new Recipe(1, TrainSettings.Optimizer.ADAMW, 2e-3, 0.05));
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; the zoo has: " + String.join(", ", NAMES));
        };
    }
}
