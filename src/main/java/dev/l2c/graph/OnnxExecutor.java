package dev.l2c.graph;

import dev.l2c.L2cException;
import dev.l2c.model.DType;
import dev.l2c.model.OnnxModel;
import dev.l2c.model.onnx.proto.GraphProto;
import dev.l2c.model.onnx.proto.ModelProto;
import dev.l2c.model.onnx.proto.NodeProto;
import dev.l2c.model.onnx.proto.OperatorSetIdProto;
import dev.l2c.model.onnx.proto.TensorProto;
import dev.l2c.model.onnx.proto.TensorShapeProto;
import dev.l2c.model.onnx.proto.TypeProto;
import dev.l2c.model.onnx.proto.ValueInfoProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Runs an ONNX model's main graph on libtorch (CPU), with autograd: replace an initializer by a
 * tensor that requires grad, run, and call backward() on a result.
 *
 * <p>Every node's operator and attributes are checked when the executor is built, so an
 * unsupported model fails before any work. A run computes only the nodes the fetched values need,
 * each inside a JavaCPP {@link PointerScope}, and frees every intermediate after its last use;
 * what autograd needs for backward() it keeps by itself. The fetched tensors belong to the
 * caller: they join the caller's PointerScope if one is open, else the caller closes them.
 *
 * <p>Not thread-safe: one run at a time.
 */
public final class OnnxExecutor implements AutoCloseable {
    private final String modelName;
    private final List<Step> steps;
    private final Map<String, Integer> producers;
    private final LinkedHashMap<String, ValueInfoProto> inputs;
    private final List<String> outputs;
    private final LinkedHashMap<String, Tensor> originals;
    private final Map<String, Tensor> current;
    private final List<String> floatInitializers;
    private final Set<String> runningStatistics;
    private final List<Tensor> constants;
    private boolean training;
    private boolean closed;
    private Plan lastPlan;

    /** One node with its prepared kernel. */
    private record Step(NodeProto node, String label, Kernel kernel) {}

    /** The steps one fetch list needs and, per step, the values that die after it. */
    private record Plan(List<String> fetch, int[] steps, List<List<String>> dying) {}

