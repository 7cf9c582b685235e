package com.elcanotek.victoria.runner.bench;

import java.time.Duration;
import java.util.List;

/** One measured interval over all samples, in milliseconds; percentiles by nearest rank. */
record Latency(String name, String meaning, int samples, double p50, double p95, double max) {

    static Latency of(String name, String meaning, List<Duration> durations) {
        if (durations.isEmpty()) {
            throw new IllegalArgumentException("no samples for " + name);
        }
        List<Double> millis = durations.stream().map(d -> d.toNanos() / 1e6).sorted().toList();
        return new Latency(name, meaning, millis.size(), rank(millis, 0.50), rank(millis, 0.95), millis.get(millis.size() - 1));
    }

    private static double rank(List<Double> sorted, double quantile) {
        return sorted.get((int) Math.ceil(quantile * sorted.size()) - 1);
    }
}
