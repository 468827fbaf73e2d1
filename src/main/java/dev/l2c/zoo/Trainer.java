package dev.l2c.zoo;

import dev.l2c.L2cException;
import dev.l2c.data.ImageSet;
import dev.l2c.graph.BatchNormFolding;
import dev.l2c.graph.GraphBuilder;
import dev.l2c.graph.OnnxExecutor;
import dev.l2c.graph.Tensors;
import dev.l2c.graph.Torch;
import dev.l2c.io.AtomicFile;
import dev.l2c.io.TempFiles;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.onnx.proto.ModelProto;
import dev.l2c.pipeline.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.OptimizerParamGroupVector;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains a zoo network through the ONNX executor: every float initializer except the BatchNorm
 * running statistics becomes a libtorch leaf that requires grad, the executor runs the graph in
 * training mode (BN on batch statistics, running statistics updated), libtorch's SGD or AdamW
 * updates the leaves, and the trained values are written back into the ONNX model.
 */
public final class Trainer {
    /** Images per forward pass when measuring test accuracy. */
    private static final int EVAL_BATCH = 500;

    /** One epoch's figures. */
    public record Epoch(int epoch, double loss, double trainAccuracy, double testAccuracy, double learningRate, double seconds) {}

    /** The whole run: per-epoch figures, the final test accuracy (this executor) and the wall time. */
    public record Result(Path output, long bytes, List<Epoch> epochs, double testAccuracy, double seconds) {}

    private final ZooModel model;
    private final TrainSettings settings;
    private final Progress progress;
    private final Consumer<Epoch> onEpoch;

    /** Trains {@code model} by {@code settings}; {@code onEpoch} hears each finished epoch (the CLI prints a line). */
    public Trainer(ZooModel model, TrainSettings settings, Progress progress, Consumer<Epoch> onEpoch) {
        this.model = model;
        this.settings = settings;
        this.progress = progress;
        this.onEpoch = onEpoch;
    }

    /**
     * Trains a fresh network on {@code train}, reports accuracy on {@code test} after each epoch
     * (reporting only: nothing is chosen by it) and writes the model to {@code out}.
     */
    public Result train(ImageSet train, ImageSet test, Path out, boolean force) throws L2cException {
        long start = System.nanoTime();
        checkImages(train, "training");
        checkImages(test, "test");
        if (train.count() < settings.batchSize()) {
            throw new L2cException("the training set has " + train.count() + " images, fewer than one batch of " + settings.batchSize());
        }
        AtomicFile.checkTarget(out, force);
        Torch.configure(settings.threads());
        torch.manual_seed(settings.seed());
        ModelProto proto = model.network().apply(settings.seed());
        Path initial = writeTemp(proto, out);
        try {
            OnnxModel onnx = OnnxModel.read(initial);
            List<Epoch> epochs = new ArrayList<>();
            try (OnnxExecutor executor = OnnxExecutor.of(onnx)) {
                Map<String, Tensor> leaves = trainableLeaves(executor);
                try {
                    Optimizer optimizer = optimizer(leaves);
                    try {
                        long steps = (long) settings.epochs() * (train.count() / settings.batchSize());
                        long step = 0;
                        for (int e = 1; e <= settings.epochs(); e++) {
                            long t = System.nanoTime();
                            Epoch epoch = epoch(executor, optimizer, train, test, e, step, steps, t);
                            step += train.count() / settings.batchSize();
                            epochs.add(epoch);
                            onEpoch.accept(epoch);
                        }
                    } finally {
                        optimizer.close();
                    }
                    writeModel(onnx, executor, out, force);
                } finally {
                    for (Tensor leaf : leaves.values()) leaf.close();
                }
            }
            long bytes = size(out);
            return new Result(out, bytes, epochs, epochs.get(epochs.size() - 1).testAccuracy(), (System.nanoTime() - start) / 1e9);
        } finally {
            deleteQuietly(initial);
        }
    }

