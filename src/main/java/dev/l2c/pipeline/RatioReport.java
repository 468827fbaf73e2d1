package dev.l2c.pipeline;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.l2c.calib.CalibrationTiming;
import java.util.List;

/**
 * What ratio mode did: the file against its target, the rate estimate against the coded bytes, how
 * the calibration ran, and one row per tensor. The parts serialize flat (the JSON report's fields
 * are those of the parts).
 *
 * @param timing the calibration's wall time and where it went (the closing's real codings count as other)
 * @param network what network-aware calibration did; null for the data-free objective
 */
public record RatioReport(@JsonUnwrapped FileSize size, @JsonUnwrapped Estimate estimate, @JsonUnwrapped Calibration calibration,
        List<Row> tensors, CalibrationTiming timing, NetworkReport network) {

    /**
     * The written file against the target.
     *
     * @param reached whether the written file's ratio lies in [target, target / (1 - tolerance)]
     */
    public record FileSize(double targetRatio, double achievedRatio, boolean reached, double tolerance, long fileBytes,
            long originalBytes) {}

    /**
     * The rate estimate against what was coded, over the calibrated tensors.
     *
     * @param counterBits the counter's rate estimate (the information) summed over the coded tensors, in bits
     * @param estimatedPayloadBytes the estimate of their rANS payload: counterBits plus the modelled lane
     *     states and renormalization ({@code dev.l2c.codec.RansSizeModel})
     * @param codedPayloadBytes what the rANS coder really wrote for those tensors
     * @param codedTensors calibrated tensors stored quantized
     * @param packedSymbolTensors of those, the ones whose symbols are bit-packed or stored raw, not rANS-coded (small
     *     tensors, where that is cheaper; not in the estimate, the payload or the overhead)
     * @param exactTensors calibrated tensors stored exact, because their quantized entry would cost more
     * @param estimatedOverheadBytes the modelled container overhead of the rANS-coded tensors: tables,
     *     alphabets, chunk lists, padding (the index counted uncompressed)
     * @param overheadBytes the rANS-coded tensors' container overhead in the file: their share of the
     *     compressed index (name, shape, transform, alphabet, table, chunk list) and the padding before
     *     their payloads
     */
    public record Estimate(long calibratedElements, double counterBits, double estimatedPayloadBytes, long codedPayloadBytes,
            int codedTensors, int packedSymbolTensors, int exactTensors, double estimatedOverheadBytes, long overheadBytes) {}

    /**
     * How the transforms were learned.
     *
     * @param rounds optimization runs (the first plus warm-started corrections)
     * @param scale the final common factor applied to every learned parameter (1 when the runs closed)
     */
    public record Calibration(String objective, double distortion, double lambda, String kernel, int resolution, int steps, long seed,
            int rounds, double scale) {}

    /**
     * One tensor. {@code edge}, {@code step}: the learned parameters (the mean over channels for
     * per-channel transforms; NaN where not learned). {@code zeroed}: a lossy tensor every weight
     * of which is 0 in the file (the tensor is destroyed; the CLI warns).
     */
    public record Row(String name, long[] shape, String kind, String transform, double edge, double step,
            double bitsPerWeight, double sparsity, double ratio, double relativeError, boolean zeroed) {}
}
