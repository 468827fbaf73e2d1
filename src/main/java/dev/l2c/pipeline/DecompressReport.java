package dev.l2c.pipeline;

public record DecompressReport(int tensors, long inputBytes, long outputBytes, double seconds) {}
