package dev.l2c.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.l2c.nativelib.SimdLevel;
import dev.l2c.testing.MiniLm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real MiniLM through the CLI at every SIMD level this CPU runs (levels it lacks are skipped):
 * --bits (per tensor and per channel), --lossless and data-free --ratio (edge-scale and piecewise,
 * on three tensors to keep it short) write the same bytes at every level, and every file decodes
 * to the same bytes at every level, to f32, f16 and bf16 (docs/FORMAT.md, "Determinism").
 */
@Tag("slow")
class SimdDeterminismTest {
    /** Every tensor but three MatMul weights (384x384, 384x1536, 1536x384) is stored exactly. */
    private static final String FEW_TENSORS = "^(?!onnx::MatMul_(862|863|864)$)";

    private static final String[][] MODES = {
        {"--bits", "4"},
        {"--bits", "4", "--per-channel"},
        {"--lossless"},
        {"--ratio", "1.25", "--transform", "edge-scale", "--steps", "5", "--keep", FEW_TENSORS},
        {"--ratio", "1.25", "--transform", "piecewise", "--steps", "5", "--keep", FEW_TENSORS},
    };

    @TempDir
    Path dir;

    @AfterEach
    void uncap() {
        SimdLevel.limit(SimdLevel.AVX512);
    }

    private static List<SimdLevel> levels() {
        return Arrays.asList(SimdLevel.values()).subList(0, SimdLevel.supported().ordinal() + 1);
    }

    private static void ok(CliRunner r) {
        assertEquals(0, r.exit(), r.err());
    }

    @Test
    void everyLevelEncodesAndDecodesTheSameBytes() throws Exception {
        Path onnx = MiniLm.onnx();
        for (int m = 0; m < MODES.length; m++) {
            String mode = String.join(" ", MODES[m]);
            byte[] reference = null;
            Path file = null;
            for (SimdLevel level : levels()) {
                Path out = dir.resolve("m" + m + "-" + level.label() + ".l2c");
                List<String> args = new ArrayList<>(List.of("compress", onnx.toString(), "-o", out.toString(), "--device", "cpu",
                        "--simd", level.label()));
                args.addAll(List.of(MODES[m]));
                ok(CliRunner.run(args.toArray(String[]::new)));
                byte[] bytes = Files.readAllBytes(out);
                if (reference == null) {
                    reference = bytes;
                    file = out;
                } else {
                    assertArrayEquals(reference, bytes, mode + ": the file written at " + level.label() + " differs from scalar");
                    Files.delete(out);
                }
            }
            for (String dtype : MODES[m][0].equals("--lossless") ? new String[] {"f32"} : new String[] {"f32", "f16", "bf16"}) {
                byte[] decoded = null;
                for (SimdLevel level : levels()) {
                    Path out = dir.resolve("d.safetensors");
                    ok(CliRunner.run("decompress", file.toString(), "-o", out.toString(), "--dtype", dtype, "--device", "cpu",
                            "--simd", level.label(), "--force"));
                    byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out));
                    if (decoded == null) decoded = digest;
                    else assertArrayEquals(decoded, digest, mode + " to " + dtype + ": decoded at " + level.label() + " differs from scalar");
                }
            }
        }
        assertTrue(levels().contains(SimdLevel.SCALAR));
    }
}
