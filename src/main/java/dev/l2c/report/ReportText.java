package dev.l2c.report;

import dev.l2c.calib.CalibrationTiming;
import dev.l2c.io.Printable;
import dev.l2c.pipeline.BaselineReport;
import dev.l2c.pipeline.CompressReport;
import dev.l2c.pipeline.NetworkReport;
import dev.l2c.pipeline.ContainerSummary;
import dev.l2c.pipeline.FileRow;
import dev.l2c.pipeline.RatioReport;
import dev.l2c.pipeline.TensorRow;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;

/**
 * The text reports of l2c: the tables {@code l2c compress} and {@code l2c inspect} print, and the
 * byte and second formats of every command. Shared by the CLI and by {@code dev.l2c.api}, which
 * hands the same text to embedding programs (so the two cannot drift apart).
 */
public final class ReportText {
    private ReportText() {}

    /**
     * At most this many tensor rows after compress: a checkpoint of tens of thousands of tensors
     * would bury the totals; {@code inspect} and {@code --report} list every tensor.
     */
    public static final int COMPRESS_ROWS = 200;

    /** What {@code l2c compress} prints: the mode's table and totals, then the time and backend. */
    public static void printCompress(PrintWriter out, CompressReport report) {
        if (report.ratio() != null) {
            printRatio(out, report.ratio());
        } else if (report.baseline() != null) {
            printBaseline(out, report.baseline());
        } else {
            printSummary(out, report.summary(), COMPRESS_ROWS);
        }
        out.printf("compressed in %s on %s%n", seconds(report.seconds()), report.backend());
    }

    /** One warning per tensor of a ratio mode that the file holds as all zeros (destroyed), without the "l2c: " prefix. */
    public static java.util.List<String> zeroedWarnings(CompressReport report) {
        java.util.List<RatioReport.Row> rows = report.ratio() != null ? report.ratio().tensors()
                : report.baseline() != null ? report.baseline().tensors() : java.util.List.of();
        java.util.List<String> warnings = new java.util.ArrayList<>();
        for (RatioReport.Row t : rows) {
            if (t.zeroed()) {
                warnings.add(String.format(Locale.ROOT, "warning: tensor %s: every weight is 0 in the written file (relative error %.2f)",
                        t.name(), t.relativeError()));
            }
        }
        return warnings;
    }

    /** Ratio mode: the learned parameters and the outcome of each tensor, then the totals. */
    private static void printRatio(PrintWriter out, RatioReport r) {
        printRows(out, r.tensors());
        RatioReport.FileSize f = r.size();
        out.printf(Locale.ROOT, "target %.2fx: file %s, ratio %.3fx (%s), original %s%n", f.targetRatio(),
                bytes(f.fileBytes()), f.achievedRatio(), f.reached() ? "reached" : "NOT reached, closest found",
                bytes(f.originalBytes()));
        RatioReport.Estimate e = r.estimate();
        int rans = e.codedTensors() - e.packedSymbolTensors();
        out.printf(Locale.ROOT, "%d tensor(s) coded (%d rANS, %d with packed symbols), %d stored exact (coding would cost more)%n",
                e.codedTensors(), rans, e.packedSymbolTensors(), e.exactTensors());
        out.printf(Locale.ROOT, "rANS tensors: estimate %.0f bytes (counter %.0f + modelled lane states %.0f) vs coded payload %d bytes "
                        + "(%+.2f%%); container overhead %d bytes, %.1f per tensor (index entry and padding; modelled tables, "
                        + "chunk lists and padding %.0f)%n",
                e.estimatedPayloadBytes(), e.counterBits() / 8, e.estimatedPayloadBytes() - e.counterBits() / 8, e.codedPayloadBytes(),
                100 * (e.estimatedPayloadBytes() / Math.max(1, e.codedPayloadBytes()) - 1), e.overheadBytes(),
                e.overheadBytes() / (double) Math.max(1, rans), e.estimatedOverheadBytes());
        RatioReport.Calibration c = r.calibration();
        out.printf(Locale.ROOT, "%s distortion %.4g, lambda %.3g, %s kernel, resolution %d, %d steps, %d round(s), seed %d%n",
                c.objective(), c.distortion(), c.lambda(), c.kernel(), c.resolution(), c.steps(), c.rounds(), c.seed());
        if (r.network() != null) printNetwork(out, r.network());
        if (r.timing() != null) {
            CalibrationTiming t = r.timing();
            out.printf(Locale.ROOT, "calibration %s: forward %s, backward %s, counter %s, transform %s, other %s%n",
                    seconds(t.seconds()), seconds(t.forward()), seconds(t.backward()), seconds(t.counter()), seconds(t.transform()),
                    seconds(t.other()));
        }
    }

