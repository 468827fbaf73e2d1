package dev.l2c.graph;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;

/** ONNX Runtime, the independent reference the executor is compared with. */
final class OrtReference {
    private OrtReference() {}

    /** A named input for both runtimes: float32, float64 or int64 values and a shape. */
    record Feed(String name, Object values, long[] shape) {
        static Feed floats(String name, float[] v, long... shape) {
            return new Feed(name, v, shape);
        }

        static Feed longs(String name, long[] v, long... shape) {
            return new Feed(name, v, shape);
        }

        static Feed doubles(String name, double[] v, long... shape) {
            return new Feed(name, v, shape);
        }

        Tensor torch() {
            if (values instanceof float[] f) return Tensors.fromFloats(f, shape);
            if (values instanceof long[] l) return Tensors.fromLongs(l, shape);
            return Tensors.fromDoubles((double[]) values, shape);
        }
    }

    /** An ONNX Runtime session (one thread, graph optimizations off) to run one model repeatedly. */
    static final class Session implements AutoCloseable {
        private final OrtEnvironment env = OrtEnvironment.getEnvironment();
        private final OrtSession session;

        Session(Path model) throws OrtException {
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(1);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
                session = env.createSession(model.toString(), options);
            }
        }

        /** All outputs, as doubles. */
        Map<String, double[]> run(List<Feed> feeds) throws OrtException {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            try {
                for (Feed f : feeds) {
                    OnnxTensor t;
                    if (f.values instanceof float[] v) t = OnnxTensor.createTensor(env, FloatBuffer.wrap(v), f.shape);
                    else if (f.values instanceof long[] v) t = OnnxTensor.createTensor(env, LongBuffer.wrap(v), f.shape);
                    else t = OnnxTensor.createTensor(env, DoubleBuffer.wrap((double[]) f.values), f.shape);
                    inputs.put(f.name, t);
                }
                Map<String, double[]> out = new LinkedHashMap<>();
                try (OrtSession.Result result = session.run(inputs)) {
                    for (Map.Entry<String, OnnxValue> e : result) out.put(e.getKey(), toDoubles((OnnxTensor) e.getValue()));
                }
                return out;
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }

        @Override
        public void close() throws OrtException {
            session.close();
        }
    }

    /** Runs the model file once in ONNX Runtime and returns the outputs as doubles. */
    static Map<String, double[]> run(Path model, List<Feed> feeds) throws OrtException {
        try (Session s = new Session(model)) {
            return s.run(feeds);
        }
    }

    private static double[] toDoubles(OnnxTensor t) {
        return switch (t.getInfo().type) {
            case FLOAT -> {
                FloatBuffer b = t.getFloatBuffer();
                double[] d = new double[b.remaining()];
                for (int i = 0; i < d.length; i++) d[i] = b.get(i);
                yield d;
            }
            case DOUBLE -> {
                DoubleBuffer b = t.getDoubleBuffer();
                double[] d = new double[b.remaining()];
                b.get(d);
                yield d;
            }
            case INT64 -> {
                LongBuffer b = t.getLongBuffer();
                double[] d = new double[b.remaining()];
                for (int i = 0; i < d.length; i++) d[i] = b.get(i);
                yield d;
            }
            default -> throw new IllegalStateException("output type " + t.getInfo().type);
        };
    }

    /** max |a - b| / max |b|, with shapes' element counts checked. */
    static double relativeMaxDiff(double[] actual, double[] expected) {
        if (actual.length != expected.length) {
            throw new AssertionError("element counts differ: " + actual.length + " vs " + expected.length);
        }
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < actual.length; i++) {
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        if (Double.isNaN(diff)) return Double.NaN;
        return scale == 0 ? diff : diff / scale;
    }

    static float[] gaussian(Random rnd, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * std);
        return v;
    }

    static float[] uniform(Random rnd, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + rnd.nextDouble() * (hi - lo));
        return v;
    }
}
