package dev.l2c.graph;

import dev.l2c.L2cException;
import dev.l2c.model.onnx.proto.NodeProto;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Called by {@link OnnxExecutor#run(java.util.Map, java.util.Collection, NodeObserver)} after each
 * node it computes, in order: layer-wise calibration gathers a layer's inputs here (for XᵀX).
 *
 * <p>The tensors are the executor's: valid during the call only, not to be closed or changed in
 * place. Omitted optional inputs are null. Tensors the observer makes belong to the caller of
 * run() (its PointerScope, if any), not to the executor.
 */
@FunctionalInterface
public interface NodeObserver {
    void node(NodeProto node, List<Tensor> inputs, List<Tensor> outputs) throws L2cException;
}
