package dev.l2c.pipeline;

import dev.l2c.calib.Distillation;
import java.util.List;
import java.util.Map;

/**
 * What network-aware calibration did (part of {@link RatioReport}; null for data-free).
 *
 * @param data the calibration data's name
 * @param samples calibration samples
 * @param features the intermediate values distilled besides the outputs (KD)
 * @param dataFreeTensors calibrated tensors the layer-wise objective could not model, with the
 *     reason; they kept the data-free term
 * @param outputError relative output error at the last transform-phase step (KD; NaN otherwise)
 * @param featureError mean relative feature error at that step
 * @param crossEntropy cross-entropy on the labels at the last reconstruction step (NaN without)
 * @param heldBack the held-back check of KD (null otherwise)
 */
public record NetworkReport(String data, int samples, int batch, int kdSteps, int reconSteps, int rounds, double kdLearningRate,
        double reconLearningRate, List<String> features, Map<String, String> dataFreeTensors, double outputError,
        double featureError, double crossEntropy, HeldBack heldBack) {
    /**
     * The student on the calibration samples KD never trained on: at the data-free start, after
     * each round, and for the coded file (null when the closing did not measure it); what the guard
     * kept, in words.
     */
    public record HeldBack(int samples, Distillation.Signal start, List<Distillation.Signal> rounds, Distillation.Signal coded,
            List<String> notes) {}
}
