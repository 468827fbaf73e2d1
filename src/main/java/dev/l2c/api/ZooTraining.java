package dev.l2c.api;

import dev.l2c.L2cException;
import dev.l2c.data.FashionMnist;
import dev.l2c.data.ImageSet;
import dev.l2c.zoo.FmnistResNet;
import dev.l2c.zoo.TrainSettings;
import dev.l2c.zoo.Trainer;
import dev.l2c.zoo.ZooModel;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * How to train one of l2c's reference models on Fashion-MNIST ({@code l2c zoo train}), built in
 * steps, then run with {@link #train}: the network is built from a seed, trained through the ONNX
 * executor (libtorch) and written as an ONNX model with its test accuracy. These are the models
 * the committed zoo fixtures come from, with the same recipes.
 *
 * <pre>{@code
 * ZooTraining.Result r = ZooTraining.of("fmnist-vgg").epochs(1).train(Path.of("vgg.onnx"));
 * }</pre>
 *
 * <p><b>Thread safety:</b> a mutable description, not thread-safe; it may run {@link #train} for
 * one output after another.
 */
public final class ZooTraining {
    /**
     * One pass over the training images.
     *
     * @param epoch which pass, from 1
     * @param epochs the passes in all
     * @param loss the mean training loss
     * @param trainAccuracy top-1 on the (augmented) training images seen
     * @param testAccuracy top-1 on the 10,000 test images
     * @param learningRate the learning rate at its end
     * @param seconds its wall time
     */
    public record Epoch(int epoch, int epochs, double loss, double trainAccuracy, double testAccuracy, double learningRate,
            double seconds) {
    }

    /**
     * The trained model.
     *
     * @param output the ONNX file written
     * @param bytes its size
     * @param testAccuracy its top-1 on the 10,000 test images
     * @param seconds wall time of the training
     */
    public record Result(Path output, long bytes, double testAccuracy, double seconds) {
    }

    private final String name;
    private Integer epochs;
    private int batch = TrainSettings.DEFAULT_BATCH;
    private long seed = TrainSettings.DEFAULT_SEED;
    private Integer blocks;
    private int threads;
    private Path dataDir;
    private ProgressListener listener = ProgressListener.NONE;
    private Consumer<Epoch> onEpoch = e -> {};
    private boolean force;

    private ZooTraining(String name) {
        this.name = name;
    }

    /**
     * The names {@link #of} takes.
     *
     * @return fmnist-resnet, fmnist-mobilenet, fmnist-vgg and fmnist-vit
     */
    public static List<String> models() {
        return ZooModel.NAMES;
    }

    /**
     * Training of the model named {@code model}.
     *
     * @param model one of {@link #models()}
     * @return a training to set up further or run
     */
    public static ZooTraining of(String model) {
        ZooModel.named(model); // an IllegalArgumentException that lists the names
        return new ZooTraining(model);
    }

    /**
     * Passes over the 60,000 training images.
     *
     * @param epochs at least 1 (default: the model's recipe: resnet 15, mobilenet 2, vgg 5, vit 1)
     * @return this
     */
    public ZooTraining epochs(int epochs) {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        this.epochs = epochs;
        return this;
    }

    /**
     * Images per optimizer step; the learning rate scales with it.
     *
     * @param batch at least 2, since BatchNorm needs a batch (default 128)
     * @return this
     */
    public ZooTraining batch(int batch) {
        if (batch < 2) throw new IllegalArgumentException("batch must be at least 2 (BatchNorm needs a batch), got " + batch);
        this.batch = batch;
        return this;
    }

    /**
     * Seeds the weights, the shuffles and the augmentation.
     *
     * @param seed the seed (default 0)
     * @return this
     */
    public ZooTraining seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * Residual blocks per stage (fmnist-resnet only).
     *
     * @param blocks at least 1 (default 2)
     * @return this
     */
    public ZooTraining resnetBlocks(int blocks) {
        if (!FmnistResNet.NAME.equals(name)) {
            throw new IllegalArgumentException("blocks apply to " + FmnistResNet.NAME + " only, not to " + name);
        }
        ZooModel.resnet(blocks); // checks the count
        this.blocks = blocks;
        return this;
    }

    /**
     * libtorch's CPU threads.
     *
     * @param threads 1 to 1024, or 0 (the default) for all cores
     * @return this
     */
    public ZooTraining threads(int threads) {
        this.threads = BackendChoice.checkThreads(threads);
        return this;
    }

    /**
     * Where Fashion-MNIST lives.
     *
     * @param dir the folder (null: /usr/share/datasets/fashion-mnist)
     * @return this
     */
    public ZooTraining dataDir(Path dir) {
        this.dataDir = dir;
        return this;
    }

    /**
     * Who hears how each epoch advances ("train" in batches, "test" in images).
     *
     * @param listener the listener (null: none)
     * @return this
     */
    public ZooTraining listener(ProgressListener listener) {
        this.listener = listener == null ? ProgressListener.NONE : listener;
        return this;
    }

    /**
     * Who hears each epoch's figures as it ends.
     *
     * @param onEpoch the receiver (null: none)
     * @return this
     */
    public ZooTraining onEpoch(Consumer<Epoch> onEpoch) {
        this.onEpoch = onEpoch == null ? e -> {} : onEpoch;
        return this;
    }

    /**
     * Whether to replace an existing output (else an existing output is an error).
     *
     * @param force whether to
     * @return this
     */
    public ZooTraining force(boolean force) {
        this.force = force;
        return this;
    }

    /**
     * The data files training reads, so that a caller can keep the output off them.
     *
     * @return the Fashion-MNIST files under {@link #dataDir}
     */
    public List<Path> dataFiles() {
        return FashionMnist.files(dir());
    }

    /**
     * Trains the model and writes it.
     *
     * @param output the ONNX file to write (it appears only when complete)
     * @return the trained model's file and test accuracy
     * @throws dev.l2c.OutputExistsException the output exists and {@link #force} is not set
     * @throws L2cException the data is missing or damaged, or training failed (a loss that is no
     *     longer finite, a libtorch error); the message says which
     */
    public Result train(Path output) throws L2cException {
        if (output == null) throw new IllegalArgumentException("output is null");
        ZooModel model = blocks != null ? ZooModel.resnet(blocks) : ZooModel.named(name);
        int passes = epochs != null ? epochs : model.recipe().epochs();
        TrainSettings settings = model.recipe().settings(passes, batch, seed, threads);
        ImageSet train = FashionMnist.train(dir());
        ImageSet test = FashionMnist.test(dir());
        Trainer trainer = new Trainer(model, settings, ProgressAdapter.of(listener), e -> onEpoch.accept(
                new Epoch(e.epoch(), passes, e.loss(), e.trainAccuracy(), e.testAccuracy(), e.learningRate(), e.seconds())));
        Trainer.Result r = trainer.train(train, test, output, force);
        return new Result(r.output(), r.bytes(), r.testAccuracy(), r.seconds());
    }

    private Path dir() {
        return dataDir != null ? dataDir : FashionMnist.DEFAULT_DIR;
    }
}
