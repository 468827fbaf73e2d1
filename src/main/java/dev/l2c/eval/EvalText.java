package dev.l2c.eval;

import dev.l2c.report.ReportText;
import java.io.PrintWriter;

/** Evaluation reports as {@code l2c eval} prints them. */
public final class EvalText {
    private EvalText() {}

    public static void print(PrintWriter out, EvalReport r) {
        out.printf("task: WordNet gloss -> lemma retrieval, %d synsets (evaluation split, seed %d); chance acc@1 %.4f%n",
                r.n(), r.seed(), 1.0 / r.n());
        out.printf("%-10s %14s %8s %8s %8s %12s %9s%n", "model", "bytes", "ratio", "acc@1", "acc@5", "cosine", "embed");
        row(out, "original", r.originalBytes(), 1.0, r.originalResult());
        row(out, "evaluated", r.modelBytes(), r.ratio(), r.modelResult());
        out.printf("original: %s%nevaluated: %s%s%n", r.original(), r.model(), decoded(r.decompressSeconds()));
        out.printf("ratio = original ONNX file bytes / evaluated file bytes; cosine = mean cosine of gloss embeddings "
                + "to the original's; total %s%n", ReportText.seconds(r.seconds()));
    }

    public static void print(PrintWriter out, ClassificationReport r) {
        out.printf("task: Fashion-MNIST top-1 classification, %d test images (ONNX Runtime)%n", r.n());
        out.printf("%-10s %14s %8s %8s %10s %9s%n", "model", "bytes", "ratio", "top-1", "agreement", "classify");
        row(out, "original", r.originalBytes(), 1.0, r.originalResult());
        row(out, "evaluated", r.modelBytes(), r.ratio(), r.modelResult());
        out.printf("original: %s%nevaluated: %s%s%n", r.original(), r.model(), decoded(r.decompressSeconds()));
        out.printf("ratio = original ONNX file bytes / evaluated file bytes; agreement = share of images with the original's "
                + "prediction; total %s%n", ReportText.seconds(r.seconds()));
    }

    private static String decoded(double seconds) {
        return seconds > 0 ? " (decoded into an ONNX Runtime session in " + ReportText.seconds(seconds) + ", no file written)" : "";
    }

    private static void row(PrintWriter out, String name, long bytes, double ratio, RetrievalResult res) {
        out.printf("%-10s %14d %7.2fx %7.2f%% %7.2f%% %12.6f %8.1fs%n", name, bytes, ratio, 100 * res.accuracyAt1(),
                100 * res.accuracyAt5(), res.meanCosine(), res.embedSeconds());
    }

    private static void row(PrintWriter out, String name, long bytes, double ratio, ClassificationResult res) {
        out.printf("%-10s %14d %7.2fx %7.2f%% %9.2f%% %8.1fs%n", name, bytes, ratio, 100 * res.accuracy(),
                100 * res.agreement(), res.seconds());
    }
}
