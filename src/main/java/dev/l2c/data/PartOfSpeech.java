package dev.l2c.data;

/** The four WordNet data files; an adjective satellite ('s') belongs to {@link #ADJECTIVE}. */
public enum PartOfSpeech {
    NOUN("noun", 'n'),
    VERB("verb", 'v'),
    ADJECTIVE("adj", 'a'),
    ADVERB("adv", 'r');

    private final String fileSuffix;
    private final char code;

    PartOfSpeech(String fileSuffix, char code) {
        this.fileSuffix = fileSuffix;
        this.code = code;
    }

    /** Name of this part of speech's data file, e.g. {@code data.noun}. */
    public String dataFileName() {
        return "data." + fileSuffix;
    }

    /** The one-letter synset type used in the data files ('n', 'v', 'a', 'r'). */
    public char code() {
        return code;
    }

    /** Whether {@code ssType} (a data-file synset type) may appear in this part of speech's file. */
    boolean accepts(char ssType) {
        return ssType == code || (this == ADJECTIVE && ssType == 's');
    }
}
