package dev.l2c.transform;

/**
 * GPTQ rounding (Frantar et al., "GPTQ: Accurate Post-Training Quantization for Generative
 * Pre-trained Transformers", 2023), from its math: a layer's weight is viewed as a matrix M (rows:
 * outputs, columns: the k inputs each output sees) whose output error on inputs X is
 * tr(dM H dM^T) with H = X^T X. The columns are quantized in order; the error of column i, divided
 * by U_ii, is subtracted from the columns not yet quantized along row i of U, the upper Cholesky
 * factor of H^-1 (H^-1 = U^T U). That is the optimal update of the remaining weights for the
 * error just made (the Optimal Brain Surgeon step), and U carries the eliminations of the earlier
 * columns, so H^-1 is factored once per layer. The update is applied lazily in blocks of
 * {@value #BLOCK} columns: within a block at once, to the columns after it once per block
 * (the same arithmetic, fewer passes over M).
 *
 * <p>H is dampened by {@value #DAMPING} of its mean diagonal (a column whose input was always zero
 * gets diagonal 1 first), so H^-1 exists and the update stays small where the data barely
 * constrains a direction. Steps are given per row (output channel); symbols are clamped to
 * [-levels, levels] as plain rounding clamps them.
 */
public final class GptqQuantizer {
    public static final double DAMPING = 0.01;
    public static final int BLOCK = 128;

    private final int k;
    /** Upper Cholesky factor of (H + damping I)^-1, k x k row-major. */
    private final double[] u;

    /** Prepares the rounding for inputs with Gram matrix {@code h} (k x k, row-major, symmetric; not modified). */
    public GptqQuantizer(double[] h, int k) {
        if (k < 1 || h.length != (long) k * k) throw new IllegalArgumentException("H of " + h.length + " values is not " + k + " x " + k);
        this.k = k;
        double[] a = h.clone();
        double mean = 0;
        for (int i = 0; i < k; i++) {
            if (!(a[i * k + i] > 0)) a[i * k + i] = 1;
            mean += a[i * k + i];
        }
        mean /= k;
        for (int i = 0; i < k; i++) a[i * k + i] += DAMPING * mean;
        double[] l = cholesky(a, k);
        double[] inverse = inverseFromCholesky(l, k);
        double[] c = cholesky(inverse, k);
        u = new double[k * k];
        for (int i = 0; i < k; i++) for (int j = 0; j <= i; j++) u[j * k + i] = c[i * k + j];
    }

    public int k() {
        return k;
    }

    /**
     * Quantizes {@code m} (rows x k, row-major) column by column with error feedback; {@code m}
     * is overwritten by the updated weights. Returns the symbols, row-major; row r's value is
     * q * steps[r].
     */
    public int[] quantize(double[] m, int rows, float[] steps, int levels) {
        check(m, rows, k, steps);
        int[] q = new int[m.length];
        double[] err = new double[rows * BLOCK];
        for (int i1 = 0; i1 < k; i1 += BLOCK) {
            int i2 = Math.min(k, i1 + BLOCK);
            int width = i2 - i1;
            for (int i = i1; i < i2; i++) {
                double d = u[i * k + i];
                for (int r = 0; r < rows; r++) {
                    int at = r * k + i;
                    double step = steps[r];
                    int s = round(m[at], step, levels);
                    q[at] = s;
                    double e = (m[at] - s * step) / d;
                    err[r * BLOCK + (i - i1)] = e;
                    for (int j = i + 1; j < i2; j++) m[r * k + j] -= e * u[i * k + j];
                }
            }
            if (i2 == k) break;
            for (int r = 0; r < rows; r++) {
                int row = r * k;
                for (int b = 0; b < width; b++) {
                    double e = err[r * BLOCK + b];
                    if (e == 0) continue;
                    int ub = (i1 + b) * k;
                    for (int j = i2; j < k; j++) m[row + j] -= e * u[ub + j];
                }
            }
        }
        return q;
    }

    /** Plain round-to-nearest of {@code m} (rows x k) with the same steps and clamp. */
    public static int[] roundToNearest(double[] m, int rows, int k, float[] steps, int levels) {
        check(m, rows, k, steps);
        int[] q = new int[m.length];
        for (int r = 0; r < rows; r++) for (int j = 0; j < k; j++) q[r * k + j] = round(m[r * k + j], steps[r], levels);
        return q;
    }

    /** tr(D H D^T) for D rows x k and H k x k, row-major. */
    public static double quadratic(double[] d, int rows, int k, double[] h) {
        double sum = 0;
        double[] hd = new double[k];
        for (int r = 0; r < rows; r++) {
            java.util.Arrays.fill(hd, 0);
            for (int i = 0; i < k; i++) {
                double di = d[r * k + i];
                if (di == 0) continue;
                for (int j = 0; j < k; j++) hd[j] += di * h[i * k + j];
            }
            for (int j = 0; j < k; j++) sum += hd[j] * d[r * k + j];
        }
        return sum;
    }

    /** round(w / step) clamped to [-levels, levels]; the same rule as the plain relative-step quantizer. */
    static int round(double w, double step, int levels) {
        long v = Math.round(w / step);
        return (int) Math.max(-levels, Math.min(levels, v));
    }

    private static void check(double[] m, int rows, int k, float[] steps) {
        if (m.length != (long) rows * k || steps.length != rows) {
            throw new IllegalArgumentException(m.length + " weights and " + steps.length + " steps for " + rows + " x " + k);
        }
    }

    /** Lower L with A = L L^T; A must be symmetric positive definite. */
    static double[] cholesky(double[] a, int k) {
        double[] l = new double[k * k];
        for (int j = 0; j < k; j++) {
            double s = a[j * k + j];
            for (int p = 0; p < j; p++) s -= l[j * k + p] * l[j * k + p];
            if (!(s > 0)) throw new IllegalArgumentException("matrix is not positive definite (pivot " + j + ": " + s + ")");
            double d = Math.sqrt(s);
            l[j * k + j] = d;
            for (int i = j + 1; i < k; i++) {
                double t = a[i * k + j];
                for (int p = 0; p < j; p++) t -= l[i * k + p] * l[j * k + p];
                l[i * k + j] = t / d;
            }
        }
        return l;
    }

    /** A^-1 = L^-T L^-1 from the lower Cholesky factor L of A. */
    static double[] inverseFromCholesky(double[] l, int k) {
        // X = L^-1, lower triangular, by forward substitution column by column.
        double[] x = new double[k * k];
        for (int c = 0; c < k; c++) {
            x[c * k + c] = 1 / l[c * k + c];
            for (int i = c + 1; i < k; i++) {
                double s = 0;
                for (int p = c; p < i; p++) s += l[i * k + p] * x[p * k + c];
                x[i * k + c] = -s / l[i * k + i];
            }
        }
        // (X^T X)_ij = sum_p X_pi X_pj, p >= max(i, j).
        double[] inv = new double[k * k];
        for (int p = 0; p < k; p++) {
            for (int i = 0; i <= p; i++) {
                double xi = x[p * k + i];
                if (xi == 0) continue;
                for (int j = 0; j <= i; j++) inv[i * k + j] += xi * x[p * k + j];
            }
        }
        for (int i = 0; i < k; i++) for (int j = 0; j < i; j++) inv[j * k + i] = inv[i * k + j];
        return inv;
    }
}
