package dev.l2c.cli;

import dev.l2c.L2cException;
import dev.l2c.data.SynsetSelection;
import dev.l2c.eval.ClassificationReport;
import dev.l2c.eval.ClassificationResult;
import dev.l2c.eval.EvalData;
import dev.l2c.eval.EvalReport;
import dev.l2c.eval.Evaluator;
import dev.l2c.eval.RetrievalResult;
import dev.l2c.report.ReportJson;
import dev.l2c.report.ReportText;
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
        var backend = common.backend(spec);
        int threads = common.threads != null ? common.threads : Runtime.getRuntime().availableProcessors();
        PrintWriter out = spec.commandLine().getOut();
        if (data == EvalData.FMNIST) {
            ClassificationReport report = new Evaluator(backend, common.progress(spec), threads)
                    .evaluateImages(input, model, data, dataDir);
            if (json) {
                out.println(ReportJson.render(report));
            } else {
                print(out, report);
            }
            return 0;
        }
        EvalReport report = new Evaluator(backend, common.progress(spec), threads)
                .evaluate(input, model, tokenizer, data, dataDir, n, seed);
        if (json) {
            out.println(ReportJson.render(report));
        } else {
            print(out, report);
        }
        return 0;
    }

    private static void print(PrintWriter out, EvalReport r) {
        out.printf("task: WordNet gloss -> lemma retrieval, %d synsets (evaluation split, seed %d); chance acc@1 %.4f%n",
                r.n(), r.seed(), 1.0 / r.n());
        out.printf("%-10s %14s %8s %8s %8s %12s %9s%n", "model", "bytes", "ratio", "acc@1", "acc@5", "cosine", "embed");
        row(out, "original", r.originalBytes(), 1.0, r.originalResult());
        row(out, "evaluated", r.modelBytes(), r.ratio(), r.modelResult());
        out.printf("original: %s%nevaluated: %s%s%n", r.original(), r.model(),
                r.decompressSeconds() > 0 ? String.format(" (decoded to ONNX in %s)", ReportText.seconds(r.decompressSeconds())) : "");
        out.printf("ratio = original ONNX file bytes / evaluated file bytes; cosine = mean cosine of gloss embeddings "
                + "to the original's; total %s%n", ReportText.seconds(r.seconds()));
    }

    private static void row(PrintWriter out, String name, long bytes, double ratio, RetrievalResult res) {
        out.printf("%-10s %14d %7.2fx %7.2f%% %7.2f%% %12.6f %8.1fs%n", name, bytes, ratio, 100 * res.accuracyAt1(),
                100 * res.accuracyAt5(), res.meanCosine(), res.embedSeconds());
    }

    private static void print(PrintWriter out, ClassificationReport r) {
        out.printf("task: Fashion-MNIST top-1 classification, %d test images (ONNX Runtime)%n", r.n());
        out.printf("%-10s %14s %8s %8s %10s %9s%n", "model", "bytes", "ratio", "top-1", "agreement", "classify");
        row(out, "original", r.originalBytes(), 1.0, r.originalResult());
        row(out, "evaluated", r.modelBytes(), r.ratio(), r.modelResult());
        out.printf("original: %s%nevaluated: %s%s%n", r.original(), r.model(),
                r.decompressSeconds() > 0 ? String.format(" (decoded to ONNX in %s)", ReportText.seconds(r.decompressSeconds())) : "");
        out.printf("ratio = original ONNX file bytes / evaluated file bytes; agreement = share of images with the original's "
                + "prediction; total %s%n", ReportText.seconds(r.seconds()));
    }

    private static void row(PrintWriter out, String name, long bytes, double ratio, ClassificationResult res) {
        out.printf("%-10s %14d %7.2fx %7.2f%% %9.2f%% %8.1fs%n", name, bytes, ratio, 100 * res.accuracy(),
                100 * res.agreement(), res.seconds());
    }
}
