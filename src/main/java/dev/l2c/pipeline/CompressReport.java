package dev.l2c.pipeline;

/**
 * The outcome of one {@code compress}: what was written, how long it took, on which backend, and
 * in ratio mode how the target was met: {@code ratio} for the learned transform, {@code baseline}
 * for a baseline method (each null otherwise).
 */
public record CompressReport(ContainerSummary summary, double seconds, String backend, RatioReport ratio,
        BaselineReport baseline) {
    public CompressReport(ContainerSummary summary, double seconds, String backend) {
        this(summary, seconds, backend, null, null);
    }

    public CompressReport(ContainerSummary summary, double seconds, String backend, RatioReport ratio) {
        this(summary, seconds, backend, ratio, null);
    }
}
