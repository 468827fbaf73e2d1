package dev.l2c.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.L2cException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WordNet parser on small hand-written files: well-formed lines, and each kind of damage. */
class WordNetParserTest {
    @TempDir
    Path dir;

    @Test
    void reportsFileAndLineOfEachDamage() throws IOException {
        String header = "  1 license text  \n  2 more license  \n";
        String good = "00001740 03 n 01 entity 0 001 ~ 00001930 n 0000 | that which exists; \"an example\"  \n";
        String[][] cases = {
            {"00001930 03 n 01 thing 0 000 no gloss bar", "' | '"},
            {"0000193 03 n 01 thing 0 000 | short offset", "8 decimal digits"},
            {"00001930 03 v 01 thing 0 000 | wrong type", "synset type 'v'"},
            {"00001930 03 n 0g thing 0 000 | bad count", "w_cnt '0g'"},
            {"00001930 03 n 02 thing 0 000 | too few words", "lex_id of word 2"},
            {"00001930 03 n 01 thing 0 002 ~ 00001740 n 0000 | too few pointers", "line ends before pointer 2"},
            {"00001930 03 n 01 thing 0 000 extra | trailing field", "unexpected 'extra'"},
            {"00001930 03 n 00 000 | no words", "no words"},
        };
        for (String[] c : cases) {
            Path file = dir.resolve("data.noun");
            Files.writeString(file, header + good + c[0] + "\n");
            L2cException e = assertThrows(L2cException.class, () -> WordNet.parse(file, PartOfSpeech.NOUN), c[0]);
            assertTrue(e.getMessage().startsWith(file + ": line 4: "), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void parsesAWellFormedFileAndChecksVerbFrames() throws IOException, L2cException {
        Path verbs = dir.resolve("data.verb");
        Files.writeString(verbs, "  1 license  \n"
                + "00001740 29 v 04 breathe 0 take_a_breath 0 respire 0 suspire 3 001 * 00005041 v 0000 02 + 02 00 + 08 00 "
                + "| draw air into, and expel out of, the lungs; \"I can breathe better now\"  \n");
        List<Synset> s = WordNet.parse(verbs, PartOfSpeech.VERB);
        assertEquals(1, s.size());
        assertEquals(List.of("breathe", "take a breath", "respire", "suspire"), s.get(0).lemmas());
        assertEquals("draw air into, and expel out of, the lungs", s.get(0).gloss());

        Files.writeString(verbs, "00001740 29 v 01 breathe 0 000 02 + 02 00 | frames counted but missing  \n");
        L2cException e = assertThrows(L2cException.class, () -> WordNet.parse(verbs, PartOfSpeech.VERB));
        assertTrue(e.getMessage().contains("line 1: line ends before frame 2"), e.getMessage());
    }

    @Test
    void refusesMissingFilesAndNonAscii() throws IOException {
        L2cException missing = assertThrows(L2cException.class, () -> WordNet.load(dir));
        assertTrue(missing.getMessage().contains("data.noun") && missing.getMessage().contains("wordnet-base"), missing.getMessage());
        Path file = dir.resolve("data.adv");
        Files.write(file, new byte[] {'0', '0', (byte) 0xC3, (byte) 0xA9, '\n'});
        L2cException e = assertThrows(L2cException.class, () -> WordNet.parse(file, PartOfSpeech.ADVERB));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }

    @Test
    void definitionStopsAtTheFirstExample() {
        assertEquals("a b", WordNet.definition(" a b ; \"x\"; \"y\"  "));
        assertEquals("", WordNet.definition("\"only an example\""));
        assertEquals("no example; but a clause", WordNet.definition("no example; but a clause  "));
    }
}
