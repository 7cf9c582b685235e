package com.elcanotek.victoria.runner.fake;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Injected faults, consumed by matching requests in the order they were added. Thread-safe. */
final class Faults {

    /**
     * What happens to a matching request: first a {@code delay} (null = none), then, if {@code status}
     * is not 0, that error answer instead of the normal one. {@code method} null matches any method.
     */
    record Fault(String method, String path, Duration delay, int status, String detail, Long retryAfterSeconds) {
        boolean matches(String requestMethod, String requestPath) {
            return (method == null || method.equalsIgnoreCase(requestMethod)) && path.equals(requestPath);
        }
    }

    private static final class Armed {
        final Fault fault;
        int remaining;

        Armed(Fault fault, int times) {
            this.fault = fault;
            this.remaining = times;
        }
    }

    private final List<Armed> armed = new ArrayList<>();

    synchronized void add(Fault fault, int times) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be at least 1");
        }
        armed.add(new Armed(fault, times));
    }

    synchronized Optional<Fault> take(String method, String path) {
        for (Armed candidate : armed) {
            if (candidate.fault.matches(method, path)) {
                if (--candidate.remaining == 0) {
                    armed.remove(candidate);
                }
                return Optional.of(candidate.fault);
            }
        }
        return Optional.empty();
    }
}
