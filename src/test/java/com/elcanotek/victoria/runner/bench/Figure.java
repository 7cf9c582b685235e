package com.elcanotek.victoria.runner.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One measured value of one launcher. {@code below} is its target (the value must stay under it), null when it has
 * none; {@code loadAverage} is the host's 1-minute load average when it was taken: on a shared machine it says how
 * much to trust the value. {@code detail} says how it was obtained, or holds the raw samples.
 */
record Figure(String scenario, String name, String unit, double value, Double below, double loadAverage, String detail) {

    static Figure of(String scenario, String name, String unit, double value, String detail) {
        return new Figure(scenario, name, unit, value, null, currentLoadAverage(), detail);
    }

    Figure targetBelow(double limit) {
        return new Figure(scenario, name, unit, value, limit, loadAverage, detail);
    }

    /** Null when the figure has no target. */
    Boolean met() {
        return below == null ? null : value < below;
    }

    String formatted() {
        return format(value);
    }

    String formattedBelow() {
        return format(below);
    }

    /** Milliseconds and counts need no decimals; the rest one, CPU seconds two. */
    private String format(double number) {
        return switch (unit) {
            case "ms", "count" -> "%.0f".formatted(number);
            case "cpu s" -> "%.2f".formatted(number);
            default -> "%.1f".formatted(number);
        };
    }

    /** The first of /proc/loadavg's three. */
    static double currentLoadAverage() {
        return Double.parseDouble(loadAverages().split(" ")[0]);
    }

    /** The 1, 5 and 15-minute load averages. */
    static String loadAverages() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
