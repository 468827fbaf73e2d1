package dev.l2c.model;

import dev.l2c.L2cException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named weight tensor: element type, shape (row-major) and its bytes, little-endian.
 *
 * <p>The bytes of one tensor fit one {@link ByteBuffer}, so at most {@link #MAX_BYTES}. The
 * buffer may be a read-only view of a memory-mapped file; {@link #data()} hands out an
 * independent little-endian view each time, so readers never disturb one another's position.
 * Constructing a tensor from inconsistent parts is a programming error
 * ({@link IllegalArgumentException}); readers check file contents with {@link #byteLength} first
 * and report bad files as {@link L2cException}.
 */
public record Tensor(String name, DType dtype, long[] shape, ByteBuffer data) {
    /** The most bytes one tensor may hold: the capacity limit of a ByteBuffer. */
    public static final long MAX_BYTES = Integer.MAX_VALUE;

    public Tensor {
        if (name == null || dtype == null || shape == null || data == null) {
            throw new IllegalArgumentException("tensor " + name + ": name, dtype, shape and data are required");
        }
        shape = shape.clone();
        long bytes;
        try {
            bytes = byteLength(name, dtype, shape);
        } catch (L2cException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (data.position() != 0) {
            throw new IllegalArgumentException("tensor " + name + ": data position is " + data.position() + ", must be 0");
        }
        if (data.remaining() != bytes) {
            throw new IllegalArgumentException("tensor " + name + ": " + dtype + Arrays.toString(shape) + " needs "
                    + bytes + " bytes, data holds " + data.remaining());
        }
        data = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The byte size of a tensor of this type and shape, refusing negative dimensions and sizes over
     * {@link #MAX_BYTES}; the message names the tensor.
     */
    public static int byteLength(String name, DType dtype, long[] shape) throws L2cException {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new L2cException("tensor " + name + ": negative dimension in shape " + Arrays.toString(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                n = Long.MAX_VALUE; // d > 0 here; the product is at least this large
            }
        }
        long bytes = n > MAX_BYTES ? Long.MAX_VALUE : n * dtype.byteSize();
        if (bytes > MAX_BYTES) {
            throw new L2cException("tensor " + name + ": " + dtype + Arrays.toString(shape)
                    + " is larger than " + MAX_BYTES + " bytes, the most one tensor may hold");
        }
        return (int) bytes;
    }

    /** A float32 tensor holding {@code values} (copied). */
    public static Tensor ofFloats(String name, long[] shape, float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return new Tensor(name, DType.F32, shape, buf);
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A fresh little-endian view of the bytes, position 0, limit = byte size. */
    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    public int rank() {
        return shape.length;
    }

    /** Number of elements (1 for a scalar). */
    public long numel() {
        return data.remaining() / dtype.byteSize();
    }

    public int byteSize() {
        return data.remaining();
    }

    /**
     * Element {@code i} of a floating-point tensor as a float. F16 and BF16 widen exactly, NaN
     * payloads included; F64 rounds to nearest, and a NaN keeps the top 23 bits of its payload.
     */
    public float floatAt(long i) {
        if (i < 0 || i >= numel()) {
            throw new IndexOutOfBoundsException("tensor " + name + ": index " + i + " outside [0, " + numel() + ")");
        }
        int at = (int) i;
        return switch (dtype) {
            case F32 -> data.getFloat(at * 4);
            case F64 -> doubleToFloat(data.getDouble(at * 8));
            case F16 -> halfToFloat(data.getShort(at * 2));
            case BF16 -> bf16ToFloat(data.getShort(at * 2));
            default -> throw notFloat();
        };
    }

    /** All elements of a floating-point tensor as floats, converted as {@link #floatAt}. */
    public float[] toFloatArray() {
        if (!dtype.isFloat()) throw notFloat();
        int n = (int) numel();
        float[] out = new float[n];
        if (dtype == DType.F32) {
            data.asFloatBuffer().get(out);
            return out;
        }
        for (int i = 0; i < n; i++) out[i] = floatAt(i);
        return out;
    }

    /**
     * IEEE binary16 bits to float, exactly; a NaN comes out quiet, its sign and 10-bit payload in
     * the top mantissa bits (docs/FORMAT.md, Float conversions).
     */
    public static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13) | (mant != 0 ? QUIET_F32 : 0));
        if (exp != 0) return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
        // Zero or subnormal: mant * 2^-24 is exact in float.
        float magnitude = mant * 0x1p-24f;
        return sign != 0 ? -magnitude : magnitude;
    }

    /** bfloat16 bits to float, exactly; a NaN comes out quiet with its sign and payload. */
    public static float bf16ToFloat(short bits) {
        int f = (bits & 0xffff) << 16;
        return Float.intBitsToFloat((f & 0x7fffffff) > 0x7f800000 ? f | QUIET_F32 : f);
    }

    /** Double to float, rounding to nearest; a NaN comes out quiet with its sign and the top of its payload. */
    public static float doubleToFloat(double d) {
        if (!Double.isNaN(d)) return (float) d;
        long bits = Double.doubleToRawLongBits(d);
        int sign = (int) (bits >>> 63) << 31;
        int payload = (int) ((bits >>> 29) & 0x7fffff);
        return Float.intBitsToFloat(sign | 0x7f800000 | QUIET_F32 | payload);
    }

    /** Float to double, exactly; a NaN comes out quiet with its sign and payload (not left to the CPU). */
    public static double floatToDouble(float f) {
        if (!Float.isNaN(f)) return f;
        int bits = Float.floatToRawIntBits(f);
        long sign = (long) (bits >>> 31) << 63;
        long payload = (long) (bits & 0x7fffff) << 29;
        return Double.longBitsToDouble(sign | 0x7ff0000000000000L | QUIET_F64 | payload);
    }

    /** The quiet bits: the top mantissa bit of a NaN (IEEE 754-2008 6.2.1). */
    private static final int QUIET_F32 = 0x00400000;
    private static final long QUIET_F64 = 0x0008000000000000L;

    private IllegalStateException notFloat() {
        return new IllegalStateException("tensor " + name + ": " + dtype + " is not a floating-point type");
    }

    /** Equal when name, type, shape and bytes are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && data.equals(t.data);
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + dtype.hashCode()) * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "Tensor[" + name + " " + dtype + Arrays.toString(shape) + "]";
    }
}
