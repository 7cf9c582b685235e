package com.elcanotek.victoria.runner.fake;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/** Sliding one-minute window per client address, like the server's registration limit. Not thread-safe. */
final class RateLimiter {

    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final int perMinute;
    private final Map<String, Deque<Instant>> attempts = new HashMap<>();

    /** @param perMinute attempts allowed per client and minute; 0 or less disables the limit */
    RateLimiter(int perMinute) {
        this.perMinute = perMinute;
    }

    /** Counts an attempt, or refuses it with 429 and the seconds until the window frees a slot. */
    void acquire(String client) {
        if (perMinute <= 0) {
            return;
        }
        Instant now = Instant.now();
        Deque<Instant> recent = attempts.computeIfAbsent(client, c -> new ArrayDeque<>());
        while (!recent.isEmpty() && !recent.peekFirst().plus(WINDOW).isAfter(now)) {
            recent.pollFirst();
        }
        if (recent.size() >= perMinute) {
            long waitMillis = Duration.between(now, recent.peekFirst().plus(WINDOW)).toMillis();
            throw new ApiError(429, "Rate limit exceeded: " + perMinute + " per 1 minute",
                    Math.max(1, (waitMillis + 999) / 1000));
        }
        recent.addLast(now);
    }
}
