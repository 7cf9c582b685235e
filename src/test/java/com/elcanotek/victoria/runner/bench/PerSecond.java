package com.elcanotek.victoria.runner.bench;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.stream.Collectors;

/**
 * How many of some moments (requests the fake served) fell in each whole second of a window: how evenly a load is
 * spread over time, which a mean alone hides.
 */
final class PerSecond {

    private final long[] counts;

    private PerSecond(long[] counts) {
        this.counts = counts;
    }

    /** @param from the window's start, counted in whole seconds from there; @param seconds its length */
    static PerSecond of(Collection<Instant> moments, Instant from, int seconds) {
        long[] counts = new long[seconds];
        for (Instant moment : moments) {
            long second = Math.floorDiv(moment.toEpochMilli() - from.toEpochMilli(), 1000);
            if (second >= 0 && second < seconds) {
                counts[(int) second]++;
            }
        }
        return new PerSecond(counts);
    }

    long total() {
        return Arrays.stream(counts).sum();
    }

    double mean() {
        return counts.length == 0 ? 0 : (double) total() / counts.length;
    }

    long max() {
        return Arrays.stream(counts).max().orElse(0);
    }

    /** Standard deviation over mean: 0 for a perfectly even load, about 1 / sqrt(mean) for random arrivals. */
    double coefficientOfVariation() {
        double mean = mean();
        if (mean == 0) {
            return 0;
        }
        double variance = Arrays.stream(counts).mapToDouble(count -> (count - mean) * (count - mean)).sum() / counts.length;
        return Math.sqrt(variance) / mean;
    }

    /** The counts, for a figure's detail. */
    String series() {
        return Arrays.stream(counts).mapToObj(Long::toString).collect(Collectors.joining(" "));
    }
}
