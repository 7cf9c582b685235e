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

    /** p50 and p95 as figures; {@code p95Below} is the target of the p95, or null. */
    List<Figure> figures(String scenario, Double p95Below) {
        String detail = meaning + " (" + samples + " samples, max " + Math.round(max) + " ms)";
        Figure p95Figure = Figure.of(scenario, name + " p95", "ms", p95, detail);
        return List.of(Figure.of(scenario, name + " p50", "ms", p50, detail),
                p95Below == null ? p95Figure : p95Figure.targetBelow(p95Below));
    }

    private static double rank(List<Double> sorted, double quantile) {
        return sorted.get((int) Math.ceil(quantile * sorted.size()) - 1);
    }
}
