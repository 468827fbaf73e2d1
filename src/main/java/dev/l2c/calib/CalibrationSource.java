package dev.l2c.calib;

import dev.l2c.L2cException;
import dev.l2c.data.FashionMnist;
import dev.l2c.data.ImageSet;
import dev.l2c.data.Synset;
import dev.l2c.data.SynsetSelection;
import dev.l2c.data.WordNet;
import dev.l2c.eval.TextTokenizer;
import dev.l2c.model.OnnxModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A named calibration data set that binds to a model's inputs (the CLI's {@code --calib NAME}). */
public interface CalibrationSource {
    String name();

    /**
     * Whether the samples are sentences for a text encoder (no labels): such runs get their own
     * KD defaults ({@link NetworkCalibrationSettings#defaults}).
     */
    default boolean text() {
        return false;
    }

    /**
     * {@code size} samples drawn by {@code seed}, bound to the model's inputs. Whether the data fits
     * the model is checked first, from the graph's declared inputs, before any data is read: a
     * misfit is an L2cException naming the model input, its shape and the data's.
     */
    CalibrationData open(OnnxModel model, int size, long seed) throws L2cException;

    /** The names {@link #named} knows. */
    List<String> NAMES = List.of("fmnist", "wordnet");

    /** The source called {@code name}, reading from {@code dir} (null: its default folder). */
    static CalibrationSource named(String name, Path dir) throws L2cException {
        return named(name, dir, null);
    }

    /**
     * The source called {@code name}, reading from {@code dir} (null: its default folder); text
     * is tokenized with {@code tokenizer} (null: the one next to the model).
     */
    static CalibrationSource named(String name, Path dir, Path tokenizer) throws L2cException {
        return switch (name) {
            case "fmnist" -> fashionMnist(dir == null ? FashionMnist.DEFAULT_DIR : dir);
            case "wordnet" -> wordNet(dir == null ? WordNet.DEFAULT_DIR : dir, tokenizer);
            default -> throw new L2cException("unknown calibration data '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        };
    }

    /** Fashion-MNIST training images (calibration never sees a test image), labelled. */
    static CalibrationSource fashionMnist(Path dir) {
        return new CalibrationSource() {
            @Override
            public String name() {
                return "fmnist";
            }

            @Override
            public CalibrationData open(OnnxModel model, int size, long seed) throws L2cException {
                ImageCalibrationData.check("fmnist", model.proto().getGraph(), FashionMnist.ROWS, FashionMnist.COLS);
                ImageSet train = FashionMnist.train(dir);
                if (size > train.count()) {
                    throw new L2cException("--calib-size " + size + " exceeds the " + train.count() + " Fashion-MNIST training images");
                }
                return ImageCalibrationData.bind("fmnist", model.proto().getGraph(), train.sample(size, seed));
            }
        };
    }

    /**
     * WordNet sentences from the calibration half of the synsets (disjoint from every evaluation
     * set, {@link SynsetSelection}): for each chosen synset its gloss and its lemma names, the two
     * kinds of text the retrieval task embeds, tokenized with the model's own tokenizer (found
     * next to the model).
     */
    static CalibrationSource wordNet(Path dir) {
        return wordNet(dir, null);
    }

    /** As {@link #wordNet(Path)}, tokenized with {@code tokenizer} (null: the one next to the model). */
    static CalibrationSource wordNet(Path dir, Path tokenizer) {
        return new CalibrationSource() {
            @Override
            public String name() {
                return "wordnet";
            }

            @Override
            public boolean text() {
                return true;
            }

            @Override
            public CalibrationData open(OnnxModel model, int size, long seed) throws L2cException {
                TextCalibrationData.check("wordnet", model.proto().getGraph());
                Path tokenizerFile = tokenizer != null ? tokenizer : TextTokenizer.locateFor(model.path());
                List<Synset> synsets = SynsetSelection.select(WordNet.load(dir).synsets(), SynsetSelection.Split.CALIBRATION,
                        (size + 1) / 2, seed);
                List<String> sentences = new ArrayList<>();
                for (Synset s : synsets) {
                    sentences.add(s.gloss());
                    if (sentences.size() < size) sentences.add(s.lemmaText());
                }
                try (TextTokenizer tokenizer = TextTokenizer.open(tokenizerFile)) {
                    return TextCalibrationData.bind("wordnet", model.proto().getGraph(), tokenizer, sentences);
                }
            }
        };
    }
}
