package dev.l2c.data;

import dev.l2c.L2cException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The synsets of a WordNet 3.0 database (the Debian package {@code wordnet-base}), read from its
 * four data files. Line format (wndb(5)):
 * {@code offset lex_filenum ss_type w_cnt (word lex_id){w_cnt} p_cnt (ptr){p_cnt} [frames] | gloss}.
 * Every count is checked against the tokens that follow it, so a damaged line is reported with its
 * file and line number instead of yielding a wrong synset.
 */
public final class WordNet {
    /** Where Debian's {@code wordnet-base} installs the database. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/wordnet");

    private static final Pattern ADJECTIVE_MARKER = Pattern.compile("\\((a|p|ip)\\)$");
    private static final String EXAMPLE_START = "; \"";

    private final List<Synset> synsets;

    private WordNet(List<Synset> synsets) {
        this.synsets = Collections.unmodifiableList(synsets);
    }

    /** Every synset of the four data files in {@code dir}, nouns, verbs, adjectives, adverbs in file order. */
    public static WordNet load(Path dir) throws L2cException {
        List<Synset> all = new ArrayList<>();
        for (PartOfSpeech pos : PartOfSpeech.values()) {
            Path file = dir.resolve(pos.dataFileName());
            if (!Files.isRegularFile(file)) {
                throw new L2cException(file + ": WordNet data file not found (install the Debian package wordnet-base, "
                        + "e.g. through scripts/ensure-tools.sh)");
            }
            all.addAll(parse(file, pos));
        }
        return new WordNet(all);
    }

    public List<Synset> synsets() {
        return synsets;
    }

    /** The synsets of one data file; license lines (starting with two spaces) are skipped. */
    public static List<Synset> parse(Path file, PartOfSpeech pos) throws L2cException {
        List<Synset> out = new ArrayList<>();
        // The database is ASCII; a strict decoder turns stray bytes into an error, not into garbage.
        try (BufferedReader in = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file),
                StandardCharsets.US_ASCII.newDecoder()))) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.startsWith("  ") || line.isEmpty()) continue;
                try {
                    out.add(parseLine(line, pos));
                } catch (IllegalArgumentException e) {
                    throw new L2cException(file + ": line " + number + ": " + e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            throw new L2cException(file + ": not found");
        } catch (CharacterCodingException e) {
            throw new L2cException(file + ": not an ASCII WordNet data file (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new L2cException(file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Parses one synset line; IllegalArgumentException says what is wrong with it. */
    static Synset parseLine(String line, PartOfSpeech pos) {
        int bar = line.indexOf(" | ");
        if (bar < 0) throw new IllegalArgumentException("no ' | ' before the gloss");
        // Fields are separated by single spaces; split(" ") takes String's fast path, no regex.
        String[] t = line.substring(0, bar).trim().split(" ");
        Cursor c = new Cursor(t);
        String offsetText = c.next("synset offset");
        if (offsetText.length() != 8 || !offsetText.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("synset offset '" + offsetText + "' is not 8 decimal digits");
        }
        long offset = Long.parseLong(offsetText);
        c.number("lex_filenum", 10);
        String ssType = c.next("ss_type");
        if (ssType.length() != 1 || !pos.accepts(ssType.charAt(0))) {
            throw new IllegalArgumentException("synset type '" + ssType + "' does not belong in the " + pos.dataFileName() + " file");
        }
        int words = c.number("w_cnt", 16);
        if (words < 1) throw new IllegalArgumentException("synset " + offsetText + " has no words");
        List<String> lemmas = new ArrayList<>(words);
        for (int i = 0; i < words; i++) {
            String word = c.next("word %d", i + 1);
            if (word.endsWith(")")) word = ADJECTIVE_MARKER.matcher(word).replaceFirst("");
            c.number("lex_id of word %d", i + 1, 16);
            lemmas.add(word.replace('_', ' '));
        }
        int pointers = c.number("p_cnt", 10);
        for (int i = 0; i < pointers; i++) {
            c.next("pointer %d symbol", i + 1);
            c.number("pointer %d offset", i + 1, 10);
            c.next("pointer %d part of speech", i + 1);
            c.number("pointer %d source/target", i + 1, 16);
        }
        if (pos == PartOfSpeech.VERB) {
            int frames = c.number("f_cnt", 10);
            for (int i = 0; i < frames; i++) {
                c.next("frame %d '+'", i + 1);
                c.number("frame %d f_num", i + 1, 10);
                c.number("frame %d w_num", i + 1, 16);
            }
        }
        if (c.hasNext()) {
            throw new IllegalArgumentException("unexpected '" + c.next("") + "' after the counted fields of synset " + offsetText);
        }
        return new Synset(pos, offset, lemmas, definition(line.substring(bar + 3)));
    }

    /** The gloss up to its first quoted example. */
    static String definition(String gloss) {
        String g = gloss.trim();
        if (g.startsWith("\"")) return "";
        int example = g.indexOf(EXAMPLE_START);
        return (example < 0 ? g : g.substring(0, example)).trim();
    }

    /** Walks the whitespace-separated fields of a line, naming the field that is missing or wrong. */
    private static final class Cursor {
        private final String[] tokens;
        private int at;

        Cursor(String[] tokens) {
            this.tokens = tokens;
        }

        boolean hasNext() {
            return at < tokens.length;
        }

        String next(String field) {
            return next(field, 0);
        }

        /** The next field; {@code field} may hold a %d for {@code item}, formatted only for an error. */
        String next(String field, int item) {
            if (at >= tokens.length) throw new IllegalArgumentException("line ends before " + field.formatted(item));
            return tokens[at++];
        }

        int number(String field, int radix) {
            return number(field, 0, radix);
        }

        int number(String field, int item, int radix) {
            String s = next(field, item);
            try {
                int v = Integer.parseInt(s, radix);
                if (v < 0) throw new NumberFormatException();
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(field.formatted(item) + " '" + s + "' is not a " + (radix == 16 ? "hexadecimal" : "decimal") + " number");
            }
        }
    }
}
