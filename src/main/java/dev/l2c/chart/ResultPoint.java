package dev.l2c.chart;

/** One measured result: a method's accuracy (or any figure of merit) at a compression ratio. */
public record ResultPoint(String method, double ratio, double value) {}
