package dev.l2c.graph;

import static dev.l2c.graph.Ops.one;

import dev.l2c.L2cException;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.StringViewOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Element-wise operators: arithmetic and comparisons (numpy broadcasting), activations, casts. */
final class ElementwiseOps {
    private static final BytePointer TRUNC = Torch.constantString("trunc");
    private static final BytePointer GELU_NONE = Torch.constantString("none");
    private static final BytePointer GELU_TANH = Torch.constantString("tanh");

    private ElementwiseOps() {}

    static void register(Map<String, Kernel.Factory> m) {
        binary(m, "Add", torch::add);
        binary(m, "Sub", torch::sub);
        binary(m, "Mul", torch::mul);
        binary(m, "Div", ElementwiseOps::divide);
        binary(m, "Pow", (a, b) -> {
            Tensor r = torch.pow(a, b);
            return Tensors.type(r) == Tensors.type(a) ? r : r.to(Tensors.type(a)); // ONNX: the base's type
        });
        binary(m, "Equal", torch::eq);
        binary(m, "Less", torch::lt);
        binary(m, "Greater", torch::gt);
        binary(m, "LessOrEqual", torch::le);
        binary(m, "GreaterOrEqual", torch::ge);
        binary(m, "And", torch::logical_and);
        binary(m, "Or", torch::logical_or);
        binary(m, "Xor", torch::logical_xor);
        m.put("Mod", ElementwiseOps::mod);
        m.put("PRelu", n -> {
            n.allowAttributes();
            n.checkArity(2, 2, 1, 1);
            return (in, mode) -> one(torch.where(in[0].lt(new Scalar(0.0)), torch.mul(in[0], in[1]), in[0]));
        });
        m.put("Where", n -> {
            n.allowAttributes();
            n.checkArity(3, 3, 1, 1);
            return (in, mode) -> {
                Tensor cond = Tensors.type(in[0]) == ScalarType.Bool ? in[0] : in[0].to(ScalarType.Bool);
                return one(torch.where(cond, in[1], in[2]));
            };
        });
        variadic(m, "Max", torch::maximum);
        variadic(m, "Min", torch::minimum);
        variadic(m, "Sum", torch::add);
        m.put("Mean", n -> {
            n.allowAttributes();
            n.checkArity(1, Integer.MAX_VALUE, 1, 1);
            return (in, mode) -> {
                Tensor sum = in[0];
                for (int i = 1; i < in.length; i++) sum = torch.add(sum, in[i]);
                return one(in.length == 1 ? sum : torch.div(sum, new Scalar((double) in.length)));
            };
        });

        unary(m, "Relu", torch::relu);
        unary(m, "Sigmoid", torch::sigmoid);
        unary(m, "Tanh", torch::tanh);
        unary(m, "Erf", torch::erf);
        unary(m, "Sqrt", torch::sqrt);
        unary(m, "Exp", torch::exp);
        unary(m, "Log", torch::log);
        unary(m, "Neg", torch::neg);
        unary(m, "Abs", torch::abs);
        unary(m, "Reciprocal", torch::reciprocal);
        unary(m, "Floor", torch::floor);
        unary(m, "Ceil", torch::ceil);
        unary(m, "Round", torch::round); // both round half to even
        unary(m, "Sign", torch::sign);
        unary(m, "Sin", torch::sin);
        unary(m, "Cos", torch::cos);
        unary(m, "Not", torch::logical_not);
        unary(m, "Softplus", torch::softplus);
        unary(m, "Softsign", x -> torch.div(x, torch.abs(x).add(new Scalar(1.0))));
        unary(m, "HardSwish", torch::hardswish);
        unary(m, "Identity", x -> x);

        m.put("LeakyRelu", n -> {
            n.allowAttributes("alpha");
            n.checkArity(1, 1, 1, 1);
            double alpha = n.floatAttr("alpha", 0.01f);
            return (in, mode) -> one(torch.leaky_relu(in[0], new Scalar(alpha)));
        });
        m.put("Elu", n -> {
            n.allowAttributes("alpha");
            n.checkArity(1, 1, 1, 1);
            double alpha = n.floatAttr("alpha", 1.0f);
            return (in, mode) -> one(torch.elu(in[0], new Scalar(alpha), new Scalar(1.0), new Scalar(1.0)));
        });
        m.put("Selu", n -> {
            n.allowAttributes("alpha", "gamma");
            n.checkArity(1, 1, 1, 1);
            double alpha = n.floatAttr("alpha", 1.67326319217681884765625f);
            double gamma = n.floatAttr("gamma", 1.05070102214813232421875f);
            return (in, mode) -> one(torch.elu(in[0], new Scalar(alpha), new Scalar(gamma), new Scalar(1.0)));
        });
        m.put("HardSigmoid", n -> {
            n.allowAttributes("alpha", "beta");
            n.checkArity(1, 1, 1, 1);
            double alpha = n.floatAttr("alpha", 0.2f);
            double beta = n.floatAttr("beta", 0.5f);
            return (in, mode) -> one(torch.clamp(in[0].mul(new Scalar(alpha)).add(new Scalar(beta)),
                    new ScalarOptional(new Scalar(0.0)), new ScalarOptional(new Scalar(1.0))));
        });
        m.put("Gelu", n -> {
            n.allowAttributes("approximate");
            n.checkArity(1, 1, 1, 1);
            String approximate = n.stringAttr("approximate", "none");
            BytePointer mode = switch (approximate) {
                case "none" -> GELU_NONE;
                case "tanh" -> GELU_TANH;
                default -> throw n.fail("approximate '" + approximate + "' is not one of none, tanh");
            };
            return (in, runMode) -> one(torch.gelu(in[0], mode));
        });
        m.put("Clip", ElementwiseOps::clip);
        m.put("Cast", n -> {
            n.allowAttributes("to", "saturate");
            n.checkArity(1, 1, 1, 1);
            if (!n.has("to")) throw n.fail("attribute 'to' is required");
            long to = n.intAttr("to", 0);
            ScalarType type = Tensors.fromOnnx((int) to)
                    .orElseThrow(() -> n.fail("cast to ONNX data type " + to + " is not supported"));
            return (in, mode) -> one(in[0].to(type));
        });
        m.put("CastLike", n -> {
            n.allowAttributes("saturate");
            n.checkArity(2, 2, 1, 1);
            return (in, mode) -> one(in[0].to(Tensors.type(in[1])));
        });
        m.put("Dropout", ElementwiseOps::dropout);
    }

