package dev.l2c.eval;

/** Evaluation data sets. */
public enum EvalData {
    /** WordNet gloss-to-lemma retrieval for sentence encoders ({@link RetrievalTask}). */
    WORDNET,
    /** Fashion-MNIST test images (10,000, 28x28, ten classes) for image classifiers ({@link ImageClassifier}). */
    FMNIST
}
