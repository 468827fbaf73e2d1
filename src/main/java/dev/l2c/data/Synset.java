package dev.l2c.data;

import java.util.List;

/**
 * One WordNet synset.
 *
 * @param pos the data file it came from (offsets are unique only within one file)
 * @param offset its byte offset in that file, WordNet's identifier
 * @param lemmas its lemma names, '_' replaced by ' ', adjective markers such as "(p)" removed
 * @param gloss the definition: the gloss text before the first quoted example, trimmed; may be
 *     empty when the gloss holds only examples
 */
public record Synset(PartOfSpeech pos, long offset, List<String> lemmas, String gloss) {
    public Synset {
        lemmas = List.copyOf(lemmas);
    }

    /** The lemma names joined, e.g. "dog, domestic dog, Canis familiaris". */
    public String lemmaText() {
        return String.join(", ", lemmas);
    }

    /** A key unique over all four files: the part of speech and the offset. */
    public long key() {
        return offset * PartOfSpeech.values().length + pos.ordinal();
    }
}
