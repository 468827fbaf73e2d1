package dev.l2c.api;

import dev.l2c.eval.EvalSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The part of an {@link EvaluationResult} that every task shares, read from its report. */
abstract sealed class EvaluationFigures implements EvaluationResult permits RetrievalEvaluation, ClassificationEvaluation {
    private final EvalSummary summary;
    private final Consumer<PrintWriter> text;

    EvaluationFigures(EvalSummary summary, Consumer<PrintWriter> text) {
        this.summary = summary;
        this.text = text;
    }

    @Override
    public Path model() {
        return Path.of(summary.model());
    }

    @Override
    public long modelBytes() {
        return summary.modelBytes();
    }

    @Override
    public Path originalModel() {
        return Path.of(summary.original());
    }

    @Override
    public long originalBytes() {
        return summary.originalBytes();
    }

    @Override
    public double decodeSeconds() {
        return summary.decompressSeconds();
    }

    @Override
    public double seconds() {
        return summary.seconds();
    }

    @Override
    public Report report() {
        return new Report(text, summary);
    }
}
