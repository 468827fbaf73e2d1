package dev.l2c.calib;

import dev.l2c.L2cException;
import dev.l2c.model.DType;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.TensorProto;
import dev.l2c.model.onnx.proto.TensorShapeProto;
import dev.l2c.model.onnx.proto.ValueInfoProto;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The declared inputs of a model's graph, for checking calibration data before any work. */
final class ModelInputs {
    private ModelInputs() {}

    /** The graph inputs that are not initializers. */
    static List<ValueInfoProto> of(GraphProto graph) {
        Set<String> initializers = new HashSet<>();
        for (TensorProto t : graph.getInitializerList()) initializers.add(t.getName());
        return graph.getInputList().stream().filter(v -> !initializers.contains(v.getName())).toList();
    }

    /** The model's only input; several or none is an L2cException naming them and the data. */
    static ValueInfoProto single(GraphProto graph, String data, String dataShape) throws L2cException {
        List<ValueInfoProto> inputs = of(graph);
        if (inputs.size() != 1) {
            StringBuilder b = new StringBuilder();
            for (ValueInfoProto v : inputs) b.append(b.length() == 0 ? "" : ", ").append(v.getName()).append(' ').append(describe(v));
            throw new L2cException("calibration data " + data + " does not fit the model: it feeds one input, " + dataShape
                    + ", the model has " + inputs.size() + (inputs.isEmpty() ? " inputs" : ": " + b));
        }
        return inputs.get(0);
    }

    static int elementType(ValueInfoProto v) {
        return v.getType().hasTensorType() ? v.getType().getTensorType().getElemType() : 0;
    }

    /** Whether the declared shape accepts {@code want} (-1: any size); an undeclared shape accepts all. */
    static boolean fits(ValueInfoProto v, long[] want) {
        if (!v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) return true;
        List<TensorShapeProto.Dimension> dims = v.getType().getTensorType().getShape().getDimList();
        if (dims.size() != want.length) return false;
        for (int i = 0; i < want.length; i++) {
            if (want[i] >= 0 && dims.get(i).hasDimValue() && dims.get(i).getDimValue() != want[i]) return false;
        }
        return true;
    }

    /** "float [batch, 1, 28, 28]" from the declaration. */
    static String describe(ValueInfoProto v) {
        if (!v.getType().hasTensorType()) return "(not a tensor)";
        TypeName type = new TypeName(elementType(v));
        if (!v.getType().getTensorType().hasShape()) return type + " of undeclared shape";
        StringBuilder b = new StringBuilder(type.toString()).append(" [");
        List<TensorShapeProto.Dimension> dims = v.getType().getTensorType().getShape().getDimList();
        for (int i = 0; i < dims.size(); i++) {
            if (i > 0) b.append(", ");
            TensorShapeProto.Dimension d = dims.get(i);
            b.append(d.hasDimValue() ? Long.toString(d.getDimValue()) : d.hasDimParam() ? d.getDimParam() : "?");
        }
        return b.append(']').toString();
    }

    private record TypeName(int code) {
        @Override
        public String toString() {
            return DType.fromOnnxCode(code).map(d -> switch (d) {
                case F32 -> "float";
                case F64 -> "double";
                case F16 -> "float16";
                case BF16 -> "bfloat16";
                case BOOL -> "bool";
                // ONNX names: I64 -> int64, U8 -> uint8
                default -> (d.name().startsWith("U") ? "uint" : "int") + d.name().substring(1);
            }).orElse("type " + code);
        }
    }
}
