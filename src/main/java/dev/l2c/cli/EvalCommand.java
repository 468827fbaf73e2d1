package dev.l2c.cli;

import dev.l2c.L2cException;
import dev.l2c.api.Evaluation;
import dev.l2c.api.EvaluationResult;
import dev.l2c.data.SynsetSelection;
import dev.l2c.eval.EvalData;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "eval", mixinStandardHelpOptions = true, description = "Judge a compressed (.l2c) or ONNX model against the original in ONNX Runtime on a real task.")
final class EvalCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "MODEL.l2c (decoded through --model) or MODEL.onnx")
    Path input;

    @Option(names = "--model", required = true, paramLabel = "ORIGINAL.onnx", description = "the original fp32 ONNX model")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "SET", description = "evaluation data: wordnet (sentence encoders) or fmnist (Fashion-MNIST test images, image classifiers)")
    EvalData data;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "where the data lives (default: /usr/share/wordnet, /usr/share/datasets/fashion-mnist)")
    Path dataDir;

    @Option(names = "--n", paramLabel = "N", defaultValue = "" + SynsetSelection.DEFAULT_COUNT,
            description = "synsets to evaluate, wordnet only (default: ${DEFAULT-VALUE})")
    int n;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "" + SynsetSelection.DEFAULT_SEED,
            description = "synset selection seed, wordnet only (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--tokenizer", paramLabel = "PATH",
            description = "tokenizer.json (default: <stem>-tokenizer.json or tokenizer.json next to --model)")
    Path tokenizer;

    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws L2cException {
        if (n < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--n must be at least 1, got " + n);
        if (data == EvalData.FMNIST && tokenizer != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tokenizer is for --data wordnet only");
        }
        PathChecks.input(input);
        PathChecks.input(model);
        if (tokenizer != null) PathChecks.input(tokenizer);
        common.applySimd(spec);
        Evaluation evaluation = data == EvalData.FMNIST ? Evaluation.fashionMnist()
                : Evaluation.wordNet().synsets(n).seed(seed).tokenizer(tokenizer);
        EvaluationResult result = evaluation.dataDir(dataDir).threads(common.threads()).device(common.device())
                .listener(common.listener(spec)).evaluate(input, model);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? result.report().json() + System.lineSeparator() : result.report().text());
        return 0;
    }
}