    private static void printNetwork(PrintWriter out, NetworkReport n) {
        out.printf(Locale.ROOT, "calibration data %s: %d samples, batch %d", n.data(), n.samples(), n.batch());
        if (!Double.isNaN(n.outputError())) {
            out.printf(Locale.ROOT, "; %d round(s) of %d kd + %d reconstruction steps (lr %.3g, %.3g); last kd step: output error %.3e,"
                            + " feature error %.3e", n.rounds(), n.kdSteps(), n.reconSteps(), n.kdLearningRate(), n.reconLearningRate(),
                    n.outputError(), n.featureError());
        }
        if (!Double.isNaN(n.crossEntropy())) out.printf(Locale.ROOT, ", cross-entropy %.4f", n.crossEntropy());
        out.println();
        if (!n.features().isEmpty()) out.println("distilled features: " + String.join(", ", n.features()));
        if (n.heldBack() != null && n.heldBack().samples() > 0) printHeldBack(out, n.heldBack());
        n.dataFreeTensors().forEach((t, why) -> out.println("data-free term for " + Printable.escape(t) + ": " + Printable.escape(why)));
    }

    private static void printHeldBack(PrintWriter out, NetworkReport.HeldBack h) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "held-back %d samples (never trained on): start %s", h.samples(),
                signal(h.start())));
        for (int r = 0; r < h.rounds().size(); r++) line.append(String.format(Locale.ROOT, "; round %d %s", r + 1, signal(h.rounds().get(r))));
        if (h.coded() != null) line.append("; coded file ").append(signal(h.coded()));
        out.println(line);
        for (String note : h.notes()) out.println("held-back guard: " + note);
    }

    private static String signal(dev.l2c.calib.Distillation.Signal s) {
        String error = String.format(Locale.ROOT, "output error %.3e", s.outputError());
        return Double.isNaN(s.agreement()) ? error : String.format(Locale.ROOT, "%s, top-1 agreement %.2f%%", error, 100 * s.agreement());
    }

    /** Baseline ratio mode: the rows, the bit width (and sparsity) chosen, and each bit width tried. */
    private static void printBaseline(PrintWriter out, BaselineReport r) {
        printRows(out, r.tensors());
        boolean prune = r.method().equals("prune");
        String choice = prune ? String.format(Locale.ROOT, "%d bits, sparsity %.4f", r.bits(), r.sparsity())
                : String.format(Locale.ROOT, "step %.4g x max|w| per %s", r.stepFactor(), r.perChannel() ? "channel" : "tensor");
        out.printf(Locale.ROOT, "%s baseline, target %.2fx: %s, file %s, ratio %.3fx (%s, band [R, R/%.2f]), original %s, "
                        + "weight error %.4g%n", r.method(), r.targetRatio(), choice,
                bytes(r.fileBytes()), r.achievedRatio(), r.reached() ? "reached" : "NOT reached, closest found",
                1 - r.tolerance(), bytes(r.originalBytes()), r.distortion());
        for (var l : r.layers()) {
            out.printf(Locale.ROOT, "gptq %s: output error %.4g (round to nearest %.4g)%n", Printable.escape(l.tensor()), l.gptq(),
                    l.roundToNearest());
        }
        r.roundToNearest().forEach((t, why) -> out.println("round to nearest for " + Printable.escape(t) + ": " + Printable.escape(why)));
        StringBuilder tried = new StringBuilder();
        for (BaselineReport.Candidate c : r.candidates()) {
            String at = prune ? String.format(Locale.ROOT, "%d bits/S %.4f", c.bits(), c.sparsity())
                    : String.format(Locale.ROOT, "f %.4g", c.stepFactor());
            tried.append(String.format(Locale.ROOT, " %s %.3fx%s err %.3g;", at, c.ratio(), c.inBand() ? " (in band)" : "",
                    c.distortion()));
        }
        out.printf(Locale.ROOT, "tried (%d codings):%s%n", r.probes(), tried.substring(0, tried.length() - 1));
    }

    private static void printRows(PrintWriter out, java.util.List<RatioReport.Row> rows) {
        int nameWidth = Math.min(48, Math.max(6, rows.stream().mapToInt(t -> Printable.escape(t.name()).length()).max().orElse(6)));
        String fmt = "%-" + nameWidth + "s %-16s %-14s %10s %10s %7s %8s %8s %9s%n";
        out.printf(fmt, "tensor", "shape", "kind", "edge", "step", "bits/w", "sparsity", "ratio", "rel.err");
        for (RatioReport.Row t : rows.subList(0, Math.min(rows.size(), COMPRESS_ROWS))) {
            out.printf(fmt, clip(t.name(), nameWidth), shape(t.shape()), t.kind(), param(t.edge()), param(t.step()),
                    String.format(Locale.ROOT, "%.3f", t.bitsPerWeight()),
                    Double.isNaN(t.sparsity()) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * t.sparsity()),
                    String.format(Locale.ROOT, "%.2fx", t.ratio()),
                    Double.isNaN(t.relativeError()) ? "-" : String.format(Locale.ROOT, "%.2e", t.relativeError()));
        }
        moreRows(out, rows.size(), COMPRESS_ROWS);
    }

    private static String param(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3e", v);
    }

    /** What {@code l2c inspect} prints: every tensor, the totals and the folder view. */
    public static void printSummary(PrintWriter out, ContainerSummary s) {
        printSummary(out, s, Integer.MAX_VALUE);
    }

    private static void moreRows(PrintWriter out, int rows, int shown) {
        if (rows > shown) out.printf(Locale.ROOT, "... and %d more tensors (l2c inspect, or --report, lists every one)%n", rows - shown);
    }

    /** The tensor table (its first {@code maxRows} rows), the totals and the folder view. */
    private static void printSummary(PrintWriter out, ContainerSummary s, int maxRows) {
        int nameWidth = Math.min(48, Math.max(6, s.tensors().stream().mapToInt(t -> Printable.escape(t.name()).length()).max().orElse(6)));
        String fmt = "%-" + nameWidth + "s %-16s %-14s %9s %7s %8s %8s%n";
        out.printf(fmt, "tensor", "shape", "kind", "stored", "bits/w", "ratio", "zeros");
        for (TensorRow t : s.tensors().subList(0, Math.min(s.tensors().size(), maxRows))) {
            out.printf(fmt, clip(t.name(), nameWidth), shape(t.shape()), t.kind(), bytes(t.storedBytes()),
                    String.format(Locale.ROOT, "%.3f", t.bitsPerWeight()),
                    String.format(Locale.ROOT, "%.2fx", t.ratio()),
                    Double.isNaN(t.zeroFraction()) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * t.zeroFraction()));
        }
        moreRows(out, s.tensors().size(), maxRows);
        out.printf(Locale.ROOT, "total: %d tensors, %d weights, original %s, file %s, ratio %.2fx (%.3f bits/weight)%n",
                s.tensors().size(), s.elements(), bytes(s.originalBytes()), bytes(s.fileBytes()), s.ratio(),
                8.0 * s.fileBytes() / Math.max(1, s.elements()));
        printFiles(out, s);
        if (s.onnxGraphBytes() > 0) {
            out.printf(Locale.ROOT, "ONNX graph: stored (%s before the index's DEFLATE): decompress -o OUT.onnx needs no --model%n",
                    bytes(s.onnxGraphBytes()));
        }
        if (s.sourceFileBytes() > 0) {
            out.printf(Locale.ROOT, "source file %s: %s, ratio against it %.2fx%n", Printable.escape(s.sourceFile()), bytes(s.sourceFileBytes()),
                    (double) s.sourceFileBytes() / s.fileBytes());
        }
    }

    /** The folder view: each file of the model folder, what it was and what it takes now. */
    private static void printFiles(PrintWriter out, ContainerSummary s) {
        if (s.files().isEmpty()) return;
        int width = Math.min(56, Math.max(4, s.files().stream().mapToInt(f -> Printable.escape(f.path()).length()).max().orElse(4)));
        String fmt = "%-" + width + "s %-12s %10s %10s %8s%n";
        out.println();
        out.printf(fmt, "file", "kind", "original", "stored", "ratio");
        for (FileRow f : s.files()) {
            out.printf(fmt, clip(f.path(), width), f.shard() ? f.tensors() + (f.tensors() == 1 ? " tensor" : " tensors") : "file", bytes(f.originalBytes()),
                    bytes(f.storedBytes()), String.format(Locale.ROOT, "%.2fx", f.ratio()));
        }
        out.printf(Locale.ROOT, "folder: %d files (%d safetensors shards), %s%n", s.files().size(),
                s.files().stream().filter(FileRow::shard).count(), bytes(s.files().stream().mapToLong(FileRow::originalBytes).sum()));
    }

    /** A byte count as people read it: B, kB, MB or GB (decimal). */
    public static String bytes(long b) {
        if (b < 10_000) return b + " B";
        if (b < 10_000_000) return String.format(Locale.ROOT, "%.1f kB", b / 1e3);
        if (b < 10_000_000_000L) return String.format(Locale.ROOT, "%.1f MB", b / 1e6);
        return String.format(Locale.ROOT, "%.2f GB", b / 1e9);
    }

    /** Seconds with two decimals. */
    public static String seconds(double s) {
        return String.format(Locale.ROOT, "%.2f s", s);
    }

    private static String shape(long[] shape) {
        String s = Arrays.toString(shape).replace(" ", "");
        return s.length() > 16 ? s.substring(0, 15) + "…" : s;
    }

    /** A name escaped for the terminal (it comes from an input file), clipped to {@code width}. */
    private static String clip(String name, int width) {
        String s = Printable.escape(name);
        return s.length() <= width ? s : "…" + s.substring(s.length() - width + 1);
    }
}
