package dev.l2c.graph;

import dev.l2c.model.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Optional;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * libtorch CPU tensors to and from Java arrays and buffers, each a single bulk copy (no
 * per-element JNI calls). Tensors made here belong to the caller: inside a {@link PointerScope}
 * they are freed with it, otherwise by {@code close()} (or, late, by the garbage collector).
 */
public final class Tensors {
    private Tensors() {}

    /** A float32 tensor of {@code shape} holding a copy of {@code values}. */
    public static Tensor fromFloats(float[] values, long... shape) {
        checkCount(values.length, shape);
        Tensor t = empty(ScalarType.Float, shape);
        if (values.length > 0) t.data_ptr_float().put(values);
        return t;
    }

    /** A float32 tensor of {@code shape} holding a copy of the buffer's remaining floats. */
    public static Tensor fromFloats(FloatBuffer values, long... shape) {
        checkCount(values.remaining(), shape);
        Tensor t = empty(ScalarType.Float, shape);
        if (values.hasRemaining()) {
            FloatPointer p = t.data_ptr_float();
            p.capacity(values.remaining()).asBuffer().put(values.duplicate());
        }
        return t;
    }

    /** A float64 tensor of {@code shape} holding a copy of {@code values}. */
    public static Tensor fromDoubles(double[] values, long... shape) {
        checkCount(values.length, shape);
        Tensor t = empty(ScalarType.Double, shape);
        if (values.length > 0) new DoublePointer(t.data_ptr()).put(values);
        return t;
    }

    /** An int64 tensor of {@code shape} holding a copy of {@code values}. */
    public static Tensor fromLongs(long[] values, long... shape) {
        checkCount(values.length, shape);
        Tensor t = empty(ScalarType.Long, shape);
        if (values.length > 0) t.data_ptr_long().put(values);
        return t;
    }

    /** An int64 tensor of {@code shape} holding a copy of the buffer's remaining longs. */
    public static Tensor fromLongs(LongBuffer values, long... shape) {
        checkCount(values.remaining(), shape);
        Tensor t = empty(ScalarType.Long, shape);
        if (values.hasRemaining()) {
            LongPointer p = t.data_ptr_long();
            p.capacity(values.remaining()).asBuffer().put(values.duplicate());
        }
        return t;
    }

    /** An uninitialized tensor of {@code dtype}'s element type and {@code shape}, owned by the caller. */
    public static Tensor empty(DType dtype, long[] shape) {
        return empty(scalarType(dtype), shape);
    }

    /** A model weight as a libtorch tensor of the same element type and shape (a copy). */
    public static Tensor fromModel(dev.l2c.model.Tensor weight) {
        Tensor t = empty(scalarType(weight.dtype()), weight.shape());
        ByteBuffer data = weight.data();
        if (data.hasRemaining()) {
            BytePointer p = new BytePointer(t.data_ptr());
            p.capacity(data.remaining()).asByteBuffer().put(data);
        }
        return t;
    }

    /**
     * A copy of the tensor as a model weight named {@code name}, of the same element type and shape
     * (what {@link dev.l2c.model.OnnxModel#write} takes as a replacement). Gradients are not kept.
     */
    public static dev.l2c.model.Tensor toModel(String name, Tensor t) {
        ScalarType type = type(t);
        DType dtype = dtype(type).orElseThrow(
                () -> new IllegalArgumentException("tensor " + name + ": element type " + type + " has no model dtype"));
        try (PointerScope scope = new PointerScope()) {
            Tensor c = plain(t, type);
            long bytes = c.nbytes();
            if (bytes > dev.l2c.model.Tensor.MAX_BYTES) {
                throw new IllegalArgumentException("tensor " + name + " of " + bytes + " bytes is too large for one buffer");
            }
            ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (bytes > 0) out.put(new BytePointer(c.data_ptr()).capacity(bytes).asByteBuffer());
            return new dev.l2c.model.Tensor(name, dtype, shape(c), out.flip());
        }
    }

    /** The tensor's elements as float32, row-major (converted from its type; gradients not kept). */
    public static float[] toFloats(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            Tensor c = plain(t, ScalarType.Float);
            float[] out = new float[checkedLength(c)];
            if (out.length > 0) c.data_ptr_float().get(out);
            return out;
        }
    }

    /** The tensor's elements as float64, row-major. */
    public static double[] toDoubles(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            Tensor c = plain(t, ScalarType.Double);
            double[] out = new double[checkedLength(c)];
            if (out.length > 0) new DoublePointer(c.data_ptr()).get(out);
            return out;
        }
    }

    /** The tensor's elements as int64, row-major (floats truncated toward zero). */
    public static long[] toLongs(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            Tensor c = plain(t, ScalarType.Long);
            long[] out = new long[checkedLength(c)];
            if (out.length > 0) c.data_ptr_long().get(out);
            return out;
        }
    }

    /** The tensor's shape. */
    public static long[] shape(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            return t.sizes().vec().get();
        }
    }

    /**
     * The tensor's element type as the canonical enum constant, fit for {@code ==} and switch
     * (JavaCPP may hand back a fresh enum object from native code).
     */
    public static ScalarType type(Tensor t) {
        return t.scalar_type().intern();
    }

    /** The libtorch element type of a model dtype. */
    public static ScalarType scalarType(DType dtype) {
        return switch (dtype) {
            case F64 -> ScalarType.Double;
            case F32 -> ScalarType.Float;
            case F16 -> ScalarType.Half;
            case BF16 -> ScalarType.BFloat16;
            case I64 -> ScalarType.Long;
            case I32 -> ScalarType.Int;
            case I16 -> ScalarType.Short;
            case I8 -> ScalarType.Char;
            case U64 -> ScalarType.UInt64;
            case U32 -> ScalarType.UInt32;
            case U16 -> ScalarType.UInt16;
            case U8 -> ScalarType.Byte;
            case BOOL -> ScalarType.Bool;
        };
    }

    /** The model dtype of a libtorch element type, if l2c has one. */
    public static Optional<DType> dtype(ScalarType type) {
        for (DType d : DType.values()) {
            if (scalarType(d) == type.intern()) return Optional.of(d);
        }
        return Optional.empty();
    }

    /** The libtorch element type of an ONNX {@code TensorProto.DataType} code, if supported. */
    static Optional<ScalarType> fromOnnx(int elemType) {
        return DType.fromOnnxCode(elemType).map(Tensors::scalarType);
    }

    /** The ONNX name of an element type, for messages. */
    static String onnxName(ScalarType type) {
        return dtype(type).map(d -> d.name().toLowerCase()).orElse(type.toString());
    }

    /** An uninitialized tensor owned by the caller (its options object freed at once). */
    static Tensor empty(ScalarType type, long[] shape) {
        Torch.ensureConfigured();
        Tensor own;
        try (PointerScope scope = new PointerScope()) {
            own = Handles.adopt(scope, torch.empty(shape, new TensorOptions(type), null));
        }
        return Handles.toCaller(own); // after the scope is gone, so the caller's is the innermost
    }

    /** Detached, contiguous, of {@code type}: a tensor whose data pointer reads as plain elements. */
    private static Tensor plain(Tensor t, ScalarType type) {
        if (!t.defined()) throw new IllegalArgumentException("undefined tensor");
        return t.detach().to(type).contiguous();
    }

    private static int checkedLength(Tensor t) {
        long n = t.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of " + n + " elements does not fit a Java array");
        }
        return (int) n;
    }

    private static void checkCount(long count, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        if (n != count) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " elements, got " + count);
        }
    }
}