    private static void unary(Map<String, Kernel.Factory> m, String op, UnaryOperator<Tensor> f) {
        m.put(op, n -> {
            n.allowAttributes();
            n.checkArity(1, 1, 1, 1);
            return (in, mode) -> one(f.apply(in[0]));
        });
    }

    private static void binary(Map<String, Kernel.Factory> m, String op, BinaryOperator<Tensor> f) {
        m.put(op, n -> {
            // Opsets before 7 had 'broadcast'/'axis' attributes; refused by the empty list.
            n.allowAttributes();
            n.checkArity(2, 2, 1, 1);
            return (in, mode) -> one(f.apply(in[0], in[1]));
        });
    }

    private static void variadic(Map<String, Kernel.Factory> m, String op, BinaryOperator<Tensor> f) {
        m.put(op, n -> {
            n.allowAttributes();
            n.checkArity(1, Integer.MAX_VALUE, 1, 1);
            return (in, mode) -> {
                Tensor acc = in[0];
                for (int i = 1; i < in.length; i++) acc = f.apply(acc, in[i]);
                return one(acc);
            };
        });
    }

    /** ONNX Div: integer division truncates toward zero; torch.div would return floats. */
    private static Tensor divide(Tensor a, Tensor b) {
        if (Ops.isFloating(a) || Ops.isFloating(b)) return torch.div(a, b);
        return torch.div(a, b, new StringViewOptional(TRUNC));
    }

    private static Kernel mod(OpNode n) throws L2cException {
        n.allowAttributes("fmod");
        n.checkArity(2, 2, 1, 1);
        long fmod = n.intAttr("fmod", 0);
        if (fmod != 0 && fmod != 1) throw n.fail("fmod must be 0 or 1, got " + fmod);
        return (in, mode) -> {
            if (fmod == 0 && (Ops.isFloating(in[0]) || Ops.isFloating(in[1]))) {
                throw n.fail("fmod=0 is defined for integers only (ONNX requires fmod=1 for floats)");
            }
            // fmod=0: the result takes the divisor's sign (Python %), which is torch.remainder.
            return one(fmod == 1 ? torch.fmod(in[0], in[1]) : torch.remainder(in[0], in[1]));
        };
    }

    /** Clip: bounds as attributes before opset 11, as optional scalar inputs from 11 on. */
    private static Kernel clip(OpNode n) throws L2cException {
        if (n.opset() < 11) {
            n.allowAttributes("min", "max");
            n.checkArity(1, 1, 1, 1);
            float lo = n.floatAttr("min", Float.NEGATIVE_INFINITY);
            float hi = n.floatAttr("max", Float.POSITIVE_INFINITY);
            return (in, mode) -> one(torch.clamp(in[0], new ScalarOptional(new Scalar((double) lo)),
                    new ScalarOptional(new Scalar((double) hi))));
        }
        n.allowAttributes();
        n.checkArity(1, 3, 1, 1);
        return (in, mode) -> {
            Tensor lo = in.length > 1 ? in[1] : null;
            Tensor hi = in.length > 2 ? in[2] : null;
            for (Tensor bound : new Tensor[] {lo, hi}) {
                if (bound != null && bound.numel() != 1) {
                    throw n.fail("min and max must be scalars, got one of " + bound.numel() + " elements");
                }
            }
            // Bounds keep their own tensors (a live bound receives gradients like any input).
            return one(torch.clamp(in[0], lo == null ? new TensorOptional() : new TensorOptional(lo.reshape()),
                    hi == null ? new TensorOptional() : new TensorOptional(hi.reshape())));
        };
    }

    /** Dropout at inference: the identity, with an all-true mask when the node asks for it. */
    private static Kernel dropout(OpNode n) throws L2cException {
        n.allowAttributes("ratio", "seed", "is_test");
        n.checkArity(1, 3, 1, 2);
        boolean mask = n.hasOutput(1);
        return (in, mode) -> {
            if (in.length > 2 && in[2] != null && in[2].numel() == 1 && in[2].to(ScalarType.Bool).item().toBool()) {
                throw n.fail("training_mode=true (random dropout) is not supported; the executor runs Dropout as identity");
            }
            if (!mask) return one(in[0]);
            return new Tensor[] {in[0], torch.ones_like(in[0]).to(ScalarType.Bool)};
        };
    }
}
