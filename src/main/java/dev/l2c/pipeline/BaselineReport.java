package dev.l2c.pipeline;

import java.util.List;

/**
 * What a baseline ratio mode ({@code --method uniform|prune}) chose: the bit width and sparsity,
 * the file it gave against the target, every bit width it tried, and one row per tensor.
 *
 * @param method {@link RatioMethod#label()} of the baseline
 * @param reached whether the written file's ratio lies within the tolerance of the target
 * @param tolerance the band half-width as a fraction of the target ratio (0.01: +-1 %)
 * @param bits the chosen bit width
 * @param sparsity the chosen fraction of pruned weights per lossy tensor (0 for uniform)
 * @param distortion the data-free weight error of the written file, the sum over the lossy tensors
 *     of ||W - What||^2 / ||W||^2
 * @param probes how many (bits, sparsity) pairs were coded for real
 * @param candidates the best file found for each bit width tried, in the order tried
 */
public record BaselineReport(String method, double targetRatio, double achievedRatio, boolean reached, double tolerance,
        long fileBytes, long originalBytes, int bits, double sparsity, double distortion, int probes,
        List<Candidate> candidates, List<RatioReport.Row> tensors) {

    /** One bit width: the file it gave at the sparsity found for it. */
    public record Candidate(int bits, double sparsity, long fileBytes, double ratio, double distortion, boolean inBand) {}
}
