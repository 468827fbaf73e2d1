package dev.l2c.calib;

import dev.l2c.L2cException;
import dev.l2c.data.ImageSet;
import dev.l2c.graph.Tensors;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.TensorProto;
import dev.l2c.model.onnx.proto.ValueInfoProto;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/** Grey-scale labelled images (Fashion-MNIST) fed to a model's single float input [N, 1, rows, cols]. */
public final class ImageCalibrationData implements CalibrationData {
    private final String name;
    private final String input;
    private final ImageSet images;

    private ImageCalibrationData(String name, String input, ImageSet images) {
        this.name = name;
        this.input = input;
        this.images = images;
    }

    /**
     * Checks that the model's input is one float tensor of rank 4 whose fixed dimensions match
     * [N, 1, rows, cols] and returns its name; otherwise an L2cException names the model's input,
     * its declared shape and the data's shape.
     */
    public static String check(String name, GraphProto graph, int rows, int cols) throws L2cException {
        String dataShape = "float [N, 1, " + rows + ", " + cols + "]";
        ValueInfoProto in = ModelInputs.single(graph, name, dataShape);
        boolean fits = ModelInputs.elementType(in) == TensorProto.DataType.FLOAT_VALUE
                && ModelInputs.fits(in, new long[] {-1, 1, rows, cols});
        if (!fits) {
            throw new L2cException("calibration data " + name + " does not fit the model: its input " + in.getName() + " is "
                    + ModelInputs.describe(in) + ", the data gives " + dataShape);
        }
        return in.getName();
    }

    /** {@code images} bound to the model's input (checked as {@link #check} does). */
    public static ImageCalibrationData bind(String name, GraphProto graph, ImageSet images) throws L2cException {
        return new ImageCalibrationData(name, check(name, graph, images.rows(), images.cols()), images);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return images.count();
    }

    @Override
    public Map<String, Tensor> inputs(int[] indices) {
        ImageSet batch = images.select(indices);
        return Map.of(input, Tensors.fromFloats(batch.images(), indices.length, 1, images.rows(), images.cols()));
    }

    @Override
    public Tensor labels(int[] indices) {
        byte[] all = images.labels();
        long[] labels = new long[indices.length];
        for (int i = 0; i < indices.length; i++) labels[i] = all[indices[i]];
        return Tensors.fromLongs(labels, indices.length);
    }
}
