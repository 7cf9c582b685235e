package com.elcanotek.victoria.runner.fake;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Injected faults, consumed by matching requests in the order they were added, and the periodic delay of the
 * "slow server" mode. Thread-safe.
 */
final class Faults {

    /**
     * What happens to a matching request: first a {@code delay} (null = none), then, if {@code status}
     * is not 0, that error answer instead of the normal one. {@code method} null matches any method.
     */
    record Fault(String method, String path, Duration delay, int status, String detail, Long retryAfterSeconds,
            boolean fromInBetween) {
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
    /** The slow-server mode: every {@code every}-th request waits {@code everyDelay}; 0 = off. */
    private int every;
    private Duration everyDelay;
    private long counted;

    /** {@code n} 0 turns the mode off; the count starts again at every call. */
    synchronized void delayEvery(int n, Duration delay) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be 0 (off) or more, not " + n);
        }
        if (n > 0 && (delay == null || delay.isNegative())) {
            throw new IllegalArgumentException("a delay of at least 0 is needed, not " + delay);
        }
        every = n;
        everyDelay = delay;
        counted = 0;
    }

    /** Counts one request for the slow-server mode: the delay it must wait, or null. */
    synchronized Duration periodicDelay() {
        if (every == 0) {
            return null;
        }
        return ++counted % every == 0 ? everyDelay : null;
    }

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
