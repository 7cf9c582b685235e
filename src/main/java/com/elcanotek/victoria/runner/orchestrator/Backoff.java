package com.elcanotek.victoria.runner.orchestrator;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.smallrye.faulttolerance.api.CustomBackoffStrategy;

/**
 * Exponential backoff with jitter and a cap that never retries sooner than the server's
 * {@code Retry-After} asks, nor all at the moment it names. One instance per guarded call (the
 * fault-tolerance library asks its supplier for a new one each time).
 */
public final class Backoff implements CustomBackoffStrategy {

    /** @param initial first delay; each further one doubles, up to {@code max} */
    public record Policy(Duration initial, Duration max) {
    }

    private final Policy policy;
    private long nextMillis;

    public Backoff(Policy policy) {
        this.policy = policy;
        this.nextMillis = policy.initial().toMillis();
    }

    @Override
    public long nextDelayInMillis(Throwable cause) {
        long base = nextMillis;
        nextMillis = Math.min(policy.max().toMillis(), nextMillis * 2);
        // Half fixed, half random: spreads a fleet of runners that lost the same orchestrator.
        long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        if (cause instanceof OrchestratorException failure && failure.retryAfter().isPresent()) {
            // Never sooner than asked, and spread over half as long again: a fleet behind one address is told the
            // same moment (the limit's window frees its first slot), and would all come back in the same second.
            long asked = failure.retryAfter().get().toMillis();
            delay = Math.max(delay, asked + ThreadLocalRandom.current().nextLong(asked / 2 + 1));
        }
        return delay;
    }
}
