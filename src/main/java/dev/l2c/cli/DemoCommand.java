package dev.l2c.cli;

import dev.l2c.L2cException;
import dev.l2c.backend.Backend;
import dev.l2c.pipeline.CompressOptions;
import dev.l2c.pipeline.CompressReport;
import dev.l2c.pipeline.Compressor;
import dev.l2c.pipeline.DecompressOptions;
import dev.l2c.pipeline.Decompressor;
import dev.l2c.pipeline.Verifier;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The main job on a real model: all-MiniLM-L6-v2 (fetched through Maven by the build) compressed
 * with 8-bit uniform quantization and losslessly, each verified and decompressed back to ONNX.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Compress the real all-MiniLM-L6-v2, verify, decompress to ONNX, print the sizes.")
final class DemoCommand implements Callable<Integer> {
    static final Path DEFAULT_MODEL = Path.of("target", "models", "minilm", "all-minilm-l6-v2.onnx");

    @Option(names = "--model", paramLabel = "MODEL.onnx", description = "model to use (default: the fetched MiniLM)")
    Path model;

    @Option(names = "--work", paramLabel = "DIR", defaultValue = "out/demo", description = "where outputs go (default: ${DEFAULT-VALUE})")
    Path work;

    @Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws L2cException {
        Path source = model != null ? model : locateDefaultModel();
        PrintWriter out = spec.commandLine().getOut();
        Backend backend = common.backend(spec);
        var progress = common.progress(spec);
        out.printf("model: %s (%s), backend: %s%n", source, ReportPrinter.bytes(size(source)), backend.name());
        out.printf("%-20s %12s %8s %10s %10s %10s %14s%n", "mode", "l2c bytes", "ratio", "compress", "verify", "decompress", "ONNX out");
        for (String mode : new String[] {"bits 8", "bits 8 per-channel", "lossless"}) {
            int bits = mode.startsWith("bits") ? 8 : 0;
            boolean perChannel = mode.endsWith("per-channel");
            String stem = "minilm-" + mode.replace(' ', '-');
            Path l2c = work.resolve(stem + ".l2c");
            Path onnx = work.resolve(stem + ".onnx");
            CompressReport report = new Compressor(backend, progress)
                    .compress(source, l2c, new CompressOptions(bits, null, CompressOptions.DEFAULT_MIN_ELEMENTS, CompressOptions.DEFAULT_CHUNK, true, perChannel));
            var verified = new Verifier(backend, progress).verify(l2c);
            var decoded = new Decompressor(backend, progress).decompress(l2c, onnx, new DecompressOptions(null, source, true));
            out.printf("%-20s %12d %7.2fx %9.1fs %9.1fs %9.1fs %14d%n", mode, report.summary().fileBytes(),
                    (double) size(source) / report.summary().fileBytes(), report.seconds(), verified.seconds(),
                    decoded.seconds(), decoded.outputBytes());
        }
        out.println("ratio = size of the original ONNX file / size of the .l2c file; outputs in " + work);
        return 0;
    }

    private static Path locateDefaultModel() throws L2cException {
        Path here = Path.of(System.getProperty("l2c.home", ".")).resolve(DEFAULT_MODEL);
        if (!Files.isRegularFile(here)) {
            throw new L2cException(here + ": MiniLM not found; run ./l2c from the repository root (its build fetches the model), or pass --model");
        }
        return here;
    }

    private static long size(Path p) throws L2cException {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            throw new L2cException(p + ": " + e.getMessage(), e);
        }
    }
}
