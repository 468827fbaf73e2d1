package dev.l2c.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a JMH JSON result file of this suite into a markdown table of MB/s (10^6 symbol bytes per
 * second, from the "bytes" secondary metric) and checks the speed targets.
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
        Map<String, Double> mbps = new LinkedHashMap<>();
        System.out.println("| codec | operation | source | threads / level | MB/s | ± (99.9 %) |");
        System.out.println("|---|---|---|---:|---:|---:|");
        for (JsonNode run : runs) {
            String bench = run.get("benchmark").asText();
            String cls = bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1, bench.lastIndexOf('.'));
            String op = bench.substring(bench.lastIndexOf('.') + 1);
            JsonNode params = run.get("params");
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
                        "- %s: 1-thread rANS decode / zstd-3 decompress = %.2f (target >= 1)", source, d1 / z3));
            if (d1 != null && d2 != null)
                System.out.println(String.format(Locale.ROOT,
                        "- %s: rANS decode speed-up 1 -> 2 threads = %.2fx (target >= 1.8)", source, d2 / d1));
        }
    }
}
