package dev.l2c.pipeline;

/**
 * The outcome of one {@code compress}: what was written, how long it took, on which backend, and
 * in ratio mode how the target was met (null otherwise).
 */
public record CompressReport(ContainerSummary summary, double seconds, String backend, RatioReport ratio) {
    public CompressReport(ContainerSummary summary, double seconds, String backend) {
        this(summary, seconds, backend, null);
    }
}
