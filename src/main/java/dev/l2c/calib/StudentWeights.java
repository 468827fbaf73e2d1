package dev.l2c.calib;

import dev.l2c.L2cException;
import dev.l2c.graph.OnnxExecutor;
import dev.l2c.graph.Tensors;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/** The student's calibrated weights as requires-grad leaves in the executor, and their gradients back. */
final class StudentWeights {
    private StudentWeights() {}

    /**
     * Installs {@code values[l]} as a live leaf for tensor l, over the buffer's memory (no copy: the
     * buffers must hold still until the leaves are dropped); the leaves join the caller's PointerScope.
     */
    static Tensor[] install(OnnxExecutor executor, CalibTensor[] tensors, FloatBuffer[] values) throws L2cException {
        Tensor[] leaves = new Tensor[tensors.length];
        for (int l = 0; l < tensors.length; l++) {
            leaves[l] = TorchBuffers.alias(values[l], tensors[l].shape()).requires_grad_(true);
            executor.setInitializer(tensors[l].name(), leaves[l]);
        }
        return leaves;
    }

    /** Installs {@code values[l]} for tensor l as a plain (no gradient) initializer; it joins the caller's PointerScope. */
    static void installFixed(OnnxExecutor executor, CalibTensor[] tensors, FloatBuffer[] values) throws L2cException {
        for (int l = 0; l < tensors.length; l++) {
            executor.setInitializer(tensors[l].name(), Tensors.fromFloats(values[l].duplicate().position(0), tensors[l].shape()));
        }
    }

    /**
     * One student step: installs {@code wHat}, runs the student on the sampler's next minibatch,
     * backpropagates (timed on {@code clock}) and copies dL/dWhat into {@code gradOut} (zeros where
     * no gradient reached a tensor). Returns the loss's parts, without its autograd total.
     */
    static Distillation.Loss step(OnnxExecutor executor, Distillation distillation, BatchSampler sampler, CalibTensor[] tensors,
            FloatBuffer[] wHat, Distillation.Weights weights, CalibrationClock clock, FloatBuffer[] gradOut) throws L2cException {
        try (LeafGradients g = stepHandingOver(executor, distillation, sampler, tensors, wHat, weights, clock)) {
            for (int l = 0; l < tensors.length; l++) {
                FloatBuffer src = g.get(l);
                if (src == null) {
                    for (int i = 0; i < gradOut[l].limit(); i++) gradOut[l].put(i, 0f);
                } else {
                    gradOut[l].put(0, src, 0, gradOut[l].limit());
                }
            }
            return g.loss();
        }
    }

    /**
     * {@link #step} that hands dL/dWhat over instead of copying it: the gradient tensors stay alive
     * in the returned {@link LeafGradients}, which the caller closes once it has read them.
     */
    static LeafGradients stepHandingOver(OnnxExecutor executor, Distillation distillation, BatchSampler sampler,
            CalibTensor[] tensors, FloatBuffer[] wHat, Distillation.Weights weights, CalibrationClock clock)
            throws L2cException {
        try (PointerScope scope = new PointerScope()) {
            Tensor[] leaves = install(executor, tensors, wHat);
            Distillation.Loss loss = distillation.student(sampler.next(), weights);
            long t0 = System.nanoTime();
            loss.total().backward();
            clock.addBackward(System.nanoTime() - t0);
            return LeafGradients.take(scope, leaves, tensors,
                    new Distillation.Loss(null, loss.output(), loss.features(), loss.crossEntropy()));
        }
    }

    /** Puts the model's own values back for every tensor. */
    static void reset(OnnxExecutor executor, CalibTensor[] tensors) {
        for (CalibTensor t : tensors) executor.resetInitializer(t.name());
    }
}