    /** One pass over a seeded shuffle of the training set (the last partial batch is dropped). */
    private Epoch epoch(OnnxExecutor executor, Optimizer optimizer, ImageSet train, ImageSet test, int e, long firstStep, long steps,
            long startNanos) throws L2cException {
        int batch = settings.batchSize();
        int batches = train.count() / batch;
        SplittableRandom random = new SplittableRandom(settings.seed() * 1_000_003L + e);
        int[] order = ImageSet.permutation(train.count(), random.nextLong());
        double lossSum = 0;
        long correct = 0;
        double lr = 0;
        executor.setTraining(true);
        try (Progress.Task task = progress.start("epoch " + e + "/" + settings.epochs(), batches, "batches")) {
            for (int b = 0; b < batches; b++) {
                int[] indices = Arrays.copyOfRange(order, b * batch, (b + 1) * batch);
                ImageSet images = Augment.apply(train.select(indices), settings.shift(), settings.flip(), random);
                lr = cosine(firstStep + b, steps);
                try (PointerScope scope = new PointerScope()) {
                    Tensor x = Tensors.fromFloats(images.images(), batch, 1, images.rows(), images.cols());
                    Tensor y = Tensors.fromLongs(images.labelsAsLongs(), batch);
                    Tensor logits = executor.run(Map.of(ZooGraph.INPUT, x), List.of(ZooGraph.OUTPUT)).get(ZooGraph.OUTPUT);
                    Tensor loss = torch.cross_entropy(logits, y);
                    optimizer.zero_grad();
                    loss.backward();
                    setLearningRate(optimizer, lr);
                    optimizer.step();
                    float l = loss.item_float();
                    if (!Float.isFinite(l)) {
                        throw new L2cException("training diverged: loss " + l + " at epoch " + e + ", batch " + (b + 1)
                                + " (lower the learning rate or the batch size)");
                    }
                    lossSum += l;
                    correct += logits.argmax(new LongOptional(1), false).eq(y).sum().item_long();
                }
                task.advance(1);
            }
        }
        double testAccuracy = accuracy(executor, test);
        return new Epoch(e, lossSum / batches, (double) correct / ((long) batches * batch), testAccuracy, lr,
                (System.nanoTime() - startNanos) / 1e9);
    }

    /** Top-1 accuracy with the running BN statistics and no autograd recording. */
    static double accuracy(OnnxExecutor executor, ImageSet images) throws L2cException {
        executor.setTraining(false);
        long correct = 0;
        try (PointerScope outer = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            for (int from = 0; from < images.count(); from += EVAL_BATCH) {
                int n = Math.min(EVAL_BATCH, images.count() - from);
                try (PointerScope scope = new PointerScope()) {
                    ImageSet b = images.batch(from, from + n);
                    Tensor x = Tensors.fromFloats(b.images(), n, 1, b.rows(), b.cols());
                    Tensor y = Tensors.fromLongs(b.labelsAsLongs(), n);
                    Tensor logits = executor.run(Map.of(ZooGraph.INPUT, x), List.of(ZooGraph.OUTPUT)).get(ZooGraph.OUTPUT);
                    correct += logits.argmax(new LongOptional(1), false).eq(y).sum().item_long();
                }
            }
        }
        return (double) correct / images.count();
    }

    /** The learning rate at {@code step} of {@code steps}: a half cosine from the peak to 0. */
    private double cosine(long step, long steps) {
        return settings.learningRate() * 0.5 * (1 + Math.cos(Math.PI * step / steps));
    }

    private static void setLearningRate(Optimizer optimizer, double lr) {
        OptimizerParamGroupVector groups = optimizer.param_groups();
        for (long i = 0; i < groups.size(); i++) groups.get(i).options().set_lr(lr);
    }

    /**
     * Replaces every float initializer but the BN running statistics with a leaf tensor that
     * requires grad (a copy of its initial value); returns them by name.
     */
    private static Map<String, Tensor> trainableLeaves(OnnxExecutor executor) throws L2cException {
        Set<String> running = executor.runningStatisticNames();
        Map<String, Tensor> leaves = new LinkedHashMap<>();
        try {
            for (String name : executor.floatInitializerNames()) {
                if (running.contains(name)) continue;
                float[] values;
                long[] shape;
                try (PointerScope scope = new PointerScope()) {
                    Tensor value = executor.initializer(name);
                    values = Tensors.toFloats(value);
                    shape = Tensors.shape(value);
                }
                // Made outside any scope: the leaf lives until train() closes it.
                Tensor leaf = Tensors.fromFloats(values, shape);
                leaf.requires_grad_(true);
                leaves.put(name, leaf);
                executor.setInitializer(name, leaf);
            }
        } catch (L2cException | RuntimeException e) {
            for (Tensor leaf : leaves.values()) leaf.close();
            throw e;
        }
        return leaves;
    }

