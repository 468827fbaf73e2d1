package dev.l2c.cli;

import dev.l2c.L2cException;
import dev.l2c.api.ZooTraining;
import dev.l2c.pipeline.Progress;
import dev.l2c.report.ReportText;
import dev.l2c.zoo.FmnistResNet;
import dev.l2c.zoo.TrainSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "zoo", mixinStandardHelpOptions = true, description = "Reference models l2c builds and trains itself.",
        subcommands = {ZooCommand.Train.class, CommandLine.HelpCommand.class})
final class ZooCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a zoo command is required (train)");
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train a reference model through the ONNX executor (libtorch) and write it as ONNX.")
    static final class Train implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL", description = "the model to train: fmnist-resnet, fmnist-mobilenet, "
                + "fmnist-vgg or fmnist-vit")
        String name;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "PATH.onnx", description = "where to write the trained model")
        Path output;

        @Option(names = "--epochs", paramLabel = "N",
                description = "passes over the 60,000 training images (default: the model's recipe: resnet 15, mobilenet 2, "
                        + "vgg 5, vit 1)")
        Integer epochs;

        @Option(names = "--batch", paramLabel = "B", defaultValue = "" + TrainSettings.DEFAULT_BATCH,
                description = "images per optimizer step; the learning rate scales with it (default: ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "" + TrainSettings.DEFAULT_SEED,
                description = "seeds the weights, shuffles and augmentation (default: ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--blocks", paramLabel = "N",
                description = "fmnist-resnet only: residual blocks per stage (default: " + FmnistResNet.DEFAULT_BLOCKS + ")")
        Integer blocks;

        Integer threads;

        @Option(names = "--threads", paramLabel = "N", description = "libtorch threads, 1.." + dev.l2c.backend.CpuBackend.MAX_THREADS
                + " (default: all cores)")
        void threads(int n) {
            threads = CommonOptions.checkThreads(spec.commandLine(), n);
        }

        @Option(names = "--data-dir", paramLabel = "DIR", description = "Fashion-MNIST folder (default: /usr/share/datasets/fashion-mnist)")
        Path dataDir;

        @Option(names = "--force", description = "overwrite an existing output")
        boolean force;

        @Option(names = "--no-progress", description = "no progress bars")
        boolean noProgress;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws L2cException {
            ZooTraining training;
            try {
                training = ZooTraining.of(name);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            if (epochs != null) set("--epochs", () -> training.epochs(epochs));
            if (blocks != null) set("--blocks", () -> training.resnetBlocks(blocks));
            set("--batch", () -> training.batch(batch));
            training.seed(seed).threads(threads == null ? 0 : threads).dataDir(dataDir).force(force)
                    .listener(noProgress ? null : new ConsoleListener(Progress.console(), spec.commandLine().getErr()));
            PathChecks.notEmpty(spec.commandLine(), "-o", output);
            PathChecks.notAnInput(output, "-o", training.dataFiles().toArray(Path[]::new));
            PrintWriter out = spec.commandLine().getOut();
            training.onEpoch(e -> {
                out.printf("epoch %d/%d: loss %.4f, train %.2f %%, test %.2f %%, lr %.5f, %s%n", e.epoch(), e.epochs(),
                        e.loss(), 100 * e.trainAccuracy(), 100 * e.testAccuracy(), e.learningRate(), ReportText.seconds(e.seconds()));
                out.flush();
            });
            ZooTraining.Result r = training.train(output);
            out.printf("wrote %s (%d bytes): test accuracy %.2f %% (10,000 images, libtorch executor); total %s%n", r.output(),
                    r.bytes(), 100 * r.testAccuracy(), ReportText.seconds(r.seconds()));
            return 0;
        }

        /** Applies one option's setting; the API's refusal becomes a usage error that names the option. */
        private void set(String option, Runnable setting) {
            try {
                setting.run();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
            }
        }
    }
}
