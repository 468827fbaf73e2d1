package dev.l2c.pipeline;

/** The outcome of one {@code compress}: what was written, how long it took, on which backend. */
public record CompressReport(ContainerSummary summary, double seconds, String backend) {}
