package dev.l2c.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WordNetTest {
    private static WordNet wordnet;

    @BeforeAll
    static void load() throws L2cException {
        Assumptions.assumeTrue(Files.isRegularFile(WordNet.DEFAULT_DIR.resolve("data.noun")),
                "wordnet-base not installed (scripts/ensure-tools.sh installs it)");
        wordnet = WordNet.load(WordNet.DEFAULT_DIR);
    }

    @Test
    void readsEverySynsetOfTheRealDatabase() {
        Map<PartOfSpeech, Long> counts = wordnet.synsets().stream()
                .collect(Collectors.groupingBy(Synset::pos, Collectors.counting()));
        // WordNet 3.0: 82,115 noun, 13,767 verb, 18,156 adjective and 3,621 adverb synsets.
        assertEquals(82_115L, counts.get(PartOfSpeech.NOUN));
        assertEquals(13_767L, counts.get(PartOfSpeech.VERB));
        assertEquals(18_156L, counts.get(PartOfSpeech.ADJECTIVE));
        assertEquals(3_621L, counts.get(PartOfSpeech.ADVERB));
    }

    @Test
    void parsesLemmasAndTheDefinitionOfKnownSynsets() {
        Synset dog = find(PartOfSpeech.NOUN, 2084071);
        assertEquals(List.of("dog", "domestic dog", "Canis familiaris"), dog.lemmas());
        assertEquals("dog, domestic dog, Canis familiaris", dog.lemmaText());
        assertEquals("a member of the genus Canis (probably descended from the common wolf) that has been "
                + "domesticated by man since prehistoric times; occurs in many breeds", dog.gloss());

        Synset entity = find(PartOfSpeech.NOUN, 1740);
        assertEquals("that which is perceived or known or inferred to have its own distinct existence (living or nonliving)",
                entity.gloss());

        Synset able = find(PartOfSpeech.ADJECTIVE, 1740); // same offset as "entity", another file
        assertEquals(List.of("able"), able.lemmas());
        assertEquals("(usually followed by `to') having the necessary means or skill or know-how or authority to do something",
                able.gloss());
    }

    @Test
    void stripsAdjectiveMarkersAndParsesVerbFrames() {
        assertTrue(wordnet.synsets().stream().anyMatch(s -> s.lemmas().contains("galore")));
        assertFalse(wordnet.synsets().stream().anyMatch(s -> s.lemmas().stream().anyMatch(l -> l.matches(".*\\((a|p|ip)\\)"))));
        assertTrue(wordnet.synsets().stream().noneMatch(s -> s.lemmas().stream().anyMatch(l -> l.contains("_"))));
        // Every gloss came through without its examples.
        assertTrue(wordnet.synsets().stream().noneMatch(s -> s.gloss().contains("; \"")));
    }

    @Test
    void keysAreUniqueAcrossFiles() {
        Set<Long> keys = new HashSet<>();
        for (Synset s : wordnet.synsets()) assertTrue(keys.add(s.key()), "duplicate key for " + s);
    }

    @Test
    void selectionIsSeededDeterministicAndDisjointFromCalibration() throws L2cException {
        List<Synset> all = wordnet.synsets();
        List<Synset> a = SynsetSelection.select(all, SynsetSelection.Split.EVALUATION, 2_000, 0);
        List<Synset> b = SynsetSelection.select(all, SynsetSelection.Split.EVALUATION, 2_000, 0);
        List<Synset> reversedInput = SynsetSelection.select(reversed(all), SynsetSelection.Split.EVALUATION, 2_000, 0);
        List<Synset> other = SynsetSelection.select(all, SynsetSelection.Split.EVALUATION, 2_000, 1);
        assertEquals(a, b);
        assertEquals(a, reversedInput, "selection must not depend on input order");
        assertTrue(overlap(a, other) < 200, "another seed gives another sample");

        Set<String> lemmaTexts = new HashSet<>();
        for (Synset s : a) {
            assertFalse(s.gloss().isBlank());
            assertTrue(lemmaTexts.add(s.lemmaText().toLowerCase()), "lemma text twice: " + s.lemmaText());
        }
        for (long seed = 0; seed < 3; seed++) {
            List<Synset> calib = SynsetSelection.select(all, SynsetSelection.Split.CALIBRATION, 5_000, seed);
            assertEquals(0, overlap(a, calib));
            assertEquals(0, overlap(other, calib));
        }
        // Both halves are about half of the database.
        long eval = all.stream().filter(s -> SynsetSelection.splitOf(s) == SynsetSelection.Split.EVALUATION).count();
        assertTrue(Math.abs(eval - all.size() / 2.0) < all.size() * 0.01, "evaluation half holds " + eval);
    }

    @Test
    void refusesImpossibleCounts() {
        List<Synset> all = wordnet.synsets();
        assertThrows(L2cException.class, () -> SynsetSelection.select(all, SynsetSelection.Split.EVALUATION, 0, 0));
        L2cException e = assertThrows(L2cException.class,
                () -> SynsetSelection.select(all, SynsetSelection.Split.EVALUATION, all.size(), 0));
        assertTrue(e.getMessage().contains("usable"), e.getMessage());
    }

    private static List<Synset> reversed(List<Synset> all) {
        List<Synset> r = new java.util.ArrayList<>(all);
        java.util.Collections.reverse(r);
        return r;
    }

    private static int overlap(List<Synset> a, List<Synset> b) {
        Set<Long> keys = a.stream().map(Synset::key).collect(Collectors.toSet());
        return (int) b.stream().filter(s -> keys.contains(s.key())).count();
    }

    private static Synset find(PartOfSpeech pos, long offset) {
        return wordnet.synsets().stream().filter(s -> s.pos() == pos && s.offset() == offset).findFirst().orElseThrow();
    }
}
