package dev.l2c.calib;

import dev.l2c.L2cException;
import dev.l2c.data.FashionMnist;
import dev.l2c.data.ImageSet;
import dev.l2c.model.onnx.proto.GraphProto;
import java.nio.file.Path;
import java.util.List;

/** A named calibration data set that binds to a model's inputs (the CLI's {@code --calib NAME}). */
public interface CalibrationSource {
    String name();

    /**
     * {@code size} samples drawn by {@code seed}, bound to the model's inputs. Whether the data fits
     * the model is checked first, from the graph's declared inputs, before any data is read: a
     * misfit is an L2cException naming the model input, its shape and the data's.
     */
    CalibrationData open(GraphProto graph, int size, long seed) throws L2cException;

    /** The names {@link #named} knows. */
    List<String> NAMES = List.of("fmnist");

    /** The source called {@code name}, reading from {@code dir} (null: its default folder). */
    static CalibrationSource named(String name, Path dir) throws L2cException {
        if (name.equals("fmnist")) return fashionMnist(dir == null ? FashionMnist.DEFAULT_DIR : dir);
        throw new L2cException("unknown calibration data '" + name + "' (known: " + String.join(", ", NAMES) + ")");
    }

    /** Fashion-MNIST training images (calibration never sees a test image), labelled. */
    static CalibrationSource fashionMnist(Path dir) {
        return new CalibrationSource() {
            @Override
            public String name() {
                return "fmnist";
            }

            @Override
            public CalibrationData open(GraphProto graph, int size, long seed) throws L2cException {
                ImageCalibrationData.check("fmnist", graph, FashionMnist.ROWS, FashionMnist.COLS);
                ImageSet train = FashionMnist.train(dir);
                if (size > train.count()) {
                    throw new L2cException("--calib-size " + size + " exceeds the " + train.count() + " Fashion-MNIST training images");
                }
                return ImageCalibrationData.bind("fmnist", graph, train.sample(size, seed));
            }
        };
    }
}
