package dev.l2c.api;

import dev.l2c.eval.ClassificationReport;
import dev.l2c.eval.ClassificationResult;
import dev.l2c.eval.EvalText;

/**
 * An image classifier judged on the Fashion-MNIST test images ({@link Evaluation#fashionMnist}).
 *
 * <p><b>Thread safety:</b> immutable.
 */
public final class ClassificationEvaluation extends EvaluationFigures {
    /**
     * One model's figures on the test images.
     *
     * @param accuracy the top-1 accuracy
     * @param agreement the share of images on which it predicts what the original predicts (1 for
     *     the original itself)
     * @param seconds the time spent classifying
     */
    public record Scores(double accuracy, double agreement, double seconds) {
        static Scores of(ClassificationResult r) {
            return new Scores(r.accuracy(), r.agreement(), r.seconds());
        }
    }

    private final ClassificationReport report;

    ClassificationEvaluation(ClassificationReport report) {
        super(report, out -> EvalText.print(out, report));
        this.report = report;
    }

    /**
     * The images classified.
     *
     * @return their number
     */
    public int images() {
        return report.n();
    }

    /**
     * The judged model's figures.
     *
     * @return its scores
     */
    public Scores scores() {
        return Scores.of(report.modelResult());
    }

    /**
     * The original's figures.
     *
     * @return its scores
     */
    public Scores originalScores() {
        return Scores.of(report.originalResult());
    }
}
