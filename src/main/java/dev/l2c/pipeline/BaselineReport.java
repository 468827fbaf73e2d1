package dev.l2c.pipeline;

import java.util.List;
import java.util.Map;

/**
 * What a baseline ratio mode ({@code --method uniform|prune|gptq}) chose: the step factor, or the
 * bit width and sparsity, the file it gave against the target, every coding it tried, and one row
 * per tensor.
 *
 * @param perChannel whether steps run per output channel (uniform --per-channel, gptq)
 * @param method {@link RatioMethod#label()} of the baseline
 * @param reached whether the written file lies in the band: at most the target size, at least
 *     (1 - tolerance) of it (ratio in [R, R / (1 - tolerance)])
 * @param tolerance the band width as a fraction of the target size (0.01: 1 %)
 * @param bits the chosen bit width (prune; 0 for the step-factor methods)
 * @param sparsity the chosen fraction of pruned weights per lossy tensor (0 unless prune)
 * @param stepFactor uniform and gptq: the common factor f, each step f times its channel's max|w|
 *     (NaN for prune)
 * @param distortion the data-free weight error of the written file, the sum over the lossy tensors
 *     of ||W - What||^2 / ||W||^2
 * @param probes how many codings were made for real
 * @param candidates prune: the best file found for each bit width tried; uniform, gptq: every
 *     step factor coded; in the order tried
 * @param layers gptq: per layer with input statistics, the relative output error
 *     tr(dW H dW^T) / tr(W H W^T) on the calibration data of round-to-nearest and of GPTQ at the
 *     chosen steps; empty otherwise
 * @param roundToNearest gptq: the lossy tensors without input statistics (rounded to nearest), and why
 */
public record BaselineReport(String method, boolean perChannel, double targetRatio, double achievedRatio, boolean reached,
        double tolerance, long fileBytes, long originalBytes, int bits, double sparsity, double stepFactor, double distortion,
        int probes, List<Candidate> candidates, List<RatioReport.Row> tensors, List<LayerError> layers,
        Map<String, String> roundToNearest) {

    /** One coding: its bit width and sparsity (prune) or step factor (uniform, gptq), and the file it gave. */
    public record Candidate(int bits, double sparsity, double stepFactor, long fileBytes, double ratio, double distortion,
            boolean inBand) {}

    /**
     * GPTQ, one layer: the relative output error tr(dM H dM^T) / tr(M H M^T) (H undampened) of
     * round-to-nearest and of GPTQ at the same steps; {@code view} how the weight lines up with H
     * (in_out: [in, out]; out_in: [out, ...]), {@code groups} and {@code k} the Gram matrices' count and size.
     */
    public record LayerError(String tensor, String view, int groups, int k, double roundToNearest, double gptq) {}
}
