package dev.l2c.api;

import dev.l2c.eval.EvalReport;
import dev.l2c.eval.EvalText;
import dev.l2c.eval.RetrievalResult;

/**
 * A sentence encoder judged on WordNet gloss → lemma retrieval ({@link Evaluation#wordNet}).
 *
 * <p><b>Thread safety:</b> immutable.
 */
public final class RetrievalEvaluation extends EvaluationFigures {
    /**
     * One model's figures on the task.
     *
     * @param accuracyAt1 the share of glosses whose own lemma ranks first
     * @param accuracyAt5 the share whose own lemma ranks in the first five
     * @param meanCosine the mean cosine of its gloss embeddings to the original's (1 for the
     *     original itself)
     * @param seconds the time spent embedding
     */
    public record Scores(double accuracyAt1, double accuracyAt5, double meanCosine, double seconds) {
        static Scores of(RetrievalResult r) {
            return new Scores(r.accuracyAt1(), r.accuracyAt5(), r.meanCosine(), r.embedSeconds());
        }
    }

    private final EvalReport report;

    RetrievalEvaluation(EvalReport report) {
        super(report, out -> EvalText.print(out, report));
        this.report = report;
    }

    /**
     * The synsets of the task: the queries, and the candidates of each.
     *
     * @return their number
     */
    public int synsets() {
        return report.n();
    }

    /**
     * The seed that chose the synsets.
     *
     * @return the seed
     */
    public long seed() {
        return report.seed();
    }

    /**
     * The judged model's figures.
     *
     * @return its scores, the cosine against the original's embeddings
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
