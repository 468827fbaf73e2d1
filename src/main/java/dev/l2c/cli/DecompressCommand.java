package dev.l2c.cli;

import dev.l2c.L2cException;
import dev.l2c.api.Decompression;
import dev.l2c.api.DecompressionResult;
import dev.l2c.api.ElementType;
import dev.l2c.codec.ValueType;
import dev.l2c.io.Printable;
import dev.l2c.report.ReportText;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "decompress", mixinStandardHelpOptions = true,
        description = "Decode a .l2c file to safetensors, to ONNX (the graph stored in the file, or --model), or back to the model folder it was made from.")
final class DecompressCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN.l2c")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "OUT.safetensors, OUT.onnx, or OUT_DIR for a .l2c made from a model folder")
    Path output;

    @Option(names = "--dtype", paramLabel = "T",
            description = "f32, f16 or bf16 for every floating-point tensor (default: each its original type)")
    String dtype;

    @Option(names = "--model", paramLabel = "ORIGINAL.onnx",
            description = "for ONNX output: the original ONNX model's graph instead of the one stored in the file "
                    + "(needed for a file made with --no-graph)")
    Path model;

    @Option(names = "--force", description = "overwrite an existing output")
    boolean force;

    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws L2cException {
        CommandLine cl = spec.commandLine();
        PathChecks.notEmpty(cl, "-o", output);
        PathChecks.notEmpty(cl, "--model", model);
        String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean onnx = name.endsWith(".onnx");
        boolean folder = !onnx && !name.endsWith(".safetensors");
        if (!onnx && model != null) {
            throw new CommandLine.ParameterException(cl, "--model is only used for ONNX output");
        }
        ValueType type = null;
        if (dtype != null) {
            try {
                type = ValueType.valueOf(dtype.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, "--dtype must be f32, f16 or bf16, got '" + dtype + "'");
            }
        }
        PathChecks.input(input);
        if (model != null) PathChecks.input(model);
        PathChecks.notAnInput(output, "-o", input, model);
        PathChecks.notInside(input, "IN.l2c", output);
        PathChecks.notInside(model, "--model", output);
        common.applySimd(spec);
        Decompression decompression = onnx ? (model == null ? Decompression.toOnnx() : Decompression.toOnnx(model)) : folder ? Decompression.toFolder() : Decompression.toSafetensors();
        DecompressionResult report = decompression.floatsAs(type == null ? null : ElementType.valueOf(type.name()))
                .device(common.device()).threads(common.threads()).listener(common.listener(spec)).force(force)
                .decompress(input, output);
        cl.getOut().printf("%s: %d tensors, %s -> %s (%s)%n", Printable.escape(output.toString()), report.tensors(),
                ReportText.bytes(report.inputBytes()), ReportText.bytes(report.outputBytes()),
                ReportText.seconds(report.seconds()));
        return 0;
    }
}
