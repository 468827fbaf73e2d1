package dev.l2c.calib;

import dev.l2c.L2cException;
import dev.l2c.counter.CounterContext;
import dev.l2c.counter.CounterKernel;
import dev.l2c.counter.CounterKernels;
import dev.l2c.transform.Channels;
import dev.l2c.transform.TransformContext;
import dev.l2c.transform.TransformKernels;
import dev.l2c.transform.TransformKind;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * Where calibration's wall time goes: network forward passes, backward passes, the counter and
 * the transform kernels, each summed from System.nanoTime around the calls; the rest of the
 * elapsed time since {@link #start()} is "other" (Adam updates, data, bookkeeping). Not
 * thread-safe: calibration runs these calls one at a time.
 */
public final class CalibrationClock {
    private long started = -1;
    private long forward;
    private long backward;
    private long counter;
    private long transform;

    /** Starts (or restarts) the elapsed time and clears the sums. */
    public void start() {
        started = System.nanoTime();
        forward = backward = counter = transform = 0;
    }

    public void addForward(long nanos) {
        forward += nanos;
    }

    public void addBackward(long nanos) {
        backward += nanos;
    }

    /** The times so far, in seconds. */
    public CalibrationTiming timing() {
        double total = started < 0 ? 0 : (System.nanoTime() - started) / 1e9;
        double f = forward / 1e9;
        double b = backward / 1e9;
        double c = counter / 1e9;
        double t = transform / 1e9;
        return new CalibrationTiming(total, f, b, c, t, Math.max(0, total - f - b - c - t));
    }

    /** A timed call. */
    private interface Call<T> {
        T run() throws L2cException;
    }

    private <T> T timeTransform(Call<T> call) throws L2cException {
        long t0 = System.nanoTime();
        try {
            return call.run();
        } finally {
            transform += System.nanoTime() - t0;
        }
    }

    private <T> T timeCounter(Call<T> call) throws L2cException {
        long t0 = System.nanoTime();
        try {
            return call.run();
        } finally {
            counter += System.nanoTime() - t0;
        }
    }

    /** {@code kernels} with their calls (and their contexts' calls) timed as "transform". */
    public TransformKernels time(TransformKernels kernels) {
        return new TransformKernels() {
            @Override
            public void forward(TransformKind kind, FloatBuffer w, long n, Channels channels, FloatBuffer params, FloatBuffer c,
                    IntBuffer q, FloatBuffer wHat) throws L2cException {
                timeTransform(() -> {
                    kernels.forward(kind, w, n, channels, params, c, q, wHat);
                    return null;
                });
            }

            @Override
            public void backward(TransformKind kind, FloatBuffer w, long n, Channels channels, FloatBuffer params,
                    FloatBuffer gWHat, FloatBuffer gC, double gCScale, FloatBuffer gW, FloatBuffer gParams) throws L2cException {
                timeTransform(() -> {
                    kernels.backward(kind, w, n, channels, params, gWHat, gC, gCScale, gW, gParams);
                    return null;
                });
            }

            @Override
            public TransformContext context(TransformKind kind, long n, Channels channels) {
                TransformContext inner = kernels.context(kind, n, channels);
                return new TransformContext() {
                    @Override
                    public TransformKind kind() {
                        return inner.kind();
                    }

                    @Override
                    public long elements() {
                        return inner.elements();
                    }

                    @Override
                    public Channels channels() {
                        return inner.channels();
                    }

                    @Override
                    public void setParams(FloatBuffer params) throws L2cException {
                        inner.setParams(params);
                    }

                    @Override
                    public void forward(FloatBuffer w, FloatBuffer c, IntBuffer q, FloatBuffer wHat) throws L2cException {
                        timeTransform(() -> {
                            inner.forward(w, c, q, wHat);
                            return null;
                        });
                    }

                    @Override
                    public void backward(FloatBuffer w, FloatBuffer gWHat, FloatBuffer gC, double gCScale, FloatBuffer gW,
                            FloatBuffer gParams) throws L2cException {
                        timeTransform(() -> {
                            inner.backward(w, gWHat, gC, gCScale, gW, gParams);
                            return null;
                        });
                    }

                    @Override
                    public void close() {
                        inner.close();
                    }
                };
            }
        };
    }

    /** {@code kernels} with their calls (and their contexts' calls) timed as "counter". */
    public CounterKernels time(CounterKernels kernels) {
        return new CounterKernels() {
            @Override
            public Rate forward(FloatBuffer c, long n, CounterKernel kernel, int resolution) throws L2cException {
                return timeCounter(() -> kernels.forward(c, n, kernel, resolution));
            }

            @Override
            public void backward(FloatBuffer c, long n, CounterKernel kernel, int resolution, float scale, FloatBuffer grad)
                    throws L2cException {
                timeCounter(() -> {
                    kernels.backward(c, n, kernel, resolution, scale, grad);
                    return null;
                });
            }

            @Override
            public Rate forwardBackward(FloatBuffer c, long n, CounterKernel kernel, int resolution, float scale,
                    FloatBuffer grad) throws L2cException {
                return timeCounter(() -> kernels.forwardBackward(c, n, kernel, resolution, scale, grad));
            }

            @Override
            public CounterContext context(long n, CounterKernel kernel, int resolution) {
                CounterContext inner = kernels.context(n, kernel, resolution);
                return new CounterContext() {
                    @Override
                    public long elements() {
                        return inner.elements();
                    }

                    @Override
                    public Rate run(FloatBuffer c, float scale, FloatBuffer grad) throws L2cException {
                        return timeCounter(() -> inner.run(c, scale, grad));
                    }

                    @Override
                    public void close() {
                        inner.close();
                    }
                };
            }
        };
    }
}
