package dev.l2c.graph;

import dev.l2c.L2cException;
import dev.l2c.model.onnx.proto.AttributeProto;
import dev.l2c.model.onnx.proto.AttributeProto.AttributeType;
import dev.l2c.model.onnx.proto.NodeProto;
import dev.l2c.model.onnx.proto.TensorProto;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;

/**
 * A graph node as its kernel factory sees it: the protobuf node, the opset it is read under,
 * typed attribute access, and errors that name the model file, the node and its operator.
 */
final class OpNode {
    /** Where constant tensors of kernels live: the executor owns them and frees them on close. */
    interface Constants {
        /** Decodes a TensorProto attribute into an owned tensor; {@code what} names it in errors. */
        Tensor decode(TensorProto t, String what) throws L2cException;

        /** Takes its own handle of {@code t}, freed with the executor. */
        Tensor own(Tensor t);
    }

    private final NodeProto proto;
    private final int index;
    private final int opset;
    private final String modelName;
    private final Constants constants;

    OpNode(NodeProto proto, int index, int opset, String modelName, Constants constants) {
        this.proto = proto;
        this.index = index;
        this.opset = opset;
        this.modelName = modelName;
        this.constants = constants;
    }

    NodeProto proto() {
        return proto;
    }

    String opType() {
        return proto.getOpType();
    }

    /** The default-domain opset the model imports. */
    int opset() {
        return opset;
    }

    /** The node's name, or {@code #index:op} when it has none. */
    String label() {
        return label(proto, index);
    }

    static String label(NodeProto proto, int index) {
        return proto.getName().isEmpty() ? "#" + index + ":" + proto.getOpType() : proto.getName();
    }

    /** An error about this node: model, node name, operator, then {@code what}. */
    L2cException fail(String what) {
        return new L2cException(modelName + ": node " + label() + " (" + opType() + "): " + what);
    }

    /** Refuses attributes outside {@code known}: an attribute the executor does not honour is an error. */
    void allowAttributes(String... known) throws L2cException {
        Set<String> allowed = new HashSet<>(Arrays.asList(known));
        for (AttributeProto a : proto.getAttributeList()) {
            if (!allowed.contains(a.getName())) {
                throw fail("attribute '" + a.getName() + "' is not supported"
                        + (known.length == 0 ? " (the operator takes none)" : " (supported: " + String.join(", ", known) + ")"));
            }
        }
    }

    /** Checks the number of inputs given (trailing omitted ones do not count) and outputs. */
    void checkArity(int minIn, int maxIn, int minOut, int maxOut) throws L2cException {
        int in = inputCount();
        if (in < minIn || in > maxIn) {
            throw fail("takes " + range(minIn, maxIn) + " inputs, the node has " + in);
        }
        int out = proto.getOutputCount();
        while (out > 0 && proto.getOutput(out - 1).isEmpty()) out--;
        if (out < minOut || out > maxOut) {
            throw fail("has " + range(minOut, maxOut) + " outputs here, the node declares " + out);
        }
    }

    private static String range(int min, int max) {
        if (min == max) return Integer.toString(min);
        return max == Integer.MAX_VALUE ? "at least " + min : min + " to " + max;
    }

    /** The number of inputs, not counting omitted (empty) trailing ones. */
    int inputCount() {
        int n = proto.getInputCount();
        while (n > 0 && proto.getInput(n - 1).isEmpty()) n--;
        return n;
    }

    /** True when output {@code i} is requested. */
    boolean hasOutput(int i) {
        return i < proto.getOutputCount() && !proto.getOutput(i).isEmpty();
    }

    boolean has(String name) {
        return find(name) != null;
    }

    long intAttr(String name, long absent) throws L2cException {
        AttributeProto a = find(name);
        if (a == null) return absent;
        expect(a, AttributeType.INT);
        return a.getI();
    }

    float floatAttr(String name, float absent) throws L2cException {
        AttributeProto a = find(name);
        if (a == null) return absent;
        expect(a, AttributeType.FLOAT);
        return a.getF();
    }

    String stringAttr(String name, String absent) throws L2cException {
        AttributeProto a = find(name);
        if (a == null) return absent;
        expect(a, AttributeType.STRING);
        return a.getS().toString(StandardCharsets.UTF_8);
    }

    /** An INTS attribute, or null when absent. */
    long[] intsAttr(String name) throws L2cException {
        AttributeProto a = find(name);
        if (a == null) return null;
        expect(a, AttributeType.INTS);
        return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** A FLOATS attribute, or null when absent. */
    float[] floatsAttr(String name) throws L2cException {
        AttributeProto a = find(name);
        if (a == null) return null;
        expect(a, AttributeType.FLOATS);
        float[] out = new float[a.getFloatsCount()];
        for (int i = 0; i < out.length; i++) out[i] = a.getFloats(i);
        return out;
    }

    /** A TENSOR attribute, or null when absent. */
    TensorProto tensorAttr(String name) throws L2cException {
        AttributeProto a = find(name);
        if (a == null) return null;
        expect(a, AttributeType.TENSOR);
        return a.getT();
    }

    /** A tensor attribute as an executor-owned libtorch tensor. */
    Tensor constant(TensorProto t, String what) throws L2cException {
        return constants.decode(t, "node " + label() + " attribute " + what);
    }

    /** A tensor made while building the kernel, kept (and freed) by the executor. */
    Tensor own(Tensor t) {
        return constants.own(t);
    }

    private AttributeProto find(String name) {
        for (AttributeProto a : proto.getAttributeList()) {
            if (a.getName().equals(name)) return a;
        }
        return null;
    }

    private void expect(AttributeProto a, AttributeType type) throws L2cException {
        // Old exporters leave the type unset; then the field that is filled decides.
        if (a.getType() != type && a.getType() != AttributeType.UNDEFINED) {
            throw fail("attribute '" + a.getName() + "' is " + a.getType() + ", expected " + type);
        }
    }
}
