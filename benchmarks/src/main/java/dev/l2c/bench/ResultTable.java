package dev.l2c.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a JMH JSON result file of this suite into markdown tables: the codecs in MB/s (10^6 symbol
 * bytes per second, from the "bytes" secondary metric) with the speed targets, and the L²
 * kernels (CounterBenchmark, TransformBenchmark) in elements per second, wall clock and, where
 * the "cpuNanos" metric was recorded, per second of the benchmark thread's CPU time.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.l2c.bench.ResultTable out/bench/X.json}
 */
public final class ResultTable {
    private ResultTable() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ResultTable JMH_RESULT.json");
            System.exit(2);
        }
        JsonNode runs = new ObjectMapper().readTree(Path.of(args[0]).toFile());
        codecs(runs);
        kernels(runs);
    }

    private static void codecs(JsonNode runs) {
        boolean any = false;
        for (JsonNode run : runs) any |= run.get("params") != null && run.get("params").get("source") != null;
        if (!any) return;
        Map<String, Double> mbps = new LinkedHashMap<>();
        System.out.println("| codec | operation | source | threads / level | MB/s | ± (99.9 %) |");
        System.out.println("|---|---|---|---:|---:|---:|");
        for (JsonNode run : runs) {
            String bench = run.get("benchmark").asText();
            String cls = bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1, bench.lastIndexOf('.'));
            String op = bench.substring(bench.lastIndexOf('.') + 1);
            JsonNode params = run.get("params");
            if (params == null || params.get("source") == null) continue;
            String source = params.get("source").asText();
            boolean rans = cls.startsWith("Rans");
            String knob = rans ? params.get("threads").asText() : params.get("level").asText();
            JsonNode bytes = run.get("secondaryMetrics").get("bytes");
            double score = bytes.get("score").asDouble() / 1e6;
            double error = bytes.get("scoreError").asDouble() / 1e6;
            String codec = rans ? "rANS" : "zstd";
            mbps.put(codec + "/" + op + "/" + source + "/" + knob, score);
            System.out.println(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.1f | %.1f |",
                    codec, op, source, knob, score, Double.isNaN(error) ? 0.0 : error));
        }
        System.out.println();
        for (String source : new String[] {"laplace", "minilm"}) {
            Double d1 = mbps.get("rANS/decodeBytes/" + source + "/1");
            Double d2 = mbps.get("rANS/decodeBytes/" + source + "/2");
            Double z3 = mbps.get("zstd/decompress/" + source + "/3");
            if (d1 != null && z3 != null)
                System.out.println(String.format(Locale.ROOT,
                        "- %s: 1-thread rANS decode / zstd-3 decompress = %.2f (issue 12 target >= 1.5)", source, d1 / z3));
            if (d1 != null && d2 != null)
                System.out.println(String.format(Locale.ROOT,
                        "- %s: rANS decode speed-up 1 -> 2 threads = %.2fx (issue 12 target >= 1.9)", source, d2 / d1));
        }
    }

    /** Elements of one op of the L² kernel benchmarks (CounterBenchmark.LARGE / SMALL). */
    private static long elements(String op) {
        return op.endsWith("Small") ? CounterBenchmark.SMALL : CounterBenchmark.LARGE;
    }

    private static void kernels(JsonNode runs) {
        boolean header = false;
        for (JsonNode run : runs) {
            String bench = run.get("benchmark").asText();
            if (!bench.contains("CounterBenchmark") && !bench.contains("TransformBenchmark")) continue;
            if (!header) {
                System.out.println("| benchmark | N | threads | op time (wall) | M elements/s (wall) | M elements/s per CPU second |");
                System.out.println("|---|---:|---:|---:|---:|---:|");
                header = true;
            }
            String name = bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1);
            String op = bench.substring(bench.lastIndexOf('.') + 1);
            JsonNode params = run.get("params");
            String threads = params != null && params.get("threads") != null ? params.get("threads").asText() : "1";
            JsonNode primary = run.get("primaryMetric");
            double score = primary.get("score").asDouble();
            String unit = primary.get("scoreUnit").asText();
            // Throughput runs report ops/s; single-shot runs ms/op.
            double opSeconds = unit.startsWith("ops/") ? 1 / score : score / 1e3;
            long n = elements(op);
            String cpu = "";
            JsonNode secondary = run.get("secondaryMetrics");
            if (secondary != null && secondary.get("cpuNanos") != null && secondary.get("calls") != null
                    && "1".equals(threads)) {
                double nanos = secondary.get("cpuNanos").get("score").asDouble();
                double calls = secondary.get("calls").get("score").asDouble();
                if (nanos > 0 && calls > 0) cpu = String.format(Locale.ROOT, "%.1f", n * calls / (nanos / 1e9) / 1e6);
            }
            System.out.println(String.format(Locale.ROOT, "| %s | %,d | %s | %.2f ms | %.1f | %s |", name, n,
                    threads.equals("0") ? "all" : threads, opSeconds * 1e3, n / opSeconds / 1e6, cpu));
        }
        if (header) System.out.println();
    }
}