    private OnnxExecutor(String modelName, List<Step> steps, LinkedHashMap<String, ValueInfoProto> inputs,
            List<String> outputs, LinkedHashMap<String, Tensor> originals, List<String> floatInitializers,
            Set<String> runningStatistics, List<Tensor> constants) {
        this.modelName = modelName;
        this.steps = steps;
        this.inputs = inputs;
        this.outputs = outputs;
        this.originals = originals;
        this.current = new HashMap<>(originals);
        this.floatInitializers = floatInitializers;
        this.runningStatistics = runningStatistics;
        this.constants = constants;
        this.producers = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            for (String out : steps.get(i).node.getOutputList()) {
                if (!out.isEmpty()) producers.put(out, i);
            }
        }
    }

    /**
     * Builds an executor over the model's main graph. Every node's operator and attributes are
     * checked first: an unsupported one is an L2cException naming the operator, the node (its
     * name, or {@code #index:op}) and the model file, before weights are loaded.
     */
    public static OnnxExecutor of(OnnxModel model) throws L2cException {
        Torch.ensureConfigured();
        String name = model.path().toString();
        ModelProto proto = model.proto();
        GraphProto graph = proto.getGraph();
        int opset = defaultOpset(name, proto);
        checkOperators(name, graph);

        List<Tensor> constants = new ArrayList<>();
        LinkedHashMap<String, Tensor> originals = new LinkedHashMap<>();
        try {
            OpNode.Constants owner = new OpNode.Constants() {
                @Override
                public Tensor decode(TensorProto t, String what) throws L2cException {
                    return keep(constants, Tensors.fromModel(model.tensor(t.toBuilder().setName(what).build())));
                }

                @Override
                public Tensor own(Tensor t) {
                    return keep(constants, t);
                }
            };
            List<Step> steps = new ArrayList<>();
            List<Integer> order = topologicalOrder(name, graph);
            for (int index : order) {
                NodeProto node = graph.getNode(index);
                OpNode op = new OpNode(node, index, opset, name, owner);
                steps.add(new Step(node, op.label(), Ops.factory(node.getOpType()).create(op)));
            }
            Set<String> supportedInitializers = new HashSet<>();
            List<String> floats = new ArrayList<>();
            for (dev.l2c.model.Tensor t : model.allInitializers()) {
                originals.put(t.name(), keep(null, Tensors.fromModel(t)));
                supportedInitializers.add(t.name());
                if (t.dtype().isFloat()) floats.add(t.name());
            }
            LinkedHashMap<String, ValueInfoProto> inputs = new LinkedHashMap<>();
            for (ValueInfoProto v : graph.getInputList()) {
                if (!originals.containsKey(v.getName())) inputs.put(v.getName(), v);
            }
            for (TensorProto t : graph.getInitializerList()) {
                if (!supportedInitializers.contains(t.getName())) {
                    throw new L2cException(name + ": initializer " + t.getName() + " has ONNX data type " + t.getDataType()
                            + ", which the executor does not support");
                }
            }
            List<String> outputs = graph.getOutputList().stream().map(ValueInfoProto::getName).toList();
            checkDefined(name, graph, order, inputs.keySet(), originals.keySet(), outputs);
            Set<String> stats = new HashSet<>();
            for (NodeProto node : graph.getNodeList()) {
                if (node.getOpType().equals("BatchNormalization")) {
                    for (int i = 3; i < 5 && i < node.getInputCount(); i++) {
                        if (originals.containsKey(node.getInput(i))) stats.add(node.getInput(i));
                    }
                }
            }
            return new OnnxExecutor(name, steps, inputs, outputs, originals, floats, stats, constants);
        } catch (L2cException | RuntimeException e) {
            constants.forEach(Tensor::close);
            originals.values().forEach(Tensor::close);
            throw e;
        }
    }

    /** An owned handle of {@code t} (made in a scope of its own), listed in {@code owned} if given. */
    private static Tensor keep(List<Tensor> owned, Tensor t) {
        Tensor own;
        try (PointerScope scope = new PointerScope()) {
            own = Handles.adopt(scope, t);
        }
        if (owned != null) owned.add(own);
        return own;
    }

    private static int defaultOpset(String name, ModelProto proto) throws L2cException {
        for (OperatorSetIdProto o : proto.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) return (int) o.getVersion();
        }
        throw new L2cException(name + ": the model imports no opset of the default ONNX domain");
    }

    /** Every node's operator must be one the executor has, in the default domain. */
    private static void checkOperators(String name, GraphProto graph) throws L2cException {
        for (int i = 0; i < graph.getNodeCount(); i++) {
            NodeProto node = graph.getNode(i);
            String domain = node.getDomain();
            boolean standard = domain.isEmpty() || domain.equals("ai.onnx");
            if (!standard || Ops.factory(node.getOpType()) == null) {
                String op = standard ? node.getOpType() : domain + "::" + node.getOpType();
                throw new L2cException(name + ": node " + OpNode.label(node, i) + ": operator " + op
                        + " is not supported by the libtorch executor (supported: " + String.join(", ", Ops.supported()) + ")");
            }
        }
    }

    /** The nodes ordered so each comes after the producers of its inputs (stable for sorted graphs). */
    private static List<Integer> topologicalOrder(String name, GraphProto graph) throws L2cException {
        List<NodeProto> nodes = graph.getNodeList();
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String out : nodes.get(i).getOutputList()) {
                if (out.isEmpty()) continue;
                if (producer.put(out, i) != null) {
                    throw new L2cException(name + ": value " + out + " is produced by more than one node");
                }
            }
        }
        int n = nodes.size();
        int[] state = new int[n]; // 0 new, 1 on the stack, 2 placed
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (state[i] == 0) place(name, nodes, producer, state, order, i);
        }
        return order;
    }

    /** Depth-first placement without recursion (graphs may be thousands of nodes deep). */
    private static void place(String name, List<NodeProto> nodes, Map<String, Integer> producer, int[] state,
            List<Integer> order, int root) throws L2cException {
        ArrayList<int[]> stack = new ArrayList<>(); // {node, next input}
        stack.add(new int[] {root, 0});
        state[root] = 1;
        while (!stack.isEmpty()) {
            int[] top = stack.get(stack.size() - 1);
            NodeProto node = nodes.get(top[0]);
            if (top[1] < node.getInputCount()) {
                Integer p = producer.get(node.getInput(top[1]++));
                if (p == null || state[p] == 2) continue;
                if (state[p] == 1) {
                    throw new L2cException(name + ": the graph has a cycle through node " + OpNode.label(nodes.get(p), p));
                }
                state[p] = 1;
                stack.add(new int[] {p, 0});
            } else {
                state[top[0]] = 2;
                order.add(top[0]);
                stack.remove(stack.size() - 1);
            }
        }
    }

    private static void checkDefined(String name, GraphProto graph, List<Integer> order, Set<String> inputs,
            Set<String> initializers, List<String> outputs) throws L2cException {
        Set<String> defined = new HashSet<>(inputs);
        defined.addAll(initializers);
        for (int index : order) {
            NodeProto node = graph.getNode(index);
            for (String in : node.getInputList()) {
                if (!in.isEmpty() && !defined.contains(in)) {
                    throw new L2cException(name + ": node " + OpNode.label(node, index) + " reads " + in
                            + ", which no input, initializer or node defines");
                }
            }
            for (String out : node.getOutputList()) if (!out.isEmpty()) defined.add(out);
        }
        for (String out : outputs) {
            if (!defined.contains(out)) throw new L2cException(name + ": graph output " + out + " is never computed");
        }
    }

    /** Graph inputs that are not initializers, in graph order. */
    public List<String> inputNames() {
        return List.copyOf(inputs.keySet());
    }

    public List<String> outputNames() {
        return outputs;
    }

    /** Names of all values produced by nodes, in the topological order they are computed. */
    public List<String> valueNames() {
        List<String> out = new ArrayList<>();
        for (Step s : steps) {
            for (String v : s.node.getOutputList()) if (!v.isEmpty()) out.add(v);
        }
        return out;
    }

    /** Node names in computation order; unnamed nodes are {@code #index:op}. */
    public List<String> nodeNames() {
        return steps.stream().map(Step::label).toList();
    }

    /** The nodes in computation order (same order as {@link #nodeNames()}). */
    public List<NodeProto> nodes() {
        return steps.stream().map(Step::node).toList();
    }

    /** The initializers that BatchNormalization nodes read as running mean and variance. */
    public Set<String> runningStatisticNames() {
        return java.util.Collections.unmodifiableSet(runningStatistics);
    }

    /** Float initializers (what calibration may replace), in graph order. */
    public List<String> floatInitializerNames() {
        return floatInitializers;
    }

    /**
     * The initializer's current value (the model's, or what {@link #setInitializer} put there) as a
     * new handle the caller owns; its element type is the model's (float32 for float32 weights).
     */
    public Tensor initializer(String name) {
        checkOpen();
        Tensor t = current.get(name);
        if (t == null) throw new IllegalArgumentException(modelName + ": no initializer named " + name);
        return handOut(t);
    }

    /**
     * Replaces an initializer for later runs. The tensor may require grad (a live leaf): its
     * gradient then flows from run()'s results. Shape and element type must match the model's.
     * The executor keeps its own handle; the caller's stays the caller's.
     */
    public void setInitializer(String name, Tensor value) throws L2cException {
        checkOpen();
        Tensor original = originals.get(name);
        if (original == null) throw new L2cException(modelName + ": no initializer named " + name);
        if (value == null || !value.defined()) throw new L2cException(modelName + ": initializer " + name + ": no tensor given");
        long[] want = Tensors.shape(original);
        long[] got = Tensors.shape(value);
        if (!Arrays.equals(want, got)) {
            throw new L2cException(modelName + ": initializer " + name + " has shape " + Arrays.toString(want)
                    + ", the replacement " + Arrays.toString(got));
        }
        if (Tensors.type(value) != Tensors.type(original)) {
            throw new L2cException(modelName + ": initializer " + name + " is " + Tensors.onnxName(Tensors.type(original))
                    + ", the replacement " + Tensors.onnxName(Tensors.type(value)));
        }
        replaceCurrent(name, keep(null, value));
    }

    /** Restores the model's value of an initializer. */
    public void resetInitializer(String name) {
        checkOpen();
        Tensor original = originals.get(name);
        if (original == null) throw new IllegalArgumentException(modelName + ": no initializer named " + name);
        replaceCurrent(name, original);
        if (training && runningStatistics.contains(name)) privatizeStatistic(name);
    }

    private void replaceCurrent(String name, Tensor value) {
        Tensor old = current.put(name, value);
        if (old != null && old != originals.get(name) && old != value) old.close();
    }

    /**
     * Training mode (default off): BatchNormalization normalizes with batch statistics and updates
     * its running mean and variance initializers in place (ONNX momentum, default 0.9), as libtorch's
     * batch_norm(training=true) does. The model's own values stay as they were for
     * {@link #resetInitializer}.
     */
    public void setTraining(boolean training) {
        checkOpen();
        this.training = training;
        if (training) {
            for (String name : runningStatistics) {
                if (current.get(name) == originals.get(name)) privatizeStatistic(name);
            }
        }
    }

    public boolean training() {
        return training;
    }

    /** Gives a running statistic a copy of its own, so in-place updates leave the original alone. */
    private void privatizeStatistic(String name) {
        try (PointerScope scope = new PointerScope()) {
            Tensor copy = originals.get(name).clone();
            replaceCurrent(name, Handles.adopt(scope, copy));
        }
    }

    /** Runs the graph and returns the values named in {@code fetch}; see {@link #run(Map, Collection, NodeObserver)}. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs, Collection<String> fetch) throws L2cException {
        return run(inputs, fetch, null);
    }

    /**
     * Runs the graph and returns the values named in {@code fetch} (graph outputs, intermediate
     * values, inputs or initializers), in fetch order. Autograd records when any input or
     * initializer requires grad. {@code observer}, if not null, is called after each computed
     * node. Inputs are checked against the graph's declared element types, ranks and fixed
     * dimensions; a mismatch, an unknown name or a failing node is an L2cException naming it.
     */
    public Map<String, Tensor> run(Map<String, Tensor> feeds, Collection<String> fetch, NodeObserver observer)
            throws L2cException {
        checkOpen();
        checkFeeds(feeds);
        Plan plan = plan(fetch);
        for (int s : plan.steps) {
            for (String in : steps.get(s).node.getInputList()) {
                if (this.inputs.containsKey(in) && !feeds.containsKey(in)) {
                    throw new L2cException(modelName + ": input " + in + " is needed but was not given");
                }
            }
        }
        Map<String, Tensor> values = new HashMap<>(); // handles this run owns
        Set<String> fetched = new HashSet<>(plan.fetch);
        Map<String, Tensor> result = new LinkedHashMap<>();
        boolean done = false;
        Kernel.RunMode mode = new Kernel.RunMode(training);
        try {
            for (int k = 0; k < plan.steps.length; k++) {
                Step step = steps.get(plan.steps[k]);
                Tensor[] in = gather(step, feeds, values);
                Tensor[] out = compute(step, in, mode);
                List<String> names = step.node.getOutputList();
                for (int i = 0; i < names.size(); i++) {
                    if (names.get(i).isEmpty()) {
                        if (i < out.length && out[i] != null) out[i].close();
                        continue;
                    }
                    if (i >= out.length || out[i] == null) {
                        throw new L2cException(modelName + ": node " + step.label + " (" + step.node.getOpType()
                                + "): output " + names.get(i) + " was not produced");
                    }
                    values.put(names.get(i), out[i]);
                }
                for (int i = names.size(); i < out.length; i++) {
                    if (out[i] != null) out[i].close(); // more results than the node names: unused
                }
                if (observer != null) {
                    observer.node(step.node, Collections.unmodifiableList(Arrays.asList(in)),
                            Collections.unmodifiableList(Arrays.asList(out).subList(0, Math.min(out.length, names.size()))));
                }
                for (String dead : plan.dying.get(k)) {
                    if (fetched.contains(dead)) continue;
                    Tensor t = values.remove(dead);
                    if (t != null) t.close();
                }
            }
            for (String name : plan.fetch) {
                Tensor own = values.remove(name);
                if (own == null) {
                    Tensor source = feeds.containsKey(name) ? feeds.get(name) : current.get(name);
                    if (source == null) {
                        throw new L2cException(modelName + ": " + name + " was not computed (input not given?)");
                    }
                    own = keep(null, source);
                }
                result.put(name, own);
            }
            done = true;
        } finally {
            values.values().forEach(Tensor::close);
            if (!done) result.values().forEach(Tensor::close);
        }
        result.values().forEach(Handles::toCaller);
        return result;
    }

    private Tensor[] gather(Step step, Map<String, Tensor> feeds, Map<String, Tensor> values) {
        List<String> names = step.node.getInputList();
        int n = names.size();
        while (n > 0 && names.get(n - 1).isEmpty()) n--;
        Tensor[] in = new Tensor[n];
        for (int i = 0; i < n; i++) {
            String name = names.get(i);
            if (name.isEmpty()) continue;
            Tensor t = values.get(name);
            if (t == null) t = feeds.get(name);
            if (t == null) t = current.get(name);
            in[i] = t;
        }
        return in;
    }

    /** Runs one kernel in a scope of its own; the outputs come back as handles this run owns. */
    private Tensor[] compute(Step step, Tensor[] in, Kernel.RunMode mode) throws L2cException {
        try (PointerScope scope = new PointerScope()) {
            Tensor[] raw = step.kernel.apply(in, mode);
            Tensor[] out = new Tensor[raw.length];
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] != null) out[i] = Handles.adopt(scope, raw[i]);
            }
            return out;
        } catch (RuntimeException e) {
            // libtorch reports shape and type errors as RuntimeException with a C++ backtrace.
            String msg = String.valueOf(e.getMessage());
            int cut = msg.indexOf("\nException raised from");
            throw new L2cException(modelName + ": node " + step.label + " (" + step.node.getOpType() + "): "
                    + (cut >= 0 ? msg.substring(0, cut) : msg).strip() + describe(in), e);
        }
    }

    private static String describe(Tensor[] in) {
        StringBuilder b = new StringBuilder(" [inputs:");
        for (Tensor t : in) {
            b.append(' ');
            if (t == null) b.append("none");
            else b.append(Tensors.onnxName(Tensors.type(t))).append(Arrays.toString(Tensors.shape(t)));
        }
        return b.append(']').toString();
    }

    /** The steps {@code fetch} needs and when each value dies; the last plan is reused. */
    private Plan plan(Collection<String> fetch) throws L2cException {
        List<String> wanted = List.copyOf(fetch);
        if (lastPlan != null && lastPlan.fetch.equals(wanted)) return lastPlan;
        boolean[] needed = new boolean[steps.size()];
        ArrayList<Integer> work = new ArrayList<>();
        for (String name : wanted) {
            Integer p = producers.get(name);
            if (p == null) {
                if (!inputs.containsKey(name) && !originals.containsKey(name)) {
                    throw new L2cException(modelName + ": cannot fetch " + name + ": no node, input or initializer has that name");
                }
                continue;
            }
            work.add(p);
        }
        while (!work.isEmpty()) {
            int s = work.remove(work.size() - 1);
            if (needed[s]) continue;
            needed[s] = true;
            for (String in : steps.get(s).node.getInputList()) {
                Integer p = producers.get(in);
                if (p != null && !needed[p]) work.add(p);
            }
        }
        int count = 0;
        for (boolean b : needed) if (b) count++;
        int[] order = new int[count];
        Map<String, Integer> lastUse = new HashMap<>();
        int k = 0;
        for (int s = 0; s < steps.size(); s++) {
            if (!needed[s]) continue;
            order[k] = s;
            for (String in : steps.get(s).node.getInputList()) {
                if (producers.containsKey(in)) lastUse.put(in, k);
            }
            for (String out : steps.get(s).node.getOutputList()) {
                if (!out.isEmpty()) lastUse.putIfAbsent(out, k); // unused outputs die at once
            }
            k++;
        }
        List<List<String>> dying = new ArrayList<>();
        for (int i = 0; i < count; i++) dying.add(new ArrayList<>());
        lastUse.forEach((value, step) -> dying.get(step).add(value));
        lastPlan = new Plan(wanted, order, dying);
        return lastPlan;
    }

    /** Each fed tensor must be a graph input of the declared element type, rank and fixed dimensions. */
    private void checkFeeds(Map<String, Tensor> feeds) throws L2cException {
        for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
            String name = e.getKey();
            ValueInfoProto info = inputs.get(name);
            if (info == null) {
                throw new L2cException(modelName + ": unknown input " + name + " (the model's inputs: " + inputs.keySet() + ")");
            }
            Tensor t = e.getValue();
            if (t == null || !t.defined()) throw new L2cException(modelName + ": input " + name + ": no tensor given");
            if (!info.getType().hasTensorType()) continue;
            TypeProto.Tensor type = info.getType().getTensorType();
            Optional<ScalarType> want = Tensors.fromOnnx(type.getElemType());
            if (want.isPresent() && Tensors.type(t) != want.get()) {
                throw new L2cException(modelName + ": input " + name + " must be "
                        + DType.fromOnnxCode(type.getElemType()).map(d -> d.name().toLowerCase()).orElse("?")
                        + ", got " + Tensors.onnxName(Tensors.type(t)));
            }
            if (!type.hasShape()) continue;
            List<TensorShapeProto.Dimension> dims = type.getShape().getDimList();
            long[] got = Tensors.shape(t);
            if (got.length != dims.size()) {
                throw new L2cException(modelName + ": input " + name + " must have rank " + dims.size() + ", got shape "
                        + Arrays.toString(got));
            }
            for (int i = 0; i < got.length; i++) {
                if (dims.get(i).hasDimValue() && dims.get(i).getDimValue() != got[i]) {
                    throw new L2cException(modelName + ": input " + name + " dimension " + i + " must be "
                            + dims.get(i).getDimValue() + ", got shape " + Arrays.toString(got));
                }
            }
        }
    }

    /** A new handle of an executor-owned tensor for the caller (joins the caller's scope, if any). */
    private static Tensor handOut(Tensor t) {
        return Handles.toCaller(keep(null, t));
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException(modelName + ": executor is closed");
    }

    /** Frees the tensors the executor owns (weights, replacements, constants). Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (Map.Entry<String, Tensor> e : current.entrySet()) {
            if (e.getValue() != originals.get(e.getKey())) e.getValue().close();
        }
        originals.values().forEach(Tensor::close);
        constants.forEach(Tensor::close);
        current.clear();
        lastPlan = null;
    }
}
