package dev.l2c.pipeline;

import dev.l2c.calib.CalibrationTiming;
import java.util.List;

/**
 * What ratio mode did: the target and the ratio of the written file, how the rate control closed,
 * and one row per tensor.
 *
 * @param reached whether the written file's ratio lies in [target, target / (1 - tolerance)]
 * @param counterBits the counter's rate estimate (the information) summed over the coded tensors, in bits
 * @param estimatedPayloadBytes the estimate of their rANS payload: counterBits plus the modelled lane
 *     states and renormalization ({@code dev.l2c.codec.RansSizeModel})
 * @param codedPayloadBytes what the rANS coder really wrote for those tensors
 * @param codedTensors calibrated tensors stored quantized
 * @param rawSymbolTensors of those, the ones whose symbols are stored raw, not rANS-coded (small
 *     tensors, where that is cheaper; not in the estimate, the payload or the overhead)
 * @param exactTensors calibrated tensors stored exact, because their quantized entry would cost more
 * @param estimatedOverheadBytes the modelled container overhead of the rANS-coded tensors: tables,
 *     alphabets, chunk lists, padding
 * @param overheadBytes the rANS-coded tensors' container overhead in the file: their index entries
 *     (name, shape, transform, alphabet, table, chunk list) and the padding before their payloads
 * @param rounds optimization runs (the first plus warm-started corrections)
 * @param scale the final common factor applied to every learned parameter (1 when the runs closed)
 * @param timing the calibration's wall time and where it went (the closing's real codings count as other)
 * @param network what network-aware calibration did; null for the data-free objective
 */
public record RatioReport(double targetRatio, double achievedRatio, boolean reached, double tolerance,
        long fileBytes, long originalBytes, long calibratedElements, double counterBits, double estimatedPayloadBytes,
        long codedPayloadBytes, int codedTensors, int rawSymbolTensors, int exactTensors, double estimatedOverheadBytes, long overheadBytes,
        String objective, double distortion, double lambda, String kernel, int resolution, int steps, long seed,
        int rounds, double scale, List<Row> tensors, CalibrationTiming timing, NetworkReport network) {

    /**
     * One tensor. {@code edge}, {@code step}: the learned parameters (the mean over channels for
     * per-channel transforms; NaN where not learned). {@code zeroed}: a lossy tensor every weight
     * of which is 0 in the file (the tensor is destroyed; the CLI warns).
     */
    public record Row(String name, long[] shape, String kind, String transform, double edge, double step,
            double bitsPerWeight, double sparsity, double ratio, double relativeError, boolean zeroed) {}
}
