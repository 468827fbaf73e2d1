package dev.l2c.eval;

/**
 * Figures of one model on the gloss-to-lemma retrieval task.
 *
 * @param n synsets (queries, and candidates per query)
 * @param accuracyAt1 fraction of glosses whose own lemma text ranks first
 * @param accuracyAt5 fraction whose own lemma text ranks in the first five
 * @param meanCosine mean cosine between this model's gloss embeddings and the reference model's,
 *     NaN when no reference was given
 * @param embedSeconds wall time spent embedding the 2·n texts
 */
public record RetrievalResult(int n, double accuracyAt1, double accuracyAt5, double meanCosine, double embedSeconds) {}
