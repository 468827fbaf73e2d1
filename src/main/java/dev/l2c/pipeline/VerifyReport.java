package dev.l2c.pipeline;

public record VerifyReport(int tensors, long elements, double seconds) {}
