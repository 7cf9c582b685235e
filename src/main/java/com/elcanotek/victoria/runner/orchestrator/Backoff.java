package com.elcanotek.victoria.runner.orchestrator;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.smallrye.faulttolerance.api.CustomBackoffStrategy;

/**
 * Exponential backoff with jitter and a cap that never retries sooner than the server's
 * {@code Retry-After} asks. One instance per guarded call (the fault-tolerance library asks its
 * supplier for a new one each time).
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
            delay = Math.max(delay, failure.retryAfter().get().toMillis());
        }
        return delay;
    }
}
