package dev.l2c.eval;

/** Evaluation data sets; Fashion-MNIST joins when image models do. */
public enum EvalData {
    /** WordNet gloss-to-lemma retrieval for sentence encoders ({@link RetrievalTask}). */
    WORDNET
}