    /**
     * The optimizer with two groups: weight decay on the weights of rank >= 2 (conv, Gemm, MatMul,
     * embeddings), none on normalization scales and biases.
     */
    private Optimizer optimizer(Map<String, Tensor> leaves) {
        TensorVector decayed = new TensorVector();
        TensorVector plain = new TensorVector();
        for (Tensor leaf : leaves.values()) {
            if (leaf.dim() >= 2) decayed.push_back(leaf);
            else plain.push_back(leaf);
        }
        Optimizer optimizer = switch (settings.optimizer()) {
            case SGD -> new SGD(decayed, sgdOptions(settings.weightDecay()));
            case ADAMW -> new AdamW(decayed, adamWOptions(settings.weightDecay()));
        };
        optimizer.add_param_group(new OptimizerParamGroup(plain,
                settings.optimizer() == TrainSettings.Optimizer.SGD ? sgdOptions(0) : adamWOptions(0)));
        return optimizer;
    }

    private SGDOptions sgdOptions(double weightDecay) {
        SGDOptions o = new SGDOptions(settings.learningRate());
        o.momentum().put(settings.momentum());
        o.nesterov().put(settings.momentum() > 0);
        o.weight_decay().put(weightDecay);
        return o;
    }

    private AdamWOptions adamWOptions(double weightDecay) {
        AdamWOptions o = new AdamWOptions(settings.learningRate());
        o.weight_decay().put(weightDecay);
        return o;
    }

    /**
     * The model with every float initializer replaced by its trained value, written in its
     * deployment form: each BatchNormalization folded into the convolution before it
     * ({@link BatchNormFolding}), so the file holds no per-channel vectors beside the weights.
     */
    private static void writeModel(OnnxModel model, OnnxExecutor executor, Path out, boolean force) throws L2cException {
        Map<String, dev.l2c.model.Tensor> trained = new LinkedHashMap<>();
        for (String name : executor.floatInitializerNames()) {
            try (PointerScope scope = new PointerScope()) {
                Tensor value = executor.initializer(name);
                trained.put(name, dev.l2c.model.Tensor.ofFloats(name, Tensors.shape(value), Tensors.toFloats(value)));
            }
        }
        Path unfolded = writeTemp(model.proto(), out);
        try {
            model.write(unfolded, trained, true);
            GraphBuilder.write(BatchNormFolding.fold(OnnxModel.read(unfolded)).model(), out, force);
        } finally {
            try {
                TempFiles.delete(unfolded);
            } catch (IOException e) {
                // A stray temporary file beside the output is not worth failing a finished training for.
            }
        }
    }

    private static void checkImages(ImageSet images, String what) throws L2cException {
        if (images.rows() != 28 || images.cols() != 28) {
            throw new L2cException("the " + what + " images are " + images.rows() + "x" + images.cols()
                    + "; the Fashion-MNIST network takes 28x28");
        }
        if (images.count() == 0) throw new L2cException("the " + what + " set is empty");
    }

    private static Path writeTemp(ModelProto proto, Path out) throws L2cException {
        try {
            Path dir = out.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            // Tracked, so an interrupted training leaves no temporary model behind.
            Path tmp = TempFiles.createEmpty(dir, "." + out.getFileName() + ".init.", ".onnx");
            return GraphBuilder.write(proto, tmp);
        } catch (IOException e) {
            throw new L2cException(out + ": cannot create a temporary model beside it (" + e.getMessage() + ")", e);
        }
    }

    private static long size(Path p) throws L2cException {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new L2cException(p + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            TempFiles.delete(p);
        } catch (IOException ignored) {
            // A leftover temporary file must not hide the training's own result or error.
        }
    }
}
